using Wasmtime;

namespace Airlock;

/// <summary>The plugin trapped: it executed <c>unreachable</c>, accessed memory out of bounds, overflowed its stack, or similar. The instance is discarded.</summary>
public sealed class PluginTrapException : PluginCallException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="pluginId">The plugin called.</param>
    /// <param name="export">The export that was running.</param>
    /// <param name="trapCode">Wasmtime's classification of the trap, when it gave one.</param>
    /// <param name="backtrace">The wasm frames at the trap, innermost first.</param>
    /// <param name="innerException">The Wasmtime exception.</param>
    public PluginTrapException(string pluginId, string export, TrapCode? trapCode, IReadOnlyList<WasmFrame> backtrace, Exception? innerException = null)
        : base(pluginId, export, Format(pluginId, export, trapCode, backtrace, innerException), innerException)
    {
        TrapCode = trapCode;
        Backtrace = backtrace;
    }

    /// <summary>Wasmtime's classification of the trap, when it gave one.</summary>
    public TrapCode? TrapCode { get; }

    /// <summary>The wasm frames at the trap, innermost first.</summary>
    public IReadOnlyList<WasmFrame> Backtrace { get; }

    private static string Format(string pluginId, string export, TrapCode? trapCode, IReadOnlyList<WasmFrame> backtrace, Exception? inner)
    {
        ArgumentNullException.ThrowIfNull(backtrace);
        string cause = trapCode is { } code and not Wasmtime.TrapCode.Undefined ? code.ToString() : FirstCause(inner);
        string frames = backtrace.Count == 0 ? string.Empty : Environment.NewLine + string.Join(Environment.NewLine, backtrace.Select(static f => "   at " + f));
        return $"Plugin '{pluginId}' trapped in '{export}': {cause}.{frames}";
    }

    private static string FirstCause(Exception? inner)
    {
        // Wasmtime's message is "error while executing at wasm backtrace: ... Caused by: <cause>".
        string? message = inner?.Message;
        if (string.IsNullOrEmpty(message))
        {
            return "trap";
        }

        int caused = message.LastIndexOf("Caused by:", StringComparison.Ordinal);
        return (caused >= 0 ? message[(caused + "Caused by:".Length)..] : message).Trim();
    }
}
