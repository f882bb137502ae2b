using Airlock.Generators.Diagnostics;
using Airlock.Generators.Infrastructure;
using Airlock.Wasm;

namespace Airlock.Generators.Model;

/// <summary>An export a contract binds, as the module checks need it.</summary>
/// <param name="ExportName">The wasm export's name.</param>
/// <param name="MethodName">The contract method bound to it.</param>
/// <param name="Signature">The wasm type the contract's ABI gives it.</param>
/// <param name="IsRequired">Whether a module without it is refused.</param>
/// <param name="Location">The method's declaration, when it is in source.</param>
internal sealed record CheckedExport(string ExportName, string MethodName, WasmFunctionSignature Signature, bool IsRequired, LocationInfo? Location);

/// <summary>A host module a contract declares.</summary>
/// <param name="Name">The wasm module name.</param>
/// <param name="Functions">Its functions, or null when its interface cannot be bound (then imports from it are not checked).</param>
/// <param name="ResultOffset">Where a fixed-offset host module writes results; null for other ABIs.</param>
/// <param name="Unbound">When <paramref name="Functions"/> is null: the interface and why it cannot be bound.</param>
internal sealed record CheckedHostModule(string Name, ImmutableEquatableArray<HostFunctionShape>? Functions, uint? ResultOffset, string? Unbound = null);

/// <summary>Everything needed to check a module against a <c>[WasmPlugin]</c> contract. Holds no symbols.</summary>
/// <param name="Name">The contract's name as the host spells it (namespace-qualified).</param>
/// <param name="Location">The interface's declaration, when it is in source.</param>
/// <param name="ModulePath">The module the contract names with <c>Module = "..."</c>, if any.</param>
/// <param name="FixedOffset">Whether the contract uses the fixed-offset ABI (otherwise packed ptr+len).</param>
/// <param name="InputOffset">The fixed-offset input offset.</param>
/// <param name="ResultLengthExport">The fixed-offset result-length export.</param>
/// <param name="AllowsWasi">Whether a module may import WASI.</param>
/// <param name="Exports">The exports the contract binds.</param>
/// <param name="HostModules">The host modules the contract declares.</param>
/// <param name="Unbound">Why the contract cannot be bound, or null; when set, nothing is checked against it.</param>
/// <param name="WasmBindgen">Whether the contract uses the wasm-bindgen ABI.</param>
internal sealed record ContractCheckSpec(
    string Name,
    LocationInfo? Location,
    string? ModulePath,
    bool FixedOffset,
    uint InputOffset,
    string ResultLengthExport,
    bool AllowsWasi,
    ImmutableEquatableArray<CheckedExport> Exports,
    ImmutableEquatableArray<CheckedHostModule> HostModules,
    string? Unbound = null,
    bool WasmBindgen = false)
{
    /// <summary>The packed ABI's allocator export.</summary>
    public string AllocExport { get; init; } = PackedAbiExports.DefaultAlloc;

    /// <summary>The packed ABI's deallocator export.</summary>
    public string FreeExport { get; init; } = PackedAbiExports.DefaultFree;

    /// <summary>Whether payloads cross through guest memory (see <c>ContractSpec.UsesGuestMemory</c>).</summary>
    public bool UsesGuestMemory { get; init; } = true;

    /// <summary>The contract's wire hash, which a module built on its guest bindings must carry (see <c>ContractSpec.WireHash</c>).</summary>
    public string? BindingsHash { get; init; }
}

/// <summary>What the generator takes from a <c>[WasmPlugin]</c> interface: the bindings to emit (null when it cannot be bound) and the module checks.</summary>
internal sealed record PluginModel(ContractSpec? Spec, ContractCheckSpec Check);

/// <summary>A plugin module read from an <c>AdditionalFiles</c> item: its imports, exports and guest memory, or why it cannot be read.</summary>
internal sealed record ModuleSummary(
    string Path,
    string? Error,
    ImmutableEquatableArray<ModuleItem> Exports,
    ImmutableEquatableArray<ModuleItem> Imports,
    ImmutableEquatableArray<WasmMemoryRegion> GuestRegions)
{
    /// <summary>The names of the module's custom sections (generated bindings stamp their contract and wire hash in one).</summary>
    public ImmutableEquatableArray<string> CustomSections { get; init; } = ImmutableEquatableArray<string>.Empty;
}

/// <summary>An <c>AdditionalFiles</c> module tied to a contract by its <c>AirlockContract</c> metadata.</summary>
internal sealed record ModuleTie(string Path, string Contract);

/// <summary>A <see cref="ModuleTie"/> with its contract resolved (<paramref name="Check"/>), or the reason no contract is found (<paramref name="Error"/>).</summary>
internal sealed record ResolvedTie(ModuleTie Tie, ContractCheckSpec? Check, string? Error);
