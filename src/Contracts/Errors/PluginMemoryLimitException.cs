namespace Airlock;

/// <summary>A plugin needed more linear memory than its limit allows. The instance is discarded.</summary>
public sealed class PluginMemoryLimitException : PluginCallException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="pluginId">The plugin called.</param>
    /// <param name="export">The export that was running.</param>
    /// <param name="limitBytes">The memory limit.</param>
    /// <param name="memoryBytes">The memory the instance had when it failed.</param>
    /// <param name="innerException">The trap or allocation failure it caused.</param>
    public PluginMemoryLimitException(string pluginId, string export, long limitBytes, long memoryBytes, Exception? innerException = null)
        : base(pluginId, export, $"Plugin '{pluginId}' reached its memory limit of {limitBytes:N0} bytes in '{export}' (memory is {memoryBytes:N0} bytes).", innerException)
    {
        LimitBytes = limitBytes;
        MemoryBytes = memoryBytes;
    }

    /// <summary>The memory limit.</summary>
    public long LimitBytes { get; }

    /// <summary>The memory the instance had when it failed.</summary>
    public long MemoryBytes { get; }
}
