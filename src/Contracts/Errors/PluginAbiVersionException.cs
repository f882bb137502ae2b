namespace Airlock;

/// <summary>A plugin reports an ABI version the host does not speak.</summary>
public sealed class PluginAbiVersionException : PluginLoadException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="pluginId">The plugin concerned.</param>
    /// <param name="expected">The version the host speaks.</param>
    /// <param name="actual">The version the plugin reported.</param>
    /// <param name="source">Where the plugin reported it, for example <c>plugin_init</c>.</param>
    public PluginAbiVersionException(string? pluginId, int expected, int? actual, string source)
        : base(pluginId, actual is null
            ? $"Plugin '{pluginId}' reports no abi_version in {source}; this host speaks ABI version {expected}."
            : $"Plugin '{pluginId}' reports abi_version {actual} in {source}; this host speaks ABI version {expected} only.")
    {
        Expected = expected;
        Actual = actual;
        ReportedBy = source;
    }

    /// <summary>The version the host speaks.</summary>
    public int Expected { get; }

    /// <summary>The version the plugin reported, or <see langword="null"/> when it reported none.</summary>
    public int? Actual { get; }

    /// <summary>Where the plugin reported it.</summary>
    public string ReportedBy { get; }
}
