using Microsoft.Data.Sqlite;

namespace Airlock.Security;

/// <summary>
/// Approvals in a SQLite database (WAL, synchronous writes), keyed by plugin id, version, permission
/// set and module SHA-256.
/// </summary>
/// <remarks>
/// A database written before approvals were bound to modules is migrated when opened: its approvals
/// are kept with an empty module hash, which matches no module, so each of those plugins is put to the
/// policy again the next time it loads (the earlier approval is shown as <see cref="ApprovalRequest.Previous"/>,
/// and a policy may carry it over). An old approval never approves bytes nobody looked at.
/// </remarks>
public sealed class SqliteApprovalStore : IApprovalStore, IDisposable
{
    private const string Columns = "plugin_id, version, fingerprint, module_sha256, carried_over_from, approved_at_ticks, approved_by";

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS approvals (
            plugin_id TEXT NOT NULL,
            version TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            module_sha256 TEXT NOT NULL,
            carried_over_from TEXT,
            approved_at_ticks INTEGER NOT NULL,
            approved_by TEXT NOT NULL,
            PRIMARY KEY (plugin_id, version, fingerprint, module_sha256));
        """;

    // Before approvals named their module the key was (plugin_id, version, fingerprint); SQLite cannot
    // change a primary key in place, so the table is rebuilt, in one transaction.
    private const string Migration = """
        BEGIN IMMEDIATE;
        ALTER TABLE approvals RENAME TO approvals_before_modules;
        """ + Schema + """

        INSERT INTO approvals (plugin_id, version, fingerprint, module_sha256, carried_over_from, approved_at_ticks, approved_by)
            SELECT plugin_id, version, fingerprint, '', NULL, approved_at_ticks, approved_by FROM approvals_before_modules;
        DROP TABLE approvals_before_modules;
        COMMIT;
        """;

    private readonly SqliteConnection _connection;
    private readonly Lock _gate = new();

    /// <summary>Opens (and creates or migrates, if needed) the approvals database at <paramref name="path"/>.</summary>
    /// <param name="path">The database file.</param>
    public SqliteApprovalStore(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _connection = Runtime.DurableSqlite.Open(path, string.Empty);
        try
        {
            using SqliteCommand setup = _connection.CreateCommand();
            setup.CommandText = "SELECT (SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'approvals'), (SELECT COUNT(*) FROM pragma_table_info('approvals') WHERE name = 'module_sha256')";
            bool legacy;
            using (SqliteDataReader reader = setup.ExecuteReader())
            {
                reader.Read();
                legacy = reader.GetInt64(0) == 1 && reader.GetInt64(1) == 0;
            }

            setup.CommandText = legacy ? Migration : Schema;
            setup.ExecuteNonQuery();
        }
        catch
        {
            _connection.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public ApprovalRecord? Find(string pluginId, string version, string fingerprint, string moduleSha256)
    {
        // An empty hash is what migrated approvals carry: it approves no module.
        if (string.IsNullOrEmpty(moduleSha256))
        {
            return null;
        }

        return Query($"SELECT {Columns} FROM approvals WHERE plugin_id = $p AND version = $v AND fingerprint = $f AND module_sha256 = $m", pluginId, version, fingerprint, moduleSha256.ToLowerInvariant());
    }

    /// <inheritdoc/>
    public ApprovalRecord? Latest(string pluginId)
        => Query($"SELECT {Columns} FROM approvals WHERE plugin_id = $p ORDER BY approved_at_ticks DESC LIMIT 1", pluginId, null, null, null);

    /// <summary>Every stored approval, or every approval of one plugin, newest first: what an administrator reviews.</summary>
    /// <param name="pluginId">The plugin, or <see langword="null"/> for all.</param>
    public IReadOnlyList<ApprovalRecord> List(string? pluginId = null)
    {
        lock (_gate)
        {
            using SqliteCommand command = _connection.CreateCommand();
            command.CommandText = $"SELECT {Columns} FROM approvals WHERE $p IS NULL OR plugin_id = $p ORDER BY approved_at_ticks DESC, plugin_id";
            command.Parameters.AddWithValue("$p", (object?)pluginId ?? DBNull.Value);
            using SqliteDataReader reader = command.ExecuteReader();
            var records = new List<ApprovalRecord>();
            while (reader.Read())
            {
                records.Add(Record(reader));
            }

            return records;
        }
    }

    /// <inheritdoc/>
    public void Save(ApprovalRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (_gate)
        {
            using SqliteCommand command = _connection.CreateCommand();
            command.CommandText = $"INSERT OR REPLACE INTO approvals ({Columns}) VALUES ($p, $v, $f, $m, $c, $t, $b)";
            command.Parameters.AddWithValue("$p", record.PluginId);
            command.Parameters.AddWithValue("$v", record.Version);
            command.Parameters.AddWithValue("$f", record.Fingerprint);
            command.Parameters.AddWithValue("$m", record.ModuleSha256.ToLowerInvariant());
            command.Parameters.AddWithValue("$c", (object?)record.CarriedOverFrom ?? DBNull.Value);
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

    private ApprovalRecord? Query(string sql, string pluginId, string? version, string? fingerprint, string? moduleSha256)
    {
        lock (_gate)
        {
            using SqliteCommand command = _connection.CreateCommand();
            command.CommandText = sql;
            command.Parameters.AddWithValue("$p", pluginId);
            command.Parameters.AddWithValue("$v", (object?)version ?? DBNull.Value);
            command.Parameters.AddWithValue("$f", (object?)fingerprint ?? DBNull.Value);
            command.Parameters.AddWithValue("$m", (object?)moduleSha256 ?? DBNull.Value);
            using SqliteDataReader reader = command.ExecuteReader();
            return reader.Read() ? Record(reader) : null;
        }
    }

    private static ApprovalRecord Record(SqliteDataReader reader)
        => new(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), new DateTimeOffset(reader.GetInt64(5), TimeSpan.Zero), reader.GetString(6))
        {
            CarriedOverFrom = reader.IsDBNull(4) ? null : reader.GetString(4),
        };
}
