namespace Airlock.Auditing;

/// <summary>Where the host records what plugins do. Implementations must be thread-safe.</summary>
public interface IAuditLog
{
    /// <summary>Records <paramref name="entry"/>. Returns once the entry is as durable as the log promises.</summary>
    /// <param name="entry">The entry.</param>
    void Record(AuditEntry entry);

    /// <summary>Reads back entries, oldest first.</summary>
    /// <param name="pluginId">Only this plugin's entries; <see langword="null"/> for all.</param>
    /// <param name="from">Only entries at or after this time.</param>
    /// <param name="to">Only entries before this time.</param>
    IReadOnlyList<AuditEntry> Query(string? pluginId = null, DateTimeOffset? from = null, DateTimeOffset? to = null);
}
