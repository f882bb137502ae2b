namespace Airlock;

/// <summary>
/// A plugin handed the host a pointer and length that do not describe memory it may read: past the end
/// of its linear memory, or larger than the payload limit. The instance is discarded.
/// </summary>
public sealed class GuestMemoryAccessException : PluginCallException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="pluginId">The plugin called.</param>
    /// <param name="export">The export that was running.</param>
    /// <param name="region">What the region was meant to hold, for example <c>result of plugin_init</c>.</param>
    /// <param name="pointer">The pointer the plugin gave.</param>
    /// <param name="length">The length the plugin gave.</param>
    /// <param name="memoryBytes">The size of the plugin's memory.</param>
    /// <param name="limitBytes">The payload limit, when the length exceeded it.</param>
    public GuestMemoryAccessException(string pluginId, string export, string region, uint pointer, uint length, ulong memoryBytes, int? limitBytes = null)
        : base(pluginId, export, Format(pluginId, region, pointer, length, memoryBytes, limitBytes))
    {
        Region = region;
        Pointer = pointer;
        Length = length;
        MemoryBytes = memoryBytes;
        LimitBytes = limitBytes;
    }

    /// <summary>What the region was meant to hold.</summary>
    public string Region { get; }

    /// <summary>The pointer the plugin gave.</summary>
    public uint Pointer { get; }

    /// <summary>The length the plugin gave.</summary>
    public uint Length { get; }

    /// <summary>The size of the plugin's memory.</summary>
    public ulong MemoryBytes { get; }

    /// <summary>The payload limit, when the length exceeded it.</summary>
    public int? LimitBytes { get; }

    private static string Format(string pluginId, string region, uint pointer, uint length, ulong memoryBytes, int? limitBytes)
        => limitBytes is { } limit
            ? $"Plugin '{pluginId}' gave the {region} as {length:N0} bytes at 0x{pointer:x8}, over the payload limit of {limit:N0} bytes."
            : $"Plugin '{pluginId}' gave the {region} as {length:N0} bytes at 0x{pointer:x8}, which ends at 0x{(ulong)pointer + length:x}, past the end of its {memoryBytes:N0}-byte memory.";
}
