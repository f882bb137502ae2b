using System.Collections.Concurrent;
using Airlock.Security;
using Npgsql;

namespace Airlock.PostgreSql;

/// <summary>
/// Approvals in the shared PostgreSQL database: an approval given through one instance is honoured by all, and a
/// revocation stops the plugin on every instance (see <see cref="IsInForce"/>).
/// </summary>
/// <remarks>
/// <see cref="IsInForce"/> runs before a plugin's host calls, so it answers from memory while the instance's
/// revocation listener is connected: an approval read from the database once stays trusted until a revocation of
/// its plugin is notified. <see cref="Revoke"/> notifies in its own transaction, so every listening instance hears
/// of it when it commits (milliseconds on a healthy network). While the listener is down, and after it reconnects,
/// nothing cached is trusted and every check reads the database; a listener that died silently is noticed within
/// <see cref="PostgreSqlStoreOptions.ListenerProbeInterval"/> plus <see cref="PostgreSqlStoreOptions.CommandTimeout"/>.
/// </remarks>
public sealed class PostgreSqlApprovalStore : IApprovalStore
{
    private const string Store = "approvals store";
    private const string Columns = "plugin_id, version, fingerprint, module_sha256, carried_over_from, approved_at_ticks, approved_by";

    private readonly PostgreSqlPolicyDatabase _database;
    private readonly ConcurrentDictionary<(string Plugin, string Version, string Fingerprint, string Module), bool> _inForce = new();

    /// <summary>Uses the shared database.</summary>
    /// <param name="database">The instance's connection to the policy database.</param>
    public PostgreSqlApprovalStore(PostgreSqlPolicyDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _database.Notified += (kind, pluginId) =>
        {
            if (kind == "revoke")
            {
                Forget(pluginId);
            }
        };
        _database.Resynchronise += _inForce.Clear;
    }

    /// <inheritdoc/>
    /// <exception cref="Services.PolicyStoreUnavailableException">The database cannot be reached.</exception>
    public ApprovalRecord? Find(string pluginId, string version, string fingerprint, string moduleSha256)
    {
        ArgumentNullException.ThrowIfNull(pluginId);
        if (string.IsNullOrEmpty(moduleSha256))
        {
            return null;
        }

        return Query("find an approval", pluginId, $"SELECT {Columns} FROM {_database.Schema}.approvals WHERE plugin_id = $1 AND version = $2 AND fingerprint = $3 AND module_sha256 = $4", pluginId, version, fingerprint, moduleSha256.ToLowerInvariant()).FirstOrDefault();
    }

    /// <inheritdoc/>
    /// <exception cref="Services.PolicyStoreUnavailableException">The database cannot be reached.</exception>
    public ApprovalRecord? Latest(string pluginId)
    {
        ArgumentNullException.ThrowIfNull(pluginId);
        return Query("read the latest approval", pluginId, $"SELECT {Columns} FROM {_database.Schema}.approvals WHERE plugin_id = $1 ORDER BY approved_at_ticks DESC LIMIT 1", pluginId).FirstOrDefault();
    }

    /// <summary>Every stored approval, or every approval of one plugin, newest first.</summary>
    /// <param name="pluginId">The plugin, or <see langword="null"/> for all.</param>
    /// <returns>The approvals.</returns>
    /// <exception cref="Services.PolicyStoreUnavailableException">The database cannot be reached.</exception>
    public IReadOnlyList<ApprovalRecord> List(string? pluginId = null)
        => pluginId is null
            ? Query("list approvals", null, $"SELECT {Columns} FROM {_database.Schema}.approvals ORDER BY approved_at_ticks DESC, plugin_id")
            : Query("list approvals", pluginId, $"SELECT {Columns} FROM {_database.Schema}.approvals WHERE plugin_id = $1 ORDER BY approved_at_ticks DESC", pluginId);

