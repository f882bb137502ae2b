namespace Airlock.Abi;

/// <summary>A function a contract needs the plugin to export.</summary>
/// <param name="Name">The export's name.</param>
/// <param name="Type">The export's signature.</param>
/// <param name="IsRequired">
/// Whether a module without the export is refused. An optional export that is present must still have
/// exactly <paramref name="Type"/>.
/// </param>
public sealed record WasmExportDescriptor(string Name, WasmFunctionType Type, bool IsRequired = true);
