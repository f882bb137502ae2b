using System.Globalization;
using Airlock.Runtime;

namespace Airlock.Auditing;

/// <summary>
/// One thing a plugin did or tried to do through the host, allowed or denied; or, when <see cref="Count"/> is more
/// than 1, that many allowed calls of the same action aggregated into one record.
/// </summary>
/// <remarks>
/// An entry sanitises its text itself, whoever creates it: <see cref="PluginId"/>, <see cref="PluginVersion"/>,
/// <see cref="Action"/>, <see cref="Target"/>, <see cref="Detail"/> and <see cref="LastTarget"/> have line breaks and
/// control characters replaced by spaces, bidirectional controls and other format characters and lone surrogates
/// replaced by U+FFFD, and are cut to their limits (<see cref="MaxNameChars"/>, <see cref="MaxTargetChars"/>,
/// <see cref="MaxDetailChars"/>). Plugin-controlled text (a key, a URL, SQL and SQLite's messages quoting it) can
/// therefore never forge or disguise an audit record or the log line written for it.
/// </remarks>
/// <param name="Timestamp">When it happened (for an aggregated record, the first call).</param>
/// <param name="PluginId">The plugin.</param>
/// <param name="PluginVersion">The plugin's version.</param>
/// <param name="Action">What it called, for example <c>lesstruct.http_get</c>.</param>
/// <param name="Target">What it acted on: a URL, a SQL statement, a key; never a secret (for an aggregated record, the first call's).</param>
/// <param name="Allowed">Whether the host let it happen.</param>
/// <param name="Detail">The outcome or the reason for a denial, for example <c>200, 512 bytes</c> (for an aggregated record, the first call's).</param>
public sealed record AuditEntry(
    DateTimeOffset Timestamp,
    string PluginId,
    string PluginVersion,
    string Action,
    string Target,
    bool Allowed,
    string? Detail)
{
    /// <summary>The longest <see cref="PluginId"/>, <see cref="PluginVersion"/> and <see cref="Action"/> kept, in characters.</summary>
    public const int MaxNameChars = 200;

    /// <summary>The longest <see cref="Target"/> and <see cref="LastTarget"/> kept, in characters.</summary>
    public const int MaxTargetChars = 512;

    /// <summary>The longest <see cref="Detail"/> kept, in characters.</summary>
    public const int MaxDetailChars = 2048;

    /// <summary>The plugin, sanitised.</summary>
    public string PluginId { get; init => field = Clean(value, MaxNameChars); } = Clean(PluginId, MaxNameChars);

    /// <summary>The plugin's version, sanitised.</summary>
    public string PluginVersion { get; init => field = Clean(value, MaxNameChars); } = Clean(PluginVersion, MaxNameChars);

    /// <summary>What it called, sanitised.</summary>
    public string Action { get; init => field = Clean(value, MaxNameChars); } = Clean(Action, MaxNameChars);

    /// <summary>What it acted on, sanitised and cut to <see cref="MaxTargetChars"/>.</summary>
    public string Target { get; init => field = Clean(value, MaxTargetChars); } = Clean(Target, MaxTargetChars);

    /// <summary>The outcome or the reason for a denial, sanitised and cut to <see cref="MaxDetailChars"/>.</summary>
    public string? Detail { get; init => field = PluginText.SanitizeOptional(value, MaxDetailChars); } = PluginText.SanitizeOptional(Detail, MaxDetailChars);

    /// <summary>
    /// How many calls this record stands for: 1 for a single call; more when the audit log aggregated repeated allowed
    /// calls of the same action (see <see cref="LastTimestamp"/> and <see cref="LastTarget"/>), or counted calls it
    /// did not record one by one (action <c>audit.suppressed</c>). A denial is always its own record.
    /// </summary>
    public long Count
    {
        get;
        init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Count), value, "An audit record stands for at least one call.");
    } = 1;

    /// <summary>For an aggregated record, when the last call happened; otherwise <see langword="null"/>.</summary>
    public DateTimeOffset? LastTimestamp { get; init; }

    /// <summary>For an aggregated record, the last call's target, sanitised; otherwise <see langword="null"/>.</summary>
    public string? LastTarget { get => field; init => field = PluginText.SanitizeOptional(value, MaxTargetChars); }

    /// <summary>The entry as one line: time, plugin, action, outcome, target and detail, and for an aggregated record its count and last target.</summary>
    public override string ToString()
    {
        string when = Timestamp.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
        string detail = Detail is null ? string.Empty : " (" + Detail + ")";
        string repeated = Count == 1 ? string.Empty : string.Create(CultureInfo.InvariantCulture, $" ×{Count}") + (LastTarget is null ? string.Empty : " … " + LastTarget);
        return $"{when} {PluginId} {PluginVersion} {Action} {(Allowed ? "allowed" : "DENIED")} {Target}{detail}{repeated}";
    }

    private static string Clean(string value, int maxChars)
    {
        ArgumentNullException.ThrowIfNull(value);
        return PluginText.Sanitize(value, maxChars);
    }
}
