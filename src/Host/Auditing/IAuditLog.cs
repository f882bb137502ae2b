namespace Airlock.Auditing;

/// <summary>Where the host records what plugins do. Implementations must be thread-safe.</summary>
public interface IAuditLog
{
    /// <summary>
    /// Records <paramref name="entry"/> as a record of its own: a decision of the host about a plugin (an approval)
    /// or a denial. Returns once the entry is as durable as the log promises.
    /// </summary>
    /// <param name="entry">The entry.</param>
    void Record(AuditEntry entry);

    /// <summary>
    /// Records a plugin's call of a host function. A log may aggregate repeated allowed calls into one record with a
    /// count and bound how many records of allowed calls each plugin adds (see <see cref="AuditLogOptions"/>); a
    /// denied call is always recorded on its own, as by <see cref="Record"/>. The default implementation calls
    /// <see cref="Record"/>.
    /// </summary>
    /// <param name="entry">The call.</param>
    void RecordHostCall(AuditEntry entry) => Record(entry);

    /// <summary>Reads back entries, oldest first (an aggregated record by its first call).</summary>
    /// <param name="pluginId">Only this plugin's entries; <see langword="null"/> for all.</param>
    /// <param name="from">Only entries at or after this time.</param>
    /// <param name="to">Only entries before this time.</param>
    IReadOnlyList<AuditEntry> Query(string? pluginId = null, DateTimeOffset? from = null, DateTimeOffset? to = null);

    /// <summary>
    /// Reads one page of the entries that match <paramref name="query"/>, newest first (an aggregated record by its
    /// first call), with how many match in all. The default implementation filters <see cref="Query"/>'s answer;
    /// a log backed by a database should filter and page there.
    /// </summary>
    /// <param name="query">The filters and the page.</param>
    AuditPage Search(AuditQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return query.PageOf(Query(query.PluginId, query.From, query.To));
    }
}
