namespace Airlock.Runtime;

/// <summary>
/// The clock call deadlines are measured on. On the system clock it is the operating system's coarse monotonic
/// millisecond count (<see cref="Environment.TickCount64"/>, a few nanoseconds to read, with a resolution of a few
/// milliseconds): a deadline needs no precise clock read at the start of every call. On any other
/// <see cref="TimeProvider"/> (a test's fake clock) it is that provider's timestamps.
/// </summary>
internal readonly struct CallClock
{
    private readonly TimeProvider? _time;

    /// <summary>The clock of <paramref name="time"/>.</summary>
    public CallClock(TimeProvider time) => _time = time == TimeProvider.System ? null : time;

    /// <summary>A reading to measure elapsed time from.</summary>
    public long Now => _time is null ? Environment.TickCount64 : _time.GetTimestamp();

    /// <summary>The time since <paramref name="start"/>, a reading of <see cref="Now"/>.</summary>
    /// <param name="start">The earlier reading.</param>
    public TimeSpan Since(long start) => _time is null ? TimeSpan.FromMilliseconds(Environment.TickCount64 - start) : _time.GetElapsedTime(start);
}
