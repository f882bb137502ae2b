using Airlock.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Airlock.Auditing;

/// <summary>
/// The shared core of Airlock's audit logs: bounded per plugin and written in batches by a background writer, with
/// denials and host decisions committed before they are acknowledged; every record written is also logged. A store
/// (SQLite, PostgreSQL) supplies only how a batch is written and how records are read back.
/// </summary>
/// <remarks>
/// <para><b>Denials and host decisions</b> (<see cref="Record"/>, and <see cref="RecordHostCall"/> of a denied call)
/// are never aggregated, counted away or dropped: each is its own record, committed before the method returns,
/// together with everything else waiting in the same transaction. When the write fails the method throws and the
/// records stay queued: the background writer writes them on its next attempt, so a store that comes back receives
/// them.</para>
/// <para><b>Allowed host calls</b> (<see cref="RecordHostCall"/>) are bounded per plugin as
/// <see cref="AuditLogOptions"/> describes: repeated calls of one action within the aggregation window become one
/// record with a <see cref="AuditEntry.Count"/>, and past the plugin's budget they are only counted (an
/// <c>audit.suppressed</c> record per action carries the count). A background writer closes finished windows and
/// commits what waits, one transaction per batch, every <see cref="AuditLogOptions.FlushInterval"/>; the queue is
/// bounded, and a caller that finds it full writes it itself. An acknowledged call is therefore stored within about
/// the aggregation window plus the flush interval, at once on <see cref="Flush"/>, before any <see cref="Query"/>
/// reads, and on <see cref="Dispose"/>.</para>
/// </remarks>
public abstract partial class BatchingAuditLog : IAuditLog, IDisposable
{
    private readonly ILogger _logger;
    private readonly AuditLogOptions _options;
    private readonly AuditAggregator _aggregator;
    private readonly TimeProvider _time;
    private ITimer? _timer;

    // _write guards the connection, _committed and _disposed; _gate guards the aggregator, the queue and _enqueued.
    // Lock order: _write, then _gate.
    private readonly Lock _write = new();
    private readonly Lock _gate = new();
    private readonly List<AuditEntry> _queue = [];
    private readonly List<AuditEntry> _ready = [];
    private long _enqueued;
    private long _committed;
    private bool _disposed;

    /// <summary>Sets up aggregation and batching; the derived store calls <see cref="StartWriter"/> once it can write.</summary>
    /// <param name="options">Aggregation, the per-plugin budget and batching.</param>
    /// <param name="logger">Where records are also logged; <see langword="null"/> for nowhere.</param>
    /// <param name="timeProvider">The clock of aggregation and budget windows and of the background writer; <see langword="null"/> for the system clock.</param>
    protected BatchingAuditLog(AuditLogOptions options, ILogger? logger, TimeProvider? timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Validated();
        _logger = logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
        _aggregator = new AuditAggregator(_options, _time);
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

            // Ids are stored sanitised; look one up the same way.
            return ReadEntries(PluginText.SanitizeOptional(pluginId, AuditEntry.MaxNameChars), from?.UtcTicks ?? long.MinValue, to?.UtcTicks ?? long.MaxValue);
        }
    }

    /// <inheritdoc/>
    /// <remarks>Flushes first (<see cref="Flush"/>), so every call recorded before the search is in its answer.</remarks>
    /// <exception cref="ObjectDisposedException">The log was disposed.</exception>
    public AuditPage Search(AuditQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        Flush();
        lock (_write)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return SearchEntries(query);
        }
    }

    /// <summary>
    /// One page of the stored entries matching <paramref name="query"/>, newest first, with the total; called under the
    /// storage lock after a flush. The default reads the query's time range and filters and pages here; a store that
    /// can filter and page itself overrides this.
    /// </summary>
    /// <param name="query">The filters and the page.</param>
    protected virtual AuditPage SearchEntries(AuditQuery query)
        => query.PageOf(ReadEntries(query.SanitizedPluginId, query.From?.UtcTicks ?? long.MinValue, query.To?.UtcTicks ?? long.MaxValue));

    /// <summary>Stops the background writer, writes everything recorded so far and closes the database.</summary>
    public void Dispose()
    {
        _timer?.Dispose();
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
            catch (Exception exception) when (IsWriteFailure(exception))
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

                CloseStorage();
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
                if (batch.Count > 0)
                {
                    WriteBatch(batch);
                }
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

    /// <summary>Starts the background writer; the derived store calls it at the end of its constructor.</summary>
    protected void StartWriter()
        => _timer ??= _time.CreateTimer(static state => ((BatchingAuditLog)state!).Tick(), this, _options.FlushInterval, _options.FlushInterval);

    /// <summary>
    /// Writes <paramref name="batch"/> (in the order given) in one transaction: all of it is committed when this
    /// returns, or none of it and this throws (the records are then queued again). Called under the writer's lock,
    /// one batch at a time; never with an empty batch.
    /// </summary>
    /// <param name="batch">The records, oldest first.</param>
    protected abstract void WriteBatch(IReadOnlyList<AuditEntry> batch);

    /// <summary>Reads the stored records, ordered by time and then by the order they were written. Called under the writer's lock.</summary>
    /// <param name="pluginId">Only this (sanitised) plugin's records; <see langword="null"/> for all.</param>
    /// <param name="fromTicks">Only records at or after these UTC ticks.</param>
    /// <param name="toTicks">Only records before these UTC ticks.</param>
    /// <returns>The records.</returns>
    protected abstract IReadOnlyList<AuditEntry> ReadEntries(string? pluginId, long fromTicks, long toTicks);

    /// <summary>Whether <paramref name="exception"/> from <see cref="WriteBatch"/> is a failure to write, logged (not thrown) while closing.</summary>
    /// <param name="exception">What the last write threw.</param>
    /// <returns>Whether it is.</returns>
    protected abstract bool IsWriteFailure(Exception exception);

    /// <summary>Closes the storage, after the last batch was written; called once.</summary>
    protected abstract void CloseStorage();

    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Audit: plugin {PluginId} {PluginVersion} {Action} {Target}: {Outcome} {Detail}")]
    private static partial void Log(ILogger logger, string pluginId, string pluginVersion, string action, string target, string outcome, string detail);

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "Audit: plugin {PluginId} {PluginVersion} {Action} {Target}: allowed {Count} times, last {LastTarget}; first {Detail}")]
    private static partial void LogAggregated(ILogger logger, string pluginId, string pluginVersion, string action, string target, long count, string lastTarget, string detail);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "Writing the audit log failed ({Reason}); {Waiting} records wait and are written on the next attempt")]
    private static partial void LogWriteRetry(ILogger logger, int waiting, string reason, Exception exception);

    [LoggerMessage(EventId = 303, Level = LogLevel.Error, Message = "Writing the audit log failed while it was closing ({Reason}); {Lost} records were not written")]
    private static partial void LogWriteFailed(ILogger logger, int lost, string reason, Exception exception);
}
