namespace Airlock.Abi;

/// <summary>A module of host functions, as declared by a <see cref="WasmHostAttribute"/> interface.</summary>
/// <param name="Name">The import module's name.</param>
/// <param name="Functions">The functions it provides.</param>
public sealed record WasmHostModule(string Name, IReadOnlyList<WasmImportDescriptor> Functions);
