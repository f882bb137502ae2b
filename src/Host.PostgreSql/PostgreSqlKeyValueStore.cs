using Airlock.Services;
using Npgsql;
using NpgsqlTypes;

namespace Airlock.PostgreSql;

/// <summary>
/// Plugins' key-value namespaces in the shared PostgreSQL database, with the same limits and keys as the SQLite
/// store: a value written through one instance is read by all. When <see cref="Set"/> or <see cref="Delete"/>
/// returns, the change is committed (PostgreSQL's <c>synchronous_commit</c> decides how durable a commit is; its
/// default flushes the WAL first).
/// </summary>
/// <remarks>
/// Every write takes a transaction-scoped advisory lock on its plugin (<c>pg_advisory_xact_lock</c>), then checks
/// the key-count and byte quotas and writes: writers of one plugin, from any instance, queue on that lock, so
/// together they cannot exceed a quota; writers of different plugins do not wait for each other.
/// </remarks>
public sealed class PostgreSqlKeyValueStore : IPluginKeyValueStore
{
    private const string Store = "key-value store";

    private readonly PostgreSqlPolicyDatabase _database;
    private readonly KeyValueLimits _limits;
    private readonly TimeProvider _time;

    /// <summary>Uses the shared database.</summary>
    /// <param name="database">The instance's connection to the policy database.</param>
    /// <param name="limits">The limits; <see langword="null"/> for <see cref="KeyValueLimits.Default"/>.</param>
    /// <param name="timeProvider">The clock for <c>updated_at</c>; <see langword="null"/> for the system clock.</param>
    public PostgreSqlKeyValueStore(PostgreSqlPolicyDatabase database, KeyValueLimits? limits = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _limits = limits ?? KeyValueLimits.Default;
        _limits.Validate();
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The limits this store enforces.</summary>
    public KeyValueLimits Limits => _limits;

    /// <inheritdoc/>
    /// <exception cref="PolicyStoreUnavailableException">The database cannot be reached.</exception>
    public byte[]? Get(string pluginId, string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(pluginId);
        _limits.CheckKey(key);
        return _database.Run(Store, "read a value", pluginId, connection =>
        {
            using NpgsqlCommand get = Sql.Command(connection, $"SELECT value FROM {_database.Schema}.plugin_kv WHERE plugin_id = $1 AND key = $2", pluginId, key);
            return get.ExecuteScalar() is byte[] value ? value : null;
        });
    }

    /// <inheritdoc/>
    /// <exception cref="PolicyStoreUnavailableException">The database cannot be reached; nothing was acknowledged.</exception>
    public void Set(string pluginId, string key, ReadOnlySpan<byte> value)
    {
        ArgumentException.ThrowIfNullOrEmpty(pluginId);
        int keyBytes = _limits.CheckKey(key);
        _limits.CheckValue(value.Length);
        long size = (long)keyBytes + value.Length;
        byte[] blob = value.ToArray();
        _database.Run(Store, "write a value", pluginId, connection =>
        {
            using NpgsqlTransaction transaction = connection.BeginTransaction();
            using var usage = new NpgsqlBatch(connection, transaction);
            usage.BatchCommands.Add(Sql.Statement("SELECT pg_advisory_xact_lock($1, hashtext($2))", PostgreSqlSchema.KeyValueLockClass, pluginId));
            usage.BatchCommands.Add(Sql.Statement($"SELECT COUNT(*), COALESCE(SUM(size), 0)::BIGINT, MAX(size) FILTER (WHERE key = $2) FROM {_database.Schema}.plugin_kv WHERE plugin_id = $1", pluginId, key));
            long keys;
            long bytes;
            long? previousSize;
            using (NpgsqlDataReader reader = usage.ExecuteReader())
            {
                reader.NextResult();
                reader.Read();
                keys = reader.GetInt64(0);
                bytes = reader.GetInt64(1);
                previousSize = reader.IsDBNull(2) ? null : reader.GetInt64(2);
            }

            _limits.CheckQuota(keys, bytes, previousSize, size);

            using (NpgsqlCommand write = Sql.Command(
                connection,
                $"""
                INSERT INTO {_database.Schema}.plugin_kv (plugin_id, key, size, updated_at, value) VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (plugin_id, key) DO UPDATE SET size = excluded.size, updated_at = excluded.updated_at, value = excluded.value
                """,
                pluginId,
                key,
                size,
                _time.GetUtcNow().UtcTicks,
                blob))
            {
                write.Transaction = transaction;
                write.Parameters[4].NpgsqlDbType = NpgsqlDbType.Bytea;
                write.ExecuteNonQuery();
            }

            transaction.Commit();
            return 0;
        });
    }

    /// <inheritdoc/>
    /// <exception cref="PolicyStoreUnavailableException">The database cannot be reached; nothing was acknowledged.</exception>
    public bool Delete(string pluginId, string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(pluginId);
        _limits.CheckKey(key);
        return _database.Run(Store, "delete a value", pluginId, connection =>
        {
            using NpgsqlCommand delete = Sql.Command(connection, $"DELETE FROM {_database.Schema}.plugin_kv WHERE plugin_id = $1 AND key = $2", pluginId, key);
            return delete.ExecuteNonQuery() > 0;
        });
    }

    /// <inheritdoc/>
    /// <exception cref="PolicyStoreUnavailableException">The database cannot be reached.</exception>
    public IReadOnlyList<string> Keys(string pluginId)
    {
        ArgumentException.ThrowIfNullOrEmpty(pluginId);
        return _database.Run(Store, "list keys", pluginId, connection =>
        {
            using NpgsqlCommand list = Sql.Command(connection, $"SELECT key FROM {_database.Schema}.plugin_kv WHERE plugin_id = $1", pluginId);
            var keys = new List<string>();
            using NpgsqlDataReader reader = list.ExecuteReader();
            while (reader.Read())
            {
                keys.Add(reader.GetString(0));
            }

            keys.Sort(StringComparer.Ordinal);
            return keys;
        });
    }
}
