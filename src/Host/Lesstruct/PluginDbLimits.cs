namespace Airlock.Lesstruct;

/// <summary>
/// Bounds on one <c>db_query</c> or <c>db_exec</c> call. The defaults suit hook plugins; a host can tighten or
/// loosen them per plugin. Every bound applies to a single call.
/// </summary>
public sealed record PluginDbLimits
{
    /// <summary>The defaults: 10,000 rows, 1 MiB of result, 5 seconds, 100,000 bytes of SQL, 16 MiB per value.</summary>
    public static PluginDbLimits Default { get; } = new();

    /// <summary>The most rows <c>db_query</c> returns; one more is <c>result_too_large</c>. Default 10,000.</summary>
    public int MaxRows { get; init; } = 10_000;

    /// <summary>
    /// The approximate size, in bytes of JSON, of the most a <c>db_query</c> result may hold (column names, values,
    /// punctuation; text counted in UTF-8, blobs in base64); more is <c>result_too_large</c>. Default 1 MiB.
    /// </summary>
    public int MaxResultBytes { get; init; } = 1024 * 1024;

    /// <summary>
    /// How long one call may take, including any wait for other plugins' calls and for the database's write lock;
    /// past it the statement is interrupted and the call fails with <c>timeout</c>. Default 5 seconds.
    /// </summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest SQL text accepted, in UTF-8 bytes. Default 100,000.</summary>
    public int MaxSqlBytes { get; init; } = 100_000;

    /// <summary>
    /// The largest string or blob a statement may build or read (SQLite's <c>SQLITE_LIMIT_LENGTH</c> for the call),
    /// so plugin SQL cannot make the host allocate, say, <c>randomblob(1000000000)</c>. Default 16 MiB.
    /// </summary>
    public int MaxValueBytes { get; init; } = 16 * 1024 * 1024;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxRows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxResultBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxSqlBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxValueBytes);
        if (Timeout <= TimeSpan.Zero || Timeout.TotalMilliseconds > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(Timeout), Timeout, "The timeout must be positive and at most int.MaxValue milliseconds.");
        }
    }
}
