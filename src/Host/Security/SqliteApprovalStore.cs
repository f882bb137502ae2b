using Microsoft.Data.Sqlite;

namespace Airlock.Security;

/// <summary>Approvals in a SQLite database (WAL, synchronous writes), keyed by plugin id, version and permission set.</summary>
public sealed class SqliteApprovalStore : IApprovalStore, IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly Lock _gate = new();

    /// <summary>Opens (and creates, if needed) the approvals database at <paramref name="path"/>.</summary>
    /// <param name="path">The database file.</param>
    public SqliteApprovalStore(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _connection = Runtime.DurableSqlite.Open(path, """
            CREATE TABLE IF NOT EXISTS approvals (
                plugin_id TEXT NOT NULL,
                version TEXT NOT NULL,
                fingerprint TEXT NOT NULL,
                approved_at_ticks INTEGER NOT NULL,
                approved_by TEXT NOT NULL,
                PRIMARY KEY (plugin_id, version, fingerprint));
            """);
    }

    /// <inheritdoc/>
    public ApprovalRecord? Find(string pluginId, string version, string fingerprint)
        => Query("SELECT plugin_id, version, fingerprint, approved_at_ticks, approved_by FROM approvals WHERE plugin_id = $p AND version = $v AND fingerprint = $f", pluginId, version, fingerprint);

    /// <inheritdoc/>
    public ApprovalRecord? Latest(string pluginId)
        => Query("SELECT plugin_id, version, fingerprint, approved_at_ticks, approved_by FROM approvals WHERE plugin_id = $p ORDER BY approved_at_ticks DESC LIMIT 1", pluginId, null, null);

    /// <inheritdoc/>
    public void Save(ApprovalRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (_gate)
        {
            using SqliteCommand command = _connection.CreateCommand();
            command.CommandText = "INSERT OR REPLACE INTO approvals VALUES ($p, $v, $f, $t, $b)";
            command.Parameters.AddWithValue("$p", record.PluginId);
            command.Parameters.AddWithValue("$v", record.Version);
            command.Parameters.AddWithValue("$f", record.Fingerprint);
            command.Parameters.AddWithValue("$t", record.ApprovedAt.UtcTicks);
            command.Parameters.AddWithValue("$b", record.ApprovedBy);
            command.ExecuteNonQuery();
        }
    }

    /// <inheritdoc/>
    public int Revoke(string pluginId)
    {
        lock (_gate)
        {
            using SqliteCommand command = _connection.CreateCommand();
            command.CommandText = "DELETE FROM approvals WHERE plugin_id = $p";
            command.Parameters.AddWithValue("$p", pluginId);
            return command.ExecuteNonQuery();
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

    private ApprovalRecord? Query(string sql, string pluginId, string? version, string? fingerprint)
    {
        lock (_gate)
        {
            using SqliteCommand command = _connection.CreateCommand();
            command.CommandText = sql;
            command.Parameters.AddWithValue("$p", pluginId);
            command.Parameters.AddWithValue("$v", (object?)version ?? DBNull.Value);
            command.Parameters.AddWithValue("$f", (object?)fingerprint ?? DBNull.Value);
            using SqliteDataReader reader = command.ExecuteReader();
            return reader.Read()
                ? new ApprovalRecord(reader.GetString(0), reader.GetString(1), reader.GetString(2), new DateTimeOffset(reader.GetInt64(3), TimeSpan.Zero), reader.GetString(4))
                : null;
        }
    }
}
