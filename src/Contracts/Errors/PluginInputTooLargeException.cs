namespace Airlock;

/// <summary>
/// An input did not fit where the fixed-offset ABI writes it: the window from the contract's input
/// offset to the first memory the guest owns (or the plugin's payload limit) is too small. Nothing was
/// written and the plugin did not run.
/// </summary>
public sealed class PluginInputTooLargeException : PluginCallException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="pluginId">The plugin called.</param>
    /// <param name="export">The export the input was for.</param>
    /// <param name="region">What the input is, for example <c>item of hook_before_save</c>.</param>
    /// <param name="length">The input's length in bytes.</param>
    /// <param name="capacity">How many bytes the window holds.</param>
    /// <param name="limit">What ends the window.</param>
    public PluginInputTooLargeException(string pluginId, string export, string region, long length, long capacity, string limit)
        : base(pluginId, export, $"The {region} is {length:N0} bytes, but plugin '{pluginId}' has room for {capacity:N0} bytes there (the window ends at {limit}); nothing was written.")
    {
        Region = region;
        Length = length;
        Capacity = capacity;
        Limit = limit;
    }

    /// <summary>What the input is.</summary>
    public string Region { get; }

    /// <summary>The input's length in bytes.</summary>
    public long Length { get; }

    /// <summary>How many bytes the window holds.</summary>
    public long Capacity { get; }

    /// <summary>What ends the window.</summary>
    public string Limit { get; }
}
