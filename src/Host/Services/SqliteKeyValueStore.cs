using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Airlock.Services;

/// <summary>
/// A <see cref="IPluginKeyValueStore"/> in one SQLite file, in WAL mode with <c>synchronous = FULL</c>: when
/// <see cref="Set"/> or <see cref="Delete"/> returns, the change is committed and the WAL fsynced, so it survives the
/// process being killed (and the machine losing power) at any later moment.
/// </summary>
/// <remarks>
/// <para>
/// Rows live in the table <c>plugin_kv (plugin_id, key, size, updated_at, value)</c> with primary key
/// <c>(plugin_id, key)</c>; <c>size</c> is the entry's key UTF-8 bytes plus value bytes, the unit of the
/// per-plugin quota, and <c>updated_at</c> is UTC ticks from the store's <see cref="TimeProvider"/>.
/// </para>
/// <para>
/// Every write runs in one <c>BEGIN IMMEDIATE</c> transaction that checks the key-count and byte quotas and writes,
/// so concurrent writers (threads here, or other processes on the same file) cannot together exceed a quota.
/// </para>
/// <para>
/// The store holds a single connection (pooling off) and serializes calls on it with a lock. SQLite admits one
/// writer at a time anyway and every write waits on an fsync, so per-call connections would buy only concurrent
/// reads while costing an open, the pragmas and WAL-index setup per call; one connection also keeps the file's
/// locking simple and matches <see cref="Auditing.SqliteAuditLog"/>.
/// </para>
/// </remarks>
public sealed class SqliteKeyValueStore : IPluginKeyValueStore, IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly KeyValueLimits _limits;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private bool _disposed;

    /// <summary>Opens (and creates, if needed) the store at <paramref name="path"/>.</summary>
    /// <param name="path">The database file.</param>
    /// <param name="limits">The limits; <see langword="null"/> for <see cref="KeyValueLimits.Default"/>.</param>
    /// <param name="timeProvider">The clock for <c>updated_at</c>; <see langword="null"/> for the system clock.</param>
    public SqliteKeyValueStore(string path, KeyValueLimits? limits = null, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _limits = limits ?? KeyValueLimits.Default;
        _limits.Validate();
        _time = timeProvider ?? TimeProvider.System;
        _connection = Runtime.DurableSqlite.Open(path, """
            CREATE TABLE IF NOT EXISTS plugin_kv (
                plugin_id TEXT NOT NULL,
                key TEXT NOT NULL,
                size INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                value BLOB NOT NULL,
                PRIMARY KEY (plugin_id, key));
            """);
    }

    /// <summary>The limits this store enforces.</summary>
    public KeyValueLimits Limits => _limits;

    /// <inheritdoc/>
    public byte[]? Get(string pluginId, string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(pluginId);
        ValidateKey(key);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using SqliteCommand get = _connection.CreateCommand();
            get.CommandText = "SELECT value FROM plugin_kv WHERE plugin_id = $p AND key = $k";
            get.Parameters.AddWithValue("$p", pluginId);
            get.Parameters.AddWithValue("$k", key);
            using SqliteDataReader reader = get.ExecuteReader();
            if (!reader.Read())
            {
                return null;
            }

            return reader.IsDBNull(0) ? [] : reader.GetFieldValue<byte[]>(0);
        }
    }

    /// <inheritdoc/>
    public void Set(string pluginId, string key, ReadOnlySpan<byte> value)
    {
        ArgumentException.ThrowIfNullOrEmpty(pluginId);
        int keyBytes = ValidateKey(key);
        _limits.CheckValue(value.Length);

        long size = (long)keyBytes + value.Length;
        byte[] blob = value.ToArray();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using SqliteTransaction transaction = _connection.BeginTransaction(deferred: false);

            long? previousSize = null;
            using (SqliteCommand existing = _connection.CreateCommand())
            {
                existing.CommandText = "SELECT size FROM plugin_kv WHERE plugin_id = $p AND key = $k";
                existing.Parameters.AddWithValue("$p", pluginId);
                existing.Parameters.AddWithValue("$k", key);
                if (existing.ExecuteScalar() is long found)
                {
                    previousSize = found;
                }
            }

            long keys;
            long bytes;
            using (SqliteCommand usage = _connection.CreateCommand())
            {
                usage.CommandText = "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM plugin_kv WHERE plugin_id = $p";
                usage.Parameters.AddWithValue("$p", pluginId);
                using SqliteDataReader reader = usage.ExecuteReader();
                reader.Read();
                keys = reader.GetInt64(0);
                bytes = reader.GetInt64(1);
            }

            _limits.CheckQuota(keys, bytes, previousSize, size);

            using (SqliteCommand write = _connection.CreateCommand())
            {
                write.CommandText = """
                    INSERT INTO plugin_kv (plugin_id, key, size, updated_at, value) VALUES ($p, $k, $s, $t, $v)
                    ON CONFLICT (plugin_id, key) DO UPDATE SET size = excluded.size, updated_at = excluded.updated_at, value = excluded.value
                    """;
                write.Parameters.AddWithValue("$p", pluginId);
                write.Parameters.AddWithValue("$k", key);
                write.Parameters.AddWithValue("$s", size);
                write.Parameters.AddWithValue("$t", _time.GetUtcNow().UtcTicks);
                write.Parameters.Add("$v", SqliteType.Blob).Value = blob;
                write.ExecuteNonQuery();
            }

            transaction.Commit();
        }
    }

    /// <inheritdoc/>
    public bool Delete(string pluginId, string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(pluginId);
        ValidateKey(key);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using SqliteCommand delete = _connection.CreateCommand();
            delete.CommandText = "DELETE FROM plugin_kv WHERE plugin_id = $p AND key = $k";
            delete.Parameters.AddWithValue("$p", pluginId);
            delete.Parameters.AddWithValue("$k", key);
            return delete.ExecuteNonQuery() > 0;
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> Keys(string pluginId)
    {
        ArgumentException.ThrowIfNullOrEmpty(pluginId);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using SqliteCommand list = _connection.CreateCommand();
            list.CommandText = "SELECT key FROM plugin_kv WHERE plugin_id = $p ORDER BY key";
            list.Parameters.AddWithValue("$p", pluginId);
            var keys = new List<string>();
            using SqliteDataReader reader = list.ExecuteReader();
            while (reader.Read())
            {
                keys.Add(reader.GetString(0));
            }

            keys.Sort(StringComparer.Ordinal);
            return keys;
        }
    }

    /// <summary>Closes the database. Every acknowledged write is already on disk; nothing needs flushing.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _connection.Dispose();
        }
    }

    /// <summary>Reads a pragma on the store's own connection; for tests.</summary>
    internal string? Pragma(string name)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using SqliteCommand pragma = _connection.CreateCommand();
            pragma.CommandText = "PRAGMA " + name;
            return Convert.ToString(pragma.ExecuteScalar(), CultureInfo.InvariantCulture);
        }
    }

    private int ValidateKey(string key) => _limits.CheckKey(key);
}
