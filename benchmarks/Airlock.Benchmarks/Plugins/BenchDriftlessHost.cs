using Airlock.Abi;
using Airlock.Contracts.Driftless;

namespace Airlock.Benchmarks.Plugins;

/// <summary>
/// A trivial in-memory <see cref="IDriftlessHost"/> for the Driftless benchmarks. The generated wiring
/// calls this interface and the hand-written raw-Wasmtime functions call <see cref="LogCore"/> and
/// <see cref="TimestampCore"/>, so both paths do the same host work and give the guest the same
/// answers. The clock is fixed, so the same call renders the same text on both paths.
/// </summary>
public sealed class BenchDriftlessHost : IDriftlessHost
{
    /// <summary>What <c>host_get_timestamp</c> answers: 2024-03-01T12:00:00Z.</summary>
    public const ulong Timestamp = 1_709_294_400;

    private long _logLines;
    private long _logChars;
    private long _timestamps;

    /// <summary>Log lines received so far.</summary>
    public long LogLines => Interlocked.Read(ref _logLines);

    /// <summary>The sum of the lengths of the log lines received so far.</summary>
    public long LogChars => Interlocked.Read(ref _logChars);

    /// <summary><c>host_get_timestamp</c> calls so far.</summary>
    public long Timestamps => Interlocked.Read(ref _timestamps);

    /// <summary>What <c>host_log</c> does: counts the line.</summary>
    /// <param name="level">The level word.</param>
    /// <param name="message">The message.</param>
    public void LogCore(string level, string message)
    {
        Interlocked.Increment(ref _logLines);
        Interlocked.Add(ref _logChars, level.Length + message.Length);
    }

    /// <summary>What <c>host_get_timestamp</c> does: counts the call and answers <see cref="Timestamp"/>.</summary>
    public ulong TimestampCore()
    {
        Interlocked.Increment(ref _timestamps);
        return Timestamp;
    }

    /// <inheritdoc/>
    public void Log(GuestContext guest, string level, string message) => LogCore(level, message);

    /// <inheritdoc/>
    public ulong GetTimestamp(GuestContext guest) => TimestampCore();
}
