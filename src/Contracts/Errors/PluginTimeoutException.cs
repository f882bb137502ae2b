namespace Airlock;

/// <summary>A call ran past its wall-clock deadline and was interrupted. The instance is discarded.</summary>
public sealed class PluginTimeoutException : PluginCallException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="pluginId">The plugin called.</param>
    /// <param name="export">The export that was running.</param>
    /// <param name="timeout">The deadline the call had.</param>
    /// <param name="innerException">The Wasmtime exception.</param>
    public PluginTimeoutException(string pluginId, string export, TimeSpan timeout, Exception? innerException = null)
        : base(pluginId, export, $"Plugin '{pluginId}' did not finish '{export}' within {timeout.TotalMilliseconds:0} ms and was interrupted.", innerException)
    {
        Timeout = timeout;
    }

    /// <summary>The deadline the call had.</summary>
    public TimeSpan Timeout { get; }
}
