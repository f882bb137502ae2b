using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Airlock.Auditing;

/// <summary>
/// An audit log in a SQLite database (WAL, synchronous writes): an entry is on disk when
/// <see cref="Record"/> returns, and every entry is also logged.
/// </summary>
public sealed partial class SqliteAuditLog : IAuditLog, IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();

    /// <summary>Opens (and creates, if needed) the audit database at <paramref name="path"/>.</summary>
    /// <param name="path">The database file.</param>
    /// <param name="logger">Where entries are also logged; <see langword="null"/> for nowhere.</param>
    public SqliteAuditLog(string path, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _logger = logger ?? NullLogger.Instance;
        _connection = Runtime.DurableSqlite.Open(path, """
            CREATE TABLE IF NOT EXISTS audit_log (
                id INTEGER PRIMARY KEY,
                timestamp_ticks INTEGER NOT NULL,
                plugin_id TEXT NOT NULL,
                plugin_version TEXT NOT NULL,
                action TEXT NOT NULL,
                target TEXT NOT NULL,
                allowed INTEGER NOT NULL,
                detail TEXT);
            CREATE INDEX IF NOT EXISTS audit_log_by_plugin ON audit_log (plugin_id, timestamp_ticks);
            CREATE INDEX IF NOT EXISTS audit_log_by_time ON audit_log (timestamp_ticks);
            """);
    }

    /// <inheritdoc/>
    public void Record(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_gate)
        {
            using SqliteCommand insert = _connection.CreateCommand();
            insert.CommandText = "INSERT INTO audit_log (timestamp_ticks, plugin_id, plugin_version, action, target, allowed, detail) VALUES ($t, $p, $v, $a, $g, $ok, $d)";
            insert.Parameters.AddWithValue("$t", entry.Timestamp.UtcTicks);
            insert.Parameters.AddWithValue("$p", entry.PluginId);
            insert.Parameters.AddWithValue("$v", entry.PluginVersion);
            insert.Parameters.AddWithValue("$a", entry.Action);
            insert.Parameters.AddWithValue("$g", entry.Target);
            insert.Parameters.AddWithValue("$ok", entry.Allowed ? 1 : 0);
            insert.Parameters.AddWithValue("$d", (object?)entry.Detail ?? DBNull.Value);
            insert.ExecuteNonQuery();
        }

        Log(_logger, entry.PluginId, entry.PluginVersion, entry.Action, entry.Target, entry.Allowed ? "allowed" : "denied", entry.Detail ?? string.Empty);
    }

    /// <inheritdoc/>
    public IReadOnlyList<AuditEntry> Query(string? pluginId = null, DateTimeOffset? from = null, DateTimeOffset? to = null)
    {
        lock (_gate)
        {
            using SqliteCommand query = _connection.CreateCommand();
            query.CommandText = """
                SELECT timestamp_ticks, plugin_id, plugin_version, action, target, allowed, detail FROM audit_log
                WHERE ($p IS NULL OR plugin_id = $p) AND timestamp_ticks >= $from AND timestamp_ticks < $to
                ORDER BY timestamp_ticks, id
                """;
            query.Parameters.AddWithValue("$p", (object?)pluginId ?? DBNull.Value);
            query.Parameters.AddWithValue("$from", from?.UtcTicks ?? long.MinValue);
            query.Parameters.AddWithValue("$to", to?.UtcTicks ?? long.MaxValue);
            var entries = new List<AuditEntry>();
            using SqliteDataReader reader = query.ExecuteReader();
            while (reader.Read())
            {
                entries.Add(new AuditEntry(
                    new DateTimeOffset(reader.GetInt64(0), TimeSpan.Zero),
                    reader.GetString(1),
                    reader.GetString(2),
                    reader.GetString(3),
                    reader.GetString(4),
                    reader.GetInt64(5) != 0,
                    reader.IsDBNull(6) ? null : reader.GetString(6)));
            }

            return entries;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_gate)
        {
            _connection.Dispose();
        }
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Audit: plugin {PluginId} {PluginVersion} {Action} {Target}: {Outcome} {Detail}")]
    private static partial void Log(ILogger logger, string pluginId, string pluginVersion, string action, string target, string outcome, string detail);
}
