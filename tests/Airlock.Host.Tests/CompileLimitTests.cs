using Airlock.Wasm;

namespace Airlock.Host.Tests;

/// <summary>
/// What a module may cost to compile: its size, the functions it defines and its largest function body
/// are checked from its section headers before Wasmtime sees it.
/// </summary>
public sealed class CompileLimitTests
{
    [Fact]
    public void The_code_size_is_read_from_the_section_headers()
    {
        byte[] module = ProbeModules.Compile(ProbeModules.Module());
        WasmCodeSize size = WasmModuleReader.ReadCodeSize(module);
        WasmModuleInfo info = WasmModuleReader.Read(module);
        Assert.Equal(info.Functions.Count, size.Functions);
        Assert.Equal(5, size.Functions);
        Assert.InRange(size.LargestBodyBytes, 20u, 200u);
        Assert.InRange(size.LargestBody, 0, 4);
        Assert.InRange(size.CodeBytes, size.LargestBodyBytes, module.Length);
    }

    [Fact]
    public void A_module_without_code_has_no_functions()
    {
        WasmCodeSize size = WasmModuleReader.ReadCodeSize(ProbeModules.Compile("(module (memory 1))"));
        Assert.Equal(new WasmCodeSize(0, 0, 0, -1), size);
    }

    [Fact]
    public void Sections_that_cannot_be_walked_are_format_errors()
    {
        byte[] module = ProbeModules.Compile(ProbeModules.Module());
        Assert.Throws<WasmFormatException>(() => WasmModuleReader.ReadCodeSize(module.AsSpan(0, module.Length - 3)));
        Assert.Throws<WasmFormatException>(() => WasmModuleReader.ReadCodeSize([0, 0x61, 0x73, 0x6D, 2, 0, 0, 0]));
    }

    [Theory]
    [InlineData("MaxModuleBytes", "bytes; the host compiles modules of at most 100 bytes (PluginHostOptions.MaxModuleBytes).")]
    [InlineData("MaxModuleFunctions", "defines 5 functions; the host compiles modules of at most 4 functions (PluginHostOptions.MaxModuleFunctions).")]
    [InlineData("MaxFunctionBodyBytes", "bytes (PluginHostOptions.MaxFunctionBodyBytes).")]
    public async Task A_module_over_a_limit_is_refused_before_it_is_compiled(string limit, string message)
    {
        var options = new PluginHostOptions();
        switch (limit)
        {
            case "MaxModuleBytes":
                options.MaxModuleBytes = 100;
                break;
            case "MaxModuleFunctions":
                options.MaxModuleFunctions = 4;
                break;
            default:
                options.MaxFunctionBodyBytes = 16;
                break;
        }

        await using var host = new PluginHost(options);
        byte[] module = ProbeModules.Compile(ProbeModules.Module());
        var error = await Assert.ThrowsAsync<PluginModuleLimitException>(() => host.LoadModuleAsync<IProbePlugin>("big", module));
        Assert.Equal("PluginHostOptions." + limit, error.Limit);
        Assert.True(error.Actual > error.Maximum);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Equal(0, host.ModuleCacheStatistics.Compilations);
    }

    [Fact]
    public async Task A_module_whose_sections_cannot_be_walked_is_refused_as_invalid()
    {
        await using var host = new PluginHost();
        byte[] module = ProbeModules.Compile(ProbeModules.Module());
        var error = await Assert.ThrowsAsync<PluginLoadException>(() => host.LoadModuleAsync<IProbePlugin>("cut", module.AsMemory(0, module.Length - 3)));
        Assert.Contains("The module of plugin 'cut' is not a valid WebAssembly module: truncated", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, host.ModuleCacheStatistics.Compilations);
    }

    [Fact]
    public async Task A_load_cancelled_before_compiling_compiles_nothing()
    {
        await using var host = new PluginHost();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => host.LoadModuleAsync<IProbePlugin>("cancelled", ProbeModules.Compile(ProbeModules.Module()), cancellationToken: new CancellationToken(canceled: true)));
        Assert.Equal(0, host.ModuleCacheStatistics.Compilations);
    }
}
