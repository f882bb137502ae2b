using Airlock.Abi;
using Airlock.Wasm;
using Wasmtime;

namespace Airlock.Runtime;

/// <summary>
/// Checks a compiled module against a contract before anything runs: every export the contract calls
/// (with its exact signature), the ABI's own exports, and that every import is provided. The checks
/// themselves are <see cref="ModuleVerifier"/>'s, which the generator also runs at compile time on
/// modules tied to a contract, so the build and the host agree word for word.
/// </summary>
internal static class ContractVerifier
{
    public static IReadOnlyList<string> Verify(ModuleShape module, WasmContract contract, IReadOnlyList<HostImports> provided, WasiPolicy wasi, GuestMemoryLayout layout, string? noImportsReason = null)
    {
        var hosts = new List<HostModuleShape>(provided.Select(p => Shape(p.Module)));
        if (wasi.Functions is { } functions)
        {
            hosts.Add(functions);
        }

        WasmMemoryRegion[] regions = [.. layout.Regions.Select(r => new WasmMemoryRegion(r.Start, r.End, r.Description))];
        return [.. Problems(module, contract, hosts, regions, noImportsReason).Select(p => p.Message)];
    }

    /// <summary>
    /// Every way <paramref name="module"/> does not fit <paramref name="contract"/> when <paramref name="hosts"/> are
    /// linked, with the kind of each problem (which names its AIR1xx diagnostic, <see cref="ModuleDiagnostics"/>): the
    /// checks <see cref="Verify"/> runs at load, for tools that report them without loading (<c>airlock check</c>).
    /// </summary>
    public static IReadOnlyList<ModuleProblem> Problems(ModuleShape module, WasmContract contract, IReadOnlyList<HostModuleShape> hosts, IReadOnlyList<WasmMemoryRegion> regions, string? noImportsReason = null)
    {
        var expectations = new ModuleExpectations(
            contract.Name,
            contract.Abi == WasmAbi.FixedOffset,
            [.. contract.Exports.Select(e => new ExpectedExport(e.Name, Signature(e.Type), e.IsRequired))],
            [.. contract.HostModules.Select(m => m.Name)])
        {
            ResultLengthExport = contract.ResultLengthExport,
            InputOffset = (uint)contract.InputOffset,
            AllowsWasi = contract.AllowsWasi,
            WasmBindgen = contract.Abi == WasmAbi.WasmBindgen,
            AllocExport = contract.AllocExport,
            FreeExport = contract.FreeExport,
            RequiresReactor = contract.RequiresReactor,
            UsesGuestMemory = contract.UsesGuestMemory,
            BindingsHash = contract.BindingsHash,
        };
        return ModuleVerifier.Verify(module, expectations, hosts, regions, noImportsReason);
    }

    /// <summary>A host module as the checks see it.</summary>
    public static HostModuleShape Shape(WasmHostModule module)
        => new(
            module.Name,
            [.. module.Functions.Select(f => new HostFunctionShape(f.Name, Signature(f.Type), module.Abi == WasmAbi.FixedOffset && f.WritesResult))],
            module.Abi == WasmAbi.FixedOffset ? (uint)module.ResultOffset : null);

    /// <summary>The imports and exports of a module Wasmtime compiled.</summary>
    public static ModuleShape ShapeOf(Module module)
    {
        var exports = new List<ModuleItem>();
        foreach (Export export in module.Exports)
        {
            exports.Add(export switch
            {
                FunctionExport function => new ModuleItem(string.Empty, export.Name, WasmExternalKind.Function, Signature(function.Parameters, function.Results), false),
                MemoryExport memory => new ModuleItem(string.Empty, export.Name, WasmExternalKind.Memory, null, memory.Is64Bit),
                TableExport => new ModuleItem(string.Empty, export.Name, WasmExternalKind.Table, null, false),
                _ => new ModuleItem(string.Empty, export.Name, WasmExternalKind.Global, null, false),
            });
        }

        var imports = new List<ModuleItem>();
        foreach (Import import in module.Imports)
        {
            imports.Add(import switch
            {
                FunctionImport function => new ModuleItem(import.ModuleName, import.Name, WasmExternalKind.Function, Signature(function.Parameters, function.Results), false),
                MemoryImport memory => new ModuleItem(import.ModuleName, import.Name, WasmExternalKind.Memory, null, memory.Is64Bit),
                TableImport => new ModuleItem(import.ModuleName, import.Name, WasmExternalKind.Table, null, false),
                _ => new ModuleItem(import.ModuleName, import.Name, WasmExternalKind.Global, null, false),
            });
        }

        return new ModuleShape(exports, imports);
    }

    private static WasmFunctionSignature Signature(WasmFunctionType type)
        => new([.. type.Parameters.Select(Map)], [.. type.Results.Select(Map)]);

    private static WasmFunctionSignature Signature(IReadOnlyList<ValueKind> parameters, IReadOnlyList<ValueKind> results)
        => new([.. parameters.Select(Map)], [.. results.Select(Map)]);

    private static WasmType Map(WasmValueType type) => type switch
    {
        WasmValueType.I32 => WasmType.I32,
        WasmValueType.I64 => WasmType.I64,
        WasmValueType.F32 => WasmType.F32,
        WasmValueType.F64 => WasmType.F64,
        WasmValueType.V128 => WasmType.V128,
        WasmValueType.FuncRef => WasmType.FuncRef,
        _ => WasmType.ExternRef,
    };

    private static WasmType Map(ValueKind kind) => kind switch
    {
        ValueKind.Int32 => WasmType.I32,
        ValueKind.Int64 => WasmType.I64,
        ValueKind.Float32 => WasmType.F32,
        ValueKind.Float64 => WasmType.F64,
        ValueKind.V128 => WasmType.V128,
        ValueKind.FuncRef => WasmType.FuncRef,
        _ => WasmType.ExternRef,
    };
}
