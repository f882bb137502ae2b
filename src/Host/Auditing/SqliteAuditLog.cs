using Airlock.Runtime;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Airlock.Auditing;

/// <summary>
/// An audit log in a SQLite database (WAL, synchronous commits), bounded per plugin and written in batches; every
/// record written is also logged.
/// </summary>
/// <remarks>
/// <para><b>Denials and host decisions</b> (<see cref="Record"/>, and <see cref="RecordHostCall"/> of a denied call)
/// are never aggregated, counted away or dropped: each is its own record, committed before the method returns,
/// together with everything else waiting in the same transaction.</para>
/// <para><b>Allowed host calls</b> (<see cref="RecordHostCall"/>) are bounded per plugin as
/// <see cref="AuditLogOptions"/> describes: repeated calls of one action within the aggregation window become one
/// record with a <see cref="AuditEntry.Count"/>, and past the plugin's budget they are only counted (an
/// <c>audit.suppressed</c> record per action carries the count). A background writer closes finished windows and
/// commits what waits, one transaction per batch, every <see cref="AuditLogOptions.FlushInterval"/>; the queue is
/// bounded, and a caller that finds it full writes it itself. An acknowledged call is therefore on disk within about
/// the aggregation window plus the flush interval, at once on <see cref="Flush"/>, before any <see cref="Query"/>
/// reads, and on <see cref="Dispose"/>.</para>
/// </remarks>
public sealed partial class SqliteAuditLog : IAuditLog, IDisposable
{
    private const string Columns = "timestamp_ticks, plugin_id, plugin_version, action, target, allowed, detail, count, last_timestamp_ticks, last_target";

    private readonly SqliteConnection _connection;
    private readonly ILogger _logger;
    private readonly AuditLogOptions _options;
    private readonly AuditAggregator _aggregator;
    private readonly ITimer _timer;

    // _write guards the connection, _committed and _disposed; _gate guards the aggregator, the queue and _enqueued.
    // Lock order: _write, then _gate.
    private readonly Lock _write = new();
    private readonly Lock _gate = new();
    private readonly List<AuditEntry> _queue = [];
    private readonly List<AuditEntry> _ready = [];
    private long _enqueued;
    private long _committed;
    private bool _disposed;

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
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Validated();
        _logger = logger ?? NullLogger.Instance;
        TimeProvider time = timeProvider ?? TimeProvider.System;
        _aggregator = new AuditAggregator(_options, time);
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