    /// <inheritdoc/>
    /// <remarks>Committed (and announced to the other instances) when this returns.</remarks>
    /// <exception cref="Services.PolicyStoreUnavailableException">The database cannot be reached; nothing was stored.</exception>
    public void Save(ApprovalRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        _database.Run(Store, "store an approval", record.PluginId, connection =>
        {
            using var batch = new NpgsqlBatch(connection);
            batch.BatchCommands.Add(Sql.Statement(
                $"""
                INSERT INTO {_database.Schema}.approvals ({Columns}) VALUES ($1, $2, $3, $4, $5, $6, $7)
                ON CONFLICT (plugin_id, version, fingerprint, module_sha256) DO UPDATE SET
                    carried_over_from = excluded.carried_over_from, approved_at_ticks = excluded.approved_at_ticks, approved_by = excluded.approved_by
                """,
                record.PluginId, record.Version, record.Fingerprint, record.ModuleSha256.ToLowerInvariant(), (object?)record.CarriedOverFrom ?? DBNull.Value, record.ApprovedAt.UtcTicks, record.ApprovedBy));
            batch.BatchCommands.Add(Sql.Statement("SELECT pg_notify($1, $2)", _database.Channel, "approve\t" + record.PluginId));
            batch.ExecuteNonQuery();
            return 0;
        });
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The deletion and the notification to every instance commit together: when this returns, every listening
    /// instance is being told, and the plugin's next host call there is refused.
    /// </remarks>
    /// <exception cref="Services.PolicyStoreUnavailableException">The database cannot be reached; nothing was revoked.</exception>
    public int Revoke(string pluginId)
    {
        ArgumentNullException.ThrowIfNull(pluginId);
        int removed = _database.Run(Store, "revoke approvals", pluginId, connection =>
        {
            using var batch = new NpgsqlBatch(connection);
            batch.BatchCommands.Add(Sql.Statement($"WITH gone AS (DELETE FROM {_database.Schema}.approvals WHERE plugin_id = $1 RETURNING 1) SELECT COUNT(*)::INTEGER FROM gone", pluginId));
            batch.BatchCommands.Add(Sql.Statement("SELECT pg_notify($1, $2)", _database.Channel, "revoke\t" + pluginId));
            using NpgsqlDataReader reader = batch.ExecuteReader();
            reader.Read();
            return reader.GetInt32(0);
        });
        Forget(pluginId);
        return removed;
    }

    /// <inheritdoc/>
    /// <exception cref="Services.PolicyStoreUnavailableException">The listener is down and the database cannot be reached: the call is refused.</exception>
    public bool IsInForce(ApprovalRecord approval)
    {
        ArgumentNullException.ThrowIfNull(approval);
        var key = (approval.PluginId, approval.Version, approval.Fingerprint, approval.ModuleSha256.ToLowerInvariant());
        if (_database.Listening && _inForce.ContainsKey(key))
        {
            return true;
        }

        // Whatever is notified while the database is read must win: cache the answer only if nothing arrived meanwhile.
        long sequence = _database.Sequence;
        bool inForce = Find(approval.PluginId, approval.Version, approval.Fingerprint, approval.ModuleSha256) is not null;
        if (inForce && _database.Listening && _database.Sequence == sequence)
        {
            _inForce[key] = true;
        }

        return inForce;
    }

    private void Forget(string pluginId)
    {
        foreach (var key in _inForce.Keys)
        {
            if (key.Plugin == pluginId)
            {
                _inForce.TryRemove(key, out _);
            }
        }
    }

    private List<ApprovalRecord> Query(string operation, string? pluginId, string sql, params object[] parameters)
        => _database.Run(Store, operation, pluginId, connection =>
        {
            using NpgsqlCommand command = Sql.Command(connection, sql, parameters);
            using NpgsqlDataReader reader = command.ExecuteReader();
            var records = new List<ApprovalRecord>();
            while (reader.Read())
            {
                records.Add(new ApprovalRecord(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), new DateTimeOffset(reader.GetInt64(5), TimeSpan.Zero), reader.GetString(6))
                {
                    CarriedOverFrom = reader.IsDBNull(4) ? null : reader.GetString(4),
                });
            }

            return records;
        });
}
