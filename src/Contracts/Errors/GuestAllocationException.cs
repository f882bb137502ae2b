namespace Airlock;

/// <summary>The plugin's <c>alloc</c> export failed to provide a buffer the host asked for. The instance is discarded.</summary>
public sealed class GuestAllocationException : PluginCallException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="pluginId">The plugin called.</param>
    /// <param name="export">The export that was running.</param>
    /// <param name="purpose">What the buffer was for.</param>
    /// <param name="requestedBytes">The size requested.</param>
    public GuestAllocationException(string pluginId, string export, string purpose, int requestedBytes)
        : base(pluginId, export, $"Plugin '{pluginId}' returned 0 from alloc({requestedBytes}) for the {purpose}: it could not allocate the buffer.")
    {
        Purpose = purpose;
        RequestedBytes = requestedBytes;
    }

    /// <summary>What the buffer was for.</summary>
    public string Purpose { get; }

    /// <summary>The size requested.</summary>
    public int RequestedBytes { get; }
}
