using Airlock.Runtime;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Airlock.Auditing;

/// <summary>
/// An audit log in a SQLite database (WAL, synchronous commits), bounded per plugin and written in batches (see
/// <see cref="BatchingAuditLog"/>); every record written is also logged.
/// </summary>
public sealed class SqliteAuditLog : BatchingAuditLog
{
    private const string Columns = "timestamp_ticks, plugin_id, plugin_version, action, target, allowed, detail, count, last_timestamp_ticks, last_target";

    private readonly SqliteConnection _connection;

    /// <summary>Opens (and creates, if needed) the audit database at <paramref name="path"/> with the default <see cref="AuditLogOptions"/>.</summary>
    /// <param name="path">The database file.</param>
    /// <param name="logger">Where records are also logged; <see langword="null"/> for nowhere.</param>
    public SqliteAuditLog(string path, ILogger? logger = null)
        : this(path, new AuditLogOptions(), logger)
    {
    }

    /// <summary>Opens (and creates, if needed) the audit database at <paramref name="path"/>.</summary>
    /// <param name="path">The database file.</param>
    /// <param name="options">Aggregation, the per-plugin budget and batching.</param>
    /// <param name="logger">Where records are also logged; <see langword="null"/> for nowhere.</param>
    /// <param name="timeProvider">The clock of aggregation and budget windows and of the background writer; <see langword="null"/> for the system clock.</param>
    public SqliteAuditLog(string path, AuditLogOptions options, ILogger? logger = null, TimeProvider? timeProvider = null)
        : base(options, logger, timeProvider)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _connection = DurableSqlite.Open(path, """
            CREATE TABLE IF NOT EXISTS audit_log (
                id INTEGER PRIMARY KEY,
                timestamp_ticks INTEGER NOT NULL,
                plugin_id TEXT NOT NULL,
                plugin_version TEXT NOT NULL,
                action TEXT NOT NULL,
                target TEXT NOT NULL,
                allowed INTEGER NOT NULL,
                detail TEXT,
                count INTEGER NOT NULL DEFAULT 1,
                last_timestamp_ticks INTEGER,
                last_target TEXT);
            CREATE INDEX IF NOT EXISTS audit_log_by_plugin ON audit_log (plugin_id, timestamp_ticks);
            CREATE INDEX IF NOT EXISTS audit_log_by_time ON audit_log (timestamp_ticks);
            """);
        try
        {
            AddMissingColumns();
        }
        catch
        {
            _connection.Dispose();
            throw;
        }

