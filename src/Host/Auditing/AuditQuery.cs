namespace Airlock.Auditing;

/// <summary>
/// A filtered, paged view of the audit trail, newest first: what an administrator's dashboard or a support tool
/// asks <see cref="IAuditLog.Search"/> for.
/// </summary>
public sealed record AuditQuery
{
    /// <summary>The most entries one page may hold.</summary>
    public const int MaxTake = 1000;

    /// <summary>Only this plugin's entries; <see langword="null"/> for all.</summary>
    public string? PluginId { get; init; }

    /// <summary>Only entries at or after this time; <see langword="null"/> for no lower bound.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Only entries before this time; <see langword="null"/> for no upper bound.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>
    /// Only entries of this action or of its sub-actions: <c>approval</c> matches <c>approval</c> and
    /// <c>approval.revoke</c>, <c>capability</c> matches every <c>capability.*</c> action. <see langword="null"/> for all.
    /// </summary>
    public string? Action { get; init; }

    /// <summary>Only allowed (<see langword="true"/>) or only denied (<see langword="false"/>) entries; <see langword="null"/> for both.</summary>
    public bool? Allowed { get; init; }

    /// <summary>How many matching entries to skip (newest first). Default 0.</summary>
    public int Skip
    {
        get;
        init => field = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(Skip), value, "Cannot skip a negative number of audit entries.");
    }

    /// <summary>How many entries to return at most, 1 to <see cref="MaxTake"/>. Default 50.</summary>
    public int Take
    {
        get;
        init => field = value is >= 1 and <= MaxTake ? value : throw new ArgumentOutOfRangeException(nameof(Take), value, $"A page holds 1 to {MaxTake} audit entries.");
    } = 50;

    /// <summary>Whether <paramref name="entry"/> passes every filter of this query (paging aside).</summary>
    /// <param name="entry">An entry as the log stores it (sanitised).</param>
    public bool Matches(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return (PluginId is null || string.Equals(entry.PluginId, SanitizedPluginId, StringComparison.Ordinal))
            && (From is not { } from || entry.Timestamp >= from)
            && (To is not { } to || entry.Timestamp < to)
            && (Action is null || MatchesAction(entry.Action, Action))
            && (Allowed is not { } allowed || entry.Allowed == allowed);
    }

    /// <summary>This query's page of <paramref name="oldestFirst"/>, filtered here: for logs that cannot filter where they store.</summary>
    internal AuditPage PageOf(IEnumerable<AuditEntry> oldestFirst)
    {
        List<AuditEntry> matching = [.. oldestFirst.Where(Matches)];
        matching.Reverse();
        return new AuditPage([.. matching.Skip(Skip).Take(Take)], matching.Count);
    }

    /// <summary>The plugin filter as entries store ids (sanitised the same way), or <see langword="null"/>.</summary>
    internal string? SanitizedPluginId => Runtime.PluginText.SanitizeOptional(PluginId, AuditEntry.MaxNameChars);

    private static bool MatchesAction(string action, string filter)
        => string.Equals(action, filter, StringComparison.Ordinal)
            || (action.Length > filter.Length && action[filter.Length] == '.' && action.StartsWith(filter, StringComparison.Ordinal));
}

/// <summary>One page of a <see cref="AuditQuery"/>'s answer.</summary>
/// <param name="Entries">The entries of the page, newest first.</param>
/// <param name="Total">How many entries match the query's filters in all pages.</param>
public sealed record AuditPage(IReadOnlyList<AuditEntry> Entries, long Total);
