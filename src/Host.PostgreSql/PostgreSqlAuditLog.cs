using Airlock.Auditing;
using Airlock.Services;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Airlock.PostgreSql;

/// <summary>
/// The audit log in the shared PostgreSQL database: every instance writes to one trail, bounded per plugin and
/// batched exactly as the SQLite log is (<see cref="BatchingAuditLog"/>). Each batch is one binary <c>COPY</c>,
/// atomic; each record also names the instance that wrote it (machine and process id).
/// </summary>
/// <remarks>
/// Denials and host decisions are committed before <see cref="BatchingAuditLog.Record"/> returns. When the database
/// is unreachable the call throws <see cref="PolicyStoreUnavailableException"/> and the records stay queued in this
/// instance; the background writer writes them when the database is back. <see cref="BatchingAuditLog.Query"/>
/// orders records by their time (each instance's clock) and then by the order they were written.
/// </remarks>
public sealed class PostgreSqlAuditLog : BatchingAuditLog
{
    private const string Columns = "timestamp_ticks, plugin_id, plugin_version, action, target, allowed, detail, count, last_timestamp_ticks, last_target";

    private readonly PostgreSqlPolicyDatabase _database;

    /// <summary>Uses the shared database.</summary>
    /// <param name="database">The instance's connection to the policy database.</param>
    /// <param name="options">Aggregation, the per-plugin budget and batching.</param>
    /// <param name="logger">Where records are also logged; <see langword="null"/> for nowhere.</param>
    /// <param name="timeProvider">The clock of aggregation windows and of the background writer; <see langword="null"/> for the system clock.</param>
    public PostgreSqlAuditLog(PostgreSqlPolicyDatabase database, AuditLogOptions options, ILogger? logger = null, TimeProvider? timeProvider = null)
        : base(options, logger, timeProvider)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        StartWriter();
    }

    /// <inheritdoc/>
    protected override void WriteBatch(IReadOnlyList<AuditEntry> batch)
        => _database.Run("audit log", "write audit records", batch.Count == 1 ? batch[0].PluginId : null, connection =>
        {
            using NpgsqlBinaryImporter copy = connection.BeginBinaryImport($"COPY {_database.Schema}.audit_log ({Columns}, instance) FROM STDIN (FORMAT BINARY)");
            foreach (AuditEntry entry in batch)
            {
                copy.StartRow();
                copy.Write(entry.Timestamp.UtcTicks, NpgsqlDbType.Bigint);
                copy.Write(entry.PluginId, NpgsqlDbType.Text);
                copy.Write(entry.PluginVersion, NpgsqlDbType.Text);
                copy.Write(entry.Action, NpgsqlDbType.Text);
                copy.Write(entry.Target, NpgsqlDbType.Text);
                copy.Write(entry.Allowed, NpgsqlDbType.Boolean);
                WriteOptional(copy, entry.Detail);
                copy.Write(entry.Count, NpgsqlDbType.Bigint);
                if (entry.LastTimestamp is { } last)
                {
                    copy.Write(last.UtcTicks, NpgsqlDbType.Bigint);
                }
                else
                {
                    copy.WriteNull();
                }

                WriteOptional(copy, entry.LastTarget);
                copy.Write(_database.Instance, NpgsqlDbType.Text);
            }

            return copy.Complete();
        });

    /// <inheritdoc/>
    protected override IReadOnlyList<AuditEntry> ReadEntries(string? pluginId, long fromTicks, long toTicks)
        => _database.Run("audit log", "read audit records", pluginId, connection =>
        {
            using NpgsqlCommand query = Sql.Command(
                connection,
                $"""
                SELECT {Columns} FROM {_database.Schema}.audit_log
                WHERE ($1::TEXT IS NULL OR plugin_id = $1) AND timestamp_ticks >= $2 AND timestamp_ticks < $3
                ORDER BY timestamp_ticks, id
                """,
                (object?)pluginId ?? DBNull.Value,
                fromTicks,
                toTicks);
            var entries = new List<AuditEntry>();
            using NpgsqlDataReader reader = query.ExecuteReader();
            while (reader.Read())
            {
                entries.Add(new AuditEntry(
                    new DateTimeOffset(reader.GetInt64(0), TimeSpan.Zero),
                    reader.GetString(1),
                    reader.GetString(2),
                    reader.GetString(3),
                    reader.GetString(4),
                    reader.GetBoolean(5),
                    reader.IsDBNull(6) ? null : reader.GetString(6))
                {
                    Count = Math.Max(1, reader.GetInt64(7)),
                    LastTimestamp = reader.IsDBNull(8) ? null : new DateTimeOffset(reader.GetInt64(8), TimeSpan.Zero),
                    LastTarget = reader.IsDBNull(9) ? null : reader.GetString(9),
                });
            }

            return entries;
        });

    /// <inheritdoc/>
    protected override bool IsWriteFailure(Exception exception) => exception is PolicyStoreUnavailableException;

    /// <inheritdoc/>
    protected override void CloseStorage()
    {
        // The connection belongs to the shared PostgreSqlPolicyDatabase, which the container disposes.
    }

    private static void WriteOptional(NpgsqlBinaryImporter copy, string? value)
    {
        if (value is null)
        {
            copy.WriteNull();
        }
        else
        {
            copy.Write(value, NpgsqlDbType.Text);
        }
    }
}
