namespace Airlock.Abi;

/// <summary>The result of an operation that returns nothing.</summary>
public readonly record struct WasmVoid;
