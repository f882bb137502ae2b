namespace Airlock;

/// <summary>
/// A plugin returned bytes that are not what the contract says: invalid UTF-8, malformed JSON, JSON
/// of the wrong shape, or a response without the required envelope. The instance is kept.
/// </summary>
public sealed class MalformedResponseException : PluginCallException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="pluginId">The plugin called.</param>
    /// <param name="export">The export that was running.</param>
    /// <param name="region">What the bytes were meant to be, for example <c>result of plugin_init</c>.</param>
    /// <param name="problem">What is wrong with them.</param>
    /// <param name="byteOffset">The offset within the payload where reading stopped, when known.</param>
    /// <param name="jsonPath">The JSON path where reading stopped, when known.</param>
    /// <param name="innerException">The parser's exception, if any.</param>
    public MalformedResponseException(string pluginId, string export, string region, string problem, long? byteOffset = null, string? jsonPath = null, Exception? innerException = null)
        : base(pluginId, export, Format(pluginId, region, problem, byteOffset, jsonPath), innerException)
    {
        Region = region;
        Problem = problem;
        ByteOffset = byteOffset;
        JsonPath = jsonPath;
    }

    /// <summary>What the bytes were meant to be.</summary>
    public string Region { get; }

    /// <summary>What is wrong with them.</summary>
    public string Problem { get; }

    /// <summary>The offset within the payload where reading stopped, when known.</summary>
    public long? ByteOffset { get; }

    /// <summary>The JSON path where reading stopped, when known.</summary>
    public string? JsonPath { get; }

    private static string Format(string pluginId, string region, string problem, long? byteOffset, string? jsonPath)
    {
        string where = (byteOffset, jsonPath) switch
        {
            ({ } offset, { Length: > 0 } path) => $" (at byte {offset}, {path})",
            ({ } offset, _) => $" (at byte {offset})",
            (null, { Length: > 0 } path) => $" (at {path})",
            _ => string.Empty,
        };
        return $"Plugin '{pluginId}' sent a malformed {region}{where}: {problem}";
    }
}
