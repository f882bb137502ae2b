namespace Airlock;

/// <summary>One frame of a wasm backtrace.</summary>
/// <param name="FunctionName">The function's name from the module's name section, when it has one.</param>
/// <param name="FunctionIndex">The function's index, when the name is unknown.</param>
/// <param name="ModuleOffset">The byte offset of the instruction within the module.</param>
public sealed record WasmFrame(string? FunctionName, int? FunctionIndex, ulong ModuleOffset)
{
    /// <inheritdoc/>
    public override string ToString()
        => FunctionName is not null
            ? $"{FunctionName} (module offset 0x{ModuleOffset:x})"
            : FunctionIndex is { } index ? $"wasm function {index} (module offset 0x{ModuleOffset:x})" : $"module offset 0x{ModuleOffset:x}";
}
