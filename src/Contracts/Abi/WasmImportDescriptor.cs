namespace Airlock.Abi;

/// <summary>A function a host module provides.</summary>
/// <param name="Name">The function's name within its module.</param>
/// <param name="Type">The function's signature.</param>
public sealed record WasmImportDescriptor(string Name, WasmFunctionType Type);
