namespace Airlock.Abi;

/// <summary>A function a contract needs the plugin to export.</summary>
/// <param name="Name">The export's name.</param>
/// <param name="Type">The export's signature.</param>
public sealed record WasmExportDescriptor(string Name, WasmFunctionType Type);
