using Airlock.Abi;
using Wasmtime;

namespace Airlock.Runtime;

/// <summary>
/// Checks a compiled module against a contract before anything runs: every export the contract calls
/// (with its exact signature), the ABI's own exports, and that every import is provided.
/// </summary>
internal static class ContractVerifier
{
    public const string WasiModule = "wasi_snapshot_preview1";

    private static readonly WasmFunctionType AllocType = new([WasmValueType.I32], [WasmValueType.I32]);
    private static readonly WasmFunctionType DeallocType = new([WasmValueType.I32, WasmValueType.I32], []);

    private static readonly WasmFunctionType ResultLengthType = new([WasmValueType.I32], [WasmValueType.I32]);

    public static IReadOnlyList<string> Verify(Module module, WasmContract contract, IReadOnlyList<HostImports> provided, GuestMemoryLayout layout, string? noImportsReason = null)
    {
        var problems = new List<string>();
        var exports = new Dictionary<string, Export>(StringComparer.Ordinal);
        foreach (Export export in module.Exports)
        {
            exports[export.Name] = export;
        }

        string abi = contract.Abi == WasmAbi.FixedOffset ? "the fixed-offset ABI" : "the packed ptr+len ABI";
        if (!exports.TryGetValue("memory", out Export? memory) || memory is not MemoryExport)
        {
            problems.Add($"the module has no 'memory' export; {abi} exchanges data through the exported memory.");
        }
        else if (memory is MemoryExport { Is64Bit: true })
        {
            problems.Add($"the module's 'memory' is a 64-bit memory; {abi} needs a 32-bit memory.");
        }

        if (contract.Abi == WasmAbi.PackedPtrLen)
        {
            CheckFunction(exports, "alloc", AllocType, abi, problems);
            CheckFunction(exports, "dealloc", DeallocType, abi, problems);
        }

        foreach (WasmExportDescriptor export in contract.Exports)
        {
            if (export.IsRequired || exports.ContainsKey(export.Name))
            {
                CheckFunction(exports, export.Name, export.Type, "the contract " + contract.Name, problems);
            }
        }

        if (contract.Abi == WasmAbi.FixedOffset)
        {
            if (contract.ResultLengthExport is { } resultLength && exports.ContainsKey(resultLength))
            {
                CheckFunction(exports, resultLength, ResultLengthType, abi, problems);
            }

            CheckWindow(layout, (uint)contract.InputOffset, "input offset", problems);
        }

        if (exports.TryGetValue("_initialize", out Export? initialize) && (initialize is not FunctionExport start || start.Parameters.Count != 0 || start.Results.Count != 0))
        {
            problems.Add("the module exports '_initialize' but not as a function of type () -> (); Airlock calls it once after instantiation.");
        }

        foreach (Import import in module.Imports)
        {
            if (import.ModuleName == WasiModule)
            {
                continue;
            }

            if (import is not FunctionImport functionImport)
            {
                problems.Add($"the module imports {Describe(import)} '{import.ModuleName}.{import.Name}'; Airlock provides only functions to plugins.");
                continue;
            }

            WasmFunctionType actual = TypeOf(functionImport.Parameters, functionImport.Results);
            HostImports? host = provided.FirstOrDefault(p => p.Module.Name == import.ModuleName);
            if (host is null && noImportsReason is not null)
            {
                problems.Add($"the module imports '{import.ModuleName}.{import.Name}' {actual}, but {noImportsReason}, so it gets no host functions.");
                continue;
            }

            if (host is null)
            {
                WasmHostModule? declared = contract.HostModules.FirstOrDefault(m => m.Name == import.ModuleName);
                problems.Add(declared is null
                    ? $"the module imports '{import.ModuleName}.{import.Name}' {actual}, and no host module '{import.ModuleName}' is provided."
                    : $"the module imports '{import.ModuleName}.{import.Name}' {actual}, but the host functions of module '{import.ModuleName}' were not provided; pass them with PluginLoadOptions.AddImports.");
                continue;
            }

            WasmImportDescriptor? function = host.Module.Functions.FirstOrDefault(f => f.Name == import.Name);
            if (function is null)
            {
                problems.Add($"the module imports '{import.ModuleName}.{import.Name}' {actual}, which module '{import.ModuleName}' does not have (it has {string.Join(", ", host.Module.Functions.Select(f => f.Name))}).");
            }
            else if (!function.Type.Equals(actual))
            {
                problems.Add($"the module imports '{import.ModuleName}.{import.Name}' as {actual}, but the host provides it as {function.Type}.");
            }
        }

        foreach (HostImports host in provided)
        {
            if (host.Module.Abi == WasmAbi.FixedOffset && module.Imports.Any(i => i.ModuleName == host.Module.Name))
            {
                CheckWindow(layout, (uint)host.Module.ResultOffset, $"result offset of host module '{host.Module.Name}'", problems);
            }
        }

        return problems;
    }

    private static void CheckWindow(GuestMemoryLayout layout, uint offset, string what, List<string> problems)
    {
        if (layout.RegionAt(offset) is { } owner)
        {
            problems.Add($"the {what} 0x{offset:x} ({offset}) lies inside the guest's {owner}, so writing there would corrupt the plugin; "
                + "link the module to leave that address free (for C: -Wl,--global-base=1114112, see docs/abi/fixed-offset.md).");
        }
    }

    public static bool ImportsWasi(Module module) => module.Imports.Any(i => i.ModuleName == WasiModule);

    private static void CheckFunction(Dictionary<string, Export> exports, string name, WasmFunctionType expected, string requiredBy, List<string> problems)
    {
        if (!exports.TryGetValue(name, out Export? export))
        {
            problems.Add($"the module has no export '{name}' of type {expected}, which {requiredBy} needs.");
            return;
        }

        if (export is not FunctionExport function)
        {
            problems.Add($"the module's export '{name}' is {Describe(export)}, not a function of type {expected}.");
            return;
        }

        WasmFunctionType actual = TypeOf(function.Parameters, function.Results);
        if (!actual.Equals(expected))
        {
            problems.Add($"the module's export '{name}' has type {actual}; {requiredBy} needs {expected}.");
        }
    }

    private static WasmFunctionType TypeOf(IReadOnlyList<ValueKind> parameters, IReadOnlyList<ValueKind> results)
        => new([.. parameters.Select(Map)], [.. results.Select(Map)]);

    private static WasmValueType Map(ValueKind kind) => kind switch
    {
        ValueKind.Int32 => WasmValueType.I32,
        ValueKind.Int64 => WasmValueType.I64,
        ValueKind.Float32 => WasmValueType.F32,
        ValueKind.Float64 => WasmValueType.F64,
        ValueKind.V128 => WasmValueType.V128,
        ValueKind.FuncRef => WasmValueType.FuncRef,
        _ => WasmValueType.ExternRef,
    };

    private static string Describe(object item) => item switch
    {
        MemoryExport or MemoryImport => "a memory",
        TableExport or TableImport => "a table",
        GlobalExport or GlobalImport => "a global",
        _ => "a function",
    };
}