        StartWriter();
    }

    /// <inheritdoc/>
    protected override IReadOnlyList<AuditEntry> ReadEntries(string? pluginId, long fromTicks, long toTicks)
    {
        using SqliteCommand query = _connection.CreateCommand();
        query.CommandText = $"""
            SELECT {Columns} FROM audit_log
            WHERE ($p IS NULL OR plugin_id = $p) AND timestamp_ticks >= $from AND timestamp_ticks < $to
            ORDER BY timestamp_ticks, id
            """;
        query.Parameters.AddWithValue("$p", (object?)pluginId ?? DBNull.Value);
        query.Parameters.AddWithValue("$from", fromTicks);
        query.Parameters.AddWithValue("$to", toTicks);
        return Read(query);
    }

    /// <inheritdoc/>
    /// <remarks>Filters, counts and pages in the database.</remarks>
    protected override AuditPage SearchEntries(AuditQuery query)
    {
        using SqliteCommand command = _connection.CreateCommand();

        // The action filter matches the action itself or its sub-actions ("approval" and "approval.revoke")
        // by comparing a prefix, so no LIKE wildcard in the filter text can widen it.
        const string Where = """
            WHERE ($p IS NULL OR plugin_id = $p) AND timestamp_ticks >= $from AND timestamp_ticks < $to
              AND ($a IS NULL OR action = $a OR substr(action, 1, length($a) + 1) = $a || '.')
              AND ($allowed IS NULL OR allowed = $allowed)
            """;
        command.Parameters.AddWithValue("$p", (object?)query.SanitizedPluginId ?? DBNull.Value);
        command.Parameters.AddWithValue("$from", query.From?.UtcTicks ?? long.MinValue);
        command.Parameters.AddWithValue("$to", query.To?.UtcTicks ?? long.MaxValue);
        command.Parameters.AddWithValue("$a", (object?)query.Action ?? DBNull.Value);
        command.Parameters.AddWithValue("$allowed", query.Allowed is { } allowed ? (allowed ? 1 : 0) : DBNull.Value);
        command.CommandText = "SELECT COUNT(*) FROM audit_log " + Where;
        long total = (long)command.ExecuteScalar()!;
        command.CommandText = $"SELECT {Columns} FROM audit_log {Where} ORDER BY timestamp_ticks DESC, id DESC LIMIT $take OFFSET $skip";
        command.Parameters.AddWithValue("$take", query.Take);
        command.Parameters.AddWithValue("$skip", query.Skip);
        return new AuditPage(Read(command), total);
    }

    private static List<AuditEntry> Read(SqliteCommand query)
    {
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
                reader.IsDBNull(6) ? null : reader.GetString(6))
            {
                Count = Math.Max(1, reader.GetInt64(7)),
                LastTimestamp = reader.IsDBNull(8) ? null : new DateTimeOffset(reader.GetInt64(8), TimeSpan.Zero),
                LastTarget = reader.IsDBNull(9) ? null : reader.GetString(9),
            });
        }

        return entries;
    }

    /// <inheritdoc/>
    protected override void WriteBatch(IReadOnlyList<AuditEntry> batch)
    {
        using SqliteTransaction transaction = _connection.BeginTransaction();
        using SqliteCommand insert = _connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = $"INSERT INTO audit_log ({Columns}) VALUES ($t, $p, $v, $a, $g, $ok, $d, $n, $lt, $lg)";
        SqliteParameter timestamp = insert.Parameters.Add("$t", SqliteType.Integer);
        SqliteParameter plugin = insert.Parameters.Add("$p", SqliteType.Text);
        SqliteParameter version = insert.Parameters.Add("$v", SqliteType.Text);
        SqliteParameter action = insert.Parameters.Add("$a", SqliteType.Text);
        SqliteParameter target = insert.Parameters.Add("$g", SqliteType.Text);
        SqliteParameter allowed = insert.Parameters.Add("$ok", SqliteType.Integer);
        SqliteParameter detail = insert.Parameters.Add("$d", SqliteType.Text);
        SqliteParameter count = insert.Parameters.Add("$n", SqliteType.Integer);
        SqliteParameter lastTimestamp = insert.Parameters.Add("$lt", SqliteType.Integer);
        SqliteParameter lastTarget = insert.Parameters.Add("$lg", SqliteType.Text);
        insert.Prepare();
        foreach (AuditEntry entry in batch)
        {
            timestamp.Value = entry.Timestamp.UtcTicks;
            plugin.Value = entry.PluginId;
            version.Value = entry.PluginVersion;
            action.Value = entry.Action;
            target.Value = entry.Target;
            allowed.Value = entry.Allowed ? 1 : 0;
            detail.Value = (object?)entry.Detail ?? DBNull.Value;
            count.Value = entry.Count;
            lastTimestamp.Value = (object?)entry.LastTimestamp?.UtcTicks ?? DBNull.Value;
            lastTarget.Value = (object?)entry.LastTarget ?? DBNull.Value;
            insert.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    /// <inheritdoc/>
    protected override bool IsWriteFailure(Exception exception) => exception is SqliteException or IOException;

    /// <inheritdoc/>
    protected override void CloseStorage() => _connection.Dispose();

    // Audit databases created before records carried counts get the new columns.
    private void AddMissingColumns()
    {
        var present = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        using (SqliteCommand columns = _connection.CreateCommand())
        {
            columns.CommandText = "SELECT name FROM pragma_table_info('audit_log')";
            using SqliteDataReader reader = columns.ExecuteReader();
            while (reader.Read())
            {
                present.Add(reader.GetString(0));
            }
        }

        foreach ((string name, string definition) in new[] { ("count", "INTEGER NOT NULL DEFAULT 1"), ("last_timestamp_ticks", "INTEGER"), ("last_target", "TEXT") })
        {
            if (!present.Contains(name))
            {
                using SqliteCommand alter = _connection.CreateCommand();
                alter.CommandText = $"ALTER TABLE audit_log ADD COLUMN {name} {definition}";
                alter.ExecuteNonQuery();
            }
        }
    }
}