        _timer = time.CreateTimer(static state => ((SqliteAuditLog)state!).Tick(), this, _options.FlushInterval, _options.FlushInterval);
    }

    // How many records wait for the writer (for tests).
    internal int QueuedRecords
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }

    /// <inheritdoc/>
    /// <remarks>The entry is committed, in a transaction with whatever else waits, before this returns.</remarks>
    /// <exception cref="ObjectDisposedException">The log was disposed.</exception>
    public void Record(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        long sequence;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _queue.Add(entry);
            sequence = ++_enqueued;
        }

        CommitThrough(sequence);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// A denied call is recorded as by <see cref="Record"/>. An allowed call is aggregated or counted as
    /// <see cref="AuditLogOptions"/> describes and written by the background writer.
    /// </remarks>
    /// <exception cref="ObjectDisposedException">The log was disposed.</exception>
    public void RecordHostCall(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (!entry.Allowed)
        {
            Record(entry);
            return;
        }

        long full = 0;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _aggregator.Add(entry, _ready);
            EnqueueReady();
            if (_queue.Count >= _options.MaxQueuedRecords)
            {
                full = _enqueued;
            }
        }

        if (full > 0)
        {
            CommitThrough(full);
        }
    }

    /// <summary>
    /// Closes every open aggregate and budget count and commits everything waiting, so every call recorded so far is
    /// on disk when this returns.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The log was disposed.</exception>
    public void Flush()
    {
        long sequence;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _aggregator.Collect(all: true, _ready);
            EnqueueReady();
            sequence = _enqueued;
        }

        CommitThrough(sequence);
    }

    /// <inheritdoc/>
    /// <remarks>Flushes first (<see cref="Flush"/>), so every call recorded before the query is in its answer.</remarks>
    /// <exception cref="ObjectDisposedException">The log was disposed.</exception>
    public IReadOnlyList<AuditEntry> Query(string? pluginId = null, DateTimeOffset? from = null, DateTimeOffset? to = null)
    {
        Flush();
        lock (_write)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using SqliteCommand query = _connection.CreateCommand();
            query.CommandText = $"""
                SELECT {Columns} FROM audit_log
                WHERE ($p IS NULL OR plugin_id = $p) AND timestamp_ticks >= $from AND timestamp_ticks < $to
                ORDER BY timestamp_ticks, id
                """;

            // Ids are stored sanitised; look one up the same way.
            query.Parameters.AddWithValue("$p", (object?)PluginText.SanitizeOptional(pluginId, AuditEntry.MaxNameChars) ?? DBNull.Value);
            query.Parameters.AddWithValue("$from", from?.UtcTicks ?? long.MinValue);
            query.Parameters.AddWithValue("$to", to?.UtcTicks ?? long.MaxValue);
            return ReadEntries(query);
        }
    }

    /// <inheritdoc/>
    /// <remarks>Flushes first (<see cref="Flush"/>), then filters, counts and pages in the database.</remarks>
    /// <exception cref="ObjectDisposedException">The log was disposed.</exception>
    public AuditPage Search(AuditQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        Flush();
        lock (_write)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
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
            return new AuditPage(ReadEntries(command), total);
        }
    }

    private static List<AuditEntry> ReadEntries(SqliteCommand query)
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

    /// <summary>Stops the background writer, writes everything recorded so far and closes the database.</summary>
    public void Dispose()
    {
        _timer.Dispose();
        lock (_write)
        {
            if (_disposed)
            {
                return;
            }

            lock (_gate)
            {
                _aggregator.Collect(all: true, _ready);
                EnqueueReady();
            }

            try
            {
                CommitThrough(long.MaxValue);
            }
            catch (Exception exception) when (exception is SqliteException or IOException)
            {
                int lost;
                lock (_gate)
                {
                    lost = _queue.Count;
                }

                LogWriteFailed(_logger, lost, exception.Message, exception);
            }
            finally
            {
                lock (_gate)
                {
                    _disposed = true;
                    _queue.Clear();
                }

                _connection.Dispose();
            }
        }
    }

    // The background writer: closes finished windows and commits the batch. A failure leaves the records queued for
    // the next attempt.
    private void Tick()
    {
        try
        {
            long sequence;
            lock (_gate)
            {
                if (_disposed)
                {
                    return;
                }

                _aggregator.Collect(all: false, _ready);
                EnqueueReady();
                sequence = _enqueued;
            }

            CommitThrough(sequence);
        }
        catch (Exception exception)
        {
            // A timer thread must not throw: whatever failed, the records stay queued for the next attempt.
            int waiting;
            lock (_gate)
            {
                waiting = _queue.Count;
            }

            LogWriteRetry(_logger, waiting, exception.Message, exception);
        }
    }

    // Under _gate: moves the aggregator's complete records to the queue.
    private void EnqueueReady()
    {
        if (_ready.Count > 0)
        {
            _queue.AddRange(_ready);
            _enqueued += _ready.Count;
            _ready.Clear();
        }
    }

    // Commits everything queued, in one transaction, unless a commit has already covered sequence number
    // `sequence` (a group commit: concurrent callers share one). On failure the records go back to the queue.
    private void CommitThrough(long sequence)
    {
        List<AuditEntry> batch;
        lock (_write)
        {
            if (_committed >= sequence)
            {
                return;
            }

            long last;
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                batch = [.. _queue];
                _queue.Clear();
                last = _enqueued;
            }

            try
            {
                Write(batch);
            }
            catch
            {
                lock (_gate)
                {
                    _queue.InsertRange(0, batch);
                }

                throw;
            }

            _committed = last;
        }

        foreach (AuditEntry entry in batch)
        {
            if (entry.Count == 1)
            {
                Log(_logger, entry.PluginId, entry.PluginVersion, entry.Action, entry.Target, entry.Allowed ? "allowed" : "denied", entry.Detail ?? string.Empty);
            }
            else
            {
                LogAggregated(_logger, entry.PluginId, entry.PluginVersion, entry.Action, entry.Target, entry.Count, entry.LastTarget ?? entry.Target, entry.Detail ?? string.Empty);
            }
        }
    }

    // Under _write: one transaction for the batch.
    private void Write(List<AuditEntry> batch)
    {
        if (batch.Count == 0)
        {
            return;
        }

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

    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Audit: plugin {PluginId} {PluginVersion} {Action} {Target}: {Outcome} {Detail}")]
    private static partial void Log(ILogger logger, string pluginId, string pluginVersion, string action, string target, string outcome, string detail);

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "Audit: plugin {PluginId} {PluginVersion} {Action} {Target}: allowed {Count} times, last {LastTarget}; first {Detail}")]
    private static partial void LogAggregated(ILogger logger, string pluginId, string pluginVersion, string action, string target, long count, string lastTarget, string detail);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "Writing the audit log failed ({Reason}); {Waiting} records wait and are written on the next attempt")]
    private static partial void LogWriteRetry(ILogger logger, int waiting, string reason, Exception exception);

    [LoggerMessage(EventId = 303, Level = LogLevel.Error, Message = "Writing the audit log failed while it was closing ({Reason}); {Lost} records were not written")]
    private static partial void LogWriteFailed(ILogger logger, int lost, string reason, Exception exception);
}
