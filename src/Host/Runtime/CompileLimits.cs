using Airlock.Wasm;

namespace Airlock.Runtime;

/// <summary>
/// The host's bounds on what a module may cost to compile (<see cref="PluginHostOptions.MaxModuleBytes"/>,
/// <see cref="PluginHostOptions.MaxModuleFunctions"/>, <see cref="PluginHostOptions.MaxFunctionBodyBytes"/>),
/// checked from the module's section headers (<see cref="WasmModuleReader.ReadCodeSize"/>) before
/// Wasmtime sees it.
/// </summary>
internal static class CompileLimits
{
    /// <summary>Refuses a module of <paramref name="length"/> bytes when it is over <see cref="PluginHostOptions.MaxModuleBytes"/>.</summary>
    /// <exception cref="PluginModuleLimitException">It is.</exception>
    public static void CheckSize(string id, string? modulePath, long length, PluginHostOptions options)
    {
        if (length > options.MaxModuleBytes)
        {
            throw new PluginModuleLimitException(id, "PluginHostOptions.MaxModuleBytes", options.MaxModuleBytes, length, $"{Source(modulePath)} of plugin '{id}' is {length:N0} bytes; the host compiles modules of at most {options.MaxModuleBytes:N0} bytes (PluginHostOptions.MaxModuleBytes).");
        }
    }

    /// <summary>Refuses <paramref name="module"/> when it is over any compile limit or its sections cannot be walked.</summary>
    /// <exception cref="PluginModuleLimitException">It is over a limit.</exception>
    /// <exception cref="PluginLoadException">It is not a WebAssembly module.</exception>
    public static void Check(string id, string? modulePath, ModuleBytes module, PluginHostOptions options)
    {
        CheckSize(id, modulePath, module.Length, options);
        WasmCodeSize size;
        try
        {
            // Read once per module's bytes: the limits are compared with each host's options below.
            size = module.CodeSize;
        }
        catch (WasmFormatException exception)
        {
            throw new PluginLoadException(id, $"{Source(modulePath)} of plugin '{id}' is not a valid WebAssembly module: {exception.Message}", exception);
        }

        if (size.Functions > options.MaxModuleFunctions)
        {
            throw new PluginModuleLimitException(id, "PluginHostOptions.MaxModuleFunctions", options.MaxModuleFunctions, size.Functions, $"{Source(modulePath)} of plugin '{id}' defines {size.Functions:N0} functions; the host compiles modules of at most {options.MaxModuleFunctions:N0} functions (PluginHostOptions.MaxModuleFunctions).");
        }

        if (size.LargestBodyBytes > options.MaxFunctionBodyBytes)
        {
            throw new PluginModuleLimitException(id, "PluginHostOptions.MaxFunctionBodyBytes", options.MaxFunctionBodyBytes, size.LargestBodyBytes, $"{Source(modulePath)} of plugin '{id}' has a function body of {size.LargestBodyBytes:N0} bytes (body {size.LargestBody} of its code section); the host compiles function bodies of at most {options.MaxFunctionBodyBytes:N0} bytes (PluginHostOptions.MaxFunctionBodyBytes).");
        }
    }

    private static string Source(string? modulePath) => modulePath is null ? "The module" : $"The module '{modulePath}'";
}
