namespace Airlock.Auditing;

/// <summary>
/// How much a <see cref="SqliteAuditLog"/> records per plugin and how it writes: repeated allowed host calls are
/// aggregated, each plugin has a budget of records, and records are written in batches. Denials are never
/// aggregated, counted away or delayed: each is its own record, on disk before the call that recorded it returns.
/// </summary>
public sealed class AuditLogOptions
{
    /// <summary>
    /// How long allowed host calls of one plugin (same version, same action) are gathered into one record that
    /// carries their count, the first call's time, target and outcome, and the last call's time and target.
    /// <see cref="TimeSpan.Zero"/> records each allowed call on its own (still within the budget). Default 1 s.
    /// </summary>
    public TimeSpan AggregationWindow { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How many records of allowed host calls one plugin may add per <see cref="BudgetWindow"/> (an aggregated record
    /// counts once). Past the budget, allowed calls are only counted, and the count is recorded as one
    /// <c>audit.suppressed</c> record per action when the budget window ends (or the log is flushed). Default 120.
    /// </summary>
    public int MaxRecordsPerPlugin { get; set; } = 120;

    /// <summary>The window of <see cref="MaxRecordsPerPlugin"/>. Default 1 minute.</summary>
    public TimeSpan BudgetWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How often the background writer closes finished aggregation windows and writes what is waiting, in one
    /// transaction. An allowed call is on disk within about <see cref="AggregationWindow"/> plus this interval, or
    /// sooner when anything flushes the log (<see cref="BatchingAuditLog.Flush"/>, a query, a denial, disposal).
    /// Default 250 ms.
    /// </summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How many records may wait for the background writer. When the queue is full, the call that adds the next
    /// record writes the queue itself before it returns, so nothing is dropped. Default 10,000.
    /// </summary>
    public int MaxQueuedRecords { get; set; } = 10_000;

    internal AuditLogOptions Validated()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(AggregationWindow, TimeSpan.Zero, nameof(AggregationWindow));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(BudgetWindow, TimeSpan.Zero, nameof(BudgetWindow));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(FlushInterval, TimeSpan.Zero, nameof(FlushInterval));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxRecordsPerPlugin, nameof(MaxRecordsPerPlugin));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxQueuedRecords, nameof(MaxQueuedRecords));
        return new AuditLogOptions
        {
            AggregationWindow = AggregationWindow,
            MaxRecordsPerPlugin = MaxRecordsPerPlugin,
            BudgetWindow = BudgetWindow,
            FlushInterval = FlushInterval,
            MaxQueuedRecords = MaxQueuedRecords,
        };
    }
}
