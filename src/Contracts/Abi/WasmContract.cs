namespace Airlock.Abi;

/// <summary>
/// What a contract requires of a module: its ABI, the exports it calls with their signatures, and the
/// host modules a plugin may import from. Generated for each <see cref="WasmPluginAttribute"/> interface.
/// </summary>
/// <param name="Name">The contract interface's name.</param>
/// <param name="Abi">The ABI payloads cross with.</param>
/// <param name="Exports">The exports the contract calls.</param>
/// <param name="HostModules">The host modules declared by the contract's <see cref="WasmPluginAttribute.Imports"/>.</param>
/// <param name="InputOffset">Where inputs are written, for <see cref="WasmAbi.FixedOffset"/> contracts; 0 otherwise.</param>
/// <param name="ResultLengthExport">The optional result-length export of <see cref="WasmAbi.FixedOffset"/> contracts.</param>
public sealed record WasmContract(
    string Name,
    WasmAbi Abi,
    IReadOnlyList<WasmExportDescriptor> Exports,
    IReadOnlyList<WasmHostModule> HostModules,
    int InputOffset = 0,
    string? ResultLengthExport = null)
{
    /// <summary>Whether a module may import WASI; see <see cref="WasmPluginAttribute.AllowWasi"/>.</summary>
    public bool AllowsWasi { get; init; } = true;

    /// <summary>
    /// Whether payloads cross through guest memory, so the module must export <c>memory</c> and the ABI's allocator.
    /// <see langword="false"/> for a contract whose exports take and return only scalars and that imports no host
    /// functions: its module needs neither.
    /// </summary>
    public bool UsesGuestMemory { get; init; } = true;

    /// <summary>
    /// Whether a WASI command module (one that exports <c>_start</c> and no <c>_initialize</c>) is refused at load, because
    /// the host never runs <c>_start</c>. Set for plugin systems whose modules are reactors by definition (Samuel).
    /// </summary>
    public bool RequiresReactor { get; init; }

    /// <summary>The allocator export of a <see cref="WasmAbi.PackedPtrLen"/> contract; see <see cref="WasmPluginAttribute.AllocExport"/>.</summary>
    public string AllocExport { get; init; } = "alloc";

    /// <summary>The deallocator export of a <see cref="WasmAbi.PackedPtrLen"/> contract; see <see cref="WasmPluginAttribute.FreeExport"/>.</summary>
    public string FreeExport { get; init; } = "dealloc";

    /// <summary>
    /// The contract's wire hash: a hash of everything its payloads, exports and host functions put on the wire. Guest
    /// bindings generated from the contract (<c>airlock bindings</c>) stamp it into the module, and a module stamped with
    /// another hash (built on bindings of another version of the contract) is refused at load and at build time (AIR110).
    /// Null when guest bindings cannot represent the contract; stamps are then not checked.
    /// </summary>
    public string? BindingsHash { get; init; }
}
