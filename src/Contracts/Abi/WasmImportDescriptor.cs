namespace Airlock.Abi;

/// <summary>A function a host module provides.</summary>
/// <param name="Name">The function's name within its module.</param>
/// <param name="Type">The function's signature.</param>
public sealed record WasmImportDescriptor(string Name, WasmFunctionType Type)
{
    /// <summary>
    /// Whether a call may write a result at the host module's <see cref="WasmHostModule.ResultOffset"/>
    /// (<see cref="WasmAbi.FixedOffset"/> modules only; other ABIs ignore it). A plugin that imports
    /// none of these functions never has anything written there, so that offset may lie in its
    /// memory. By default, whether the function returns a value; generated descriptors say
    /// <see langword="false"/> for a function whose result is a scalar.
    /// </summary>
    public bool WritesResult { get; init; } = Type is { Results.Count: > 0 };
}
