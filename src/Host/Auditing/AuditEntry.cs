namespace Airlock.Auditing;

/// <summary>One thing a plugin did or tried to do through the host, allowed or denied.</summary>
/// <param name="Timestamp">When it happened.</param>
/// <param name="PluginId">The plugin.</param>
/// <param name="PluginVersion">The plugin's version.</param>
/// <param name="Action">What it called, for example <c>lesstruct.http_get</c>.</param>
/// <param name="Target">What it acted on: a URL, a SQL statement, a key; never a secret.</param>
/// <param name="Allowed">Whether the host let it happen.</param>
/// <param name="Detail">The outcome or the reason for a denial, for example <c>200, 512 bytes</c>.</param>
public sealed record AuditEntry(
    DateTimeOffset Timestamp,
    string PluginId,
    string PluginVersion,
    string Action,
    string Target,
    bool Allowed,
    string? Detail)
{
    /// <summary>The entry as one line: time, plugin, action, outcome, target and detail.</summary>
    public override string ToString()
    {
        string when = Timestamp.ToString("HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture);
        string detail = Detail is null ? string.Empty : " (" + Detail + ")";
        return $"{when} {PluginId} {PluginVersion} {Action} {(Allowed ? "allowed" : "DENIED")} {Target}{detail}";
    }
}
