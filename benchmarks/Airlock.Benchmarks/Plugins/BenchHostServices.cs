using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Airlock.Abi;
using Airlock.Contracts.SocialScale;

namespace Airlock.Benchmarks.Plugins;

/// <summary>
/// A trivial in-memory <see cref="ISocialScaleHost"/>. Both ways of serving the guest's imports — the
/// generated wiring, which calls this interface, and the hand-written raw-Wasmtime functions, which
/// call <see cref="LogCore"/> and <see cref="StoreGetCore"/> — end in the same code, so they do the same
/// work and give the guest the same answers.
/// </summary>
public sealed class BenchHostServices : ISocialScaleHost
{
    /// <summary>The key <c>bench_store_get</c> reads.</summary>
    public const string StoreKey = "bench:key";

    /// <summary>The 32 bytes stored under <see cref="StoreKey"/>.</summary>
    public static readonly byte[] StoreValue = Encoding.UTF8.GetBytes("bench-value-0123456789abcdef-xyz");

    private readonly ConcurrentDictionary<string, byte[]> _store = new(StringComparer.Ordinal);
    private long _logLines;
    private long _logChars;

    /// <summary>Creates the host with <see cref="StoreKey"/> already set.</summary>
    public BenchHostServices() => _store[StoreKey] = StoreValue;

    /// <summary>Log lines received so far.</summary>
    public long LogLines => Interlocked.Read(ref _logLines);

    /// <summary>The sum of the lengths of the log lines received so far.</summary>
    public long LogChars => Interlocked.Read(ref _logChars);

    /// <summary>What <c>host_log</c> does: counts the line.</summary>
    /// <param name="level">The level.</param>
    /// <param name="message">The message.</param>
    public void LogCore(PluginLogLevel level, string message)
    {
        Interlocked.Increment(ref _logLines);
        Interlocked.Add(ref _logChars, message.Length);
    }

    /// <summary>What <c>host_store_get</c> does: the stored value, or <see langword="null"/>.</summary>
    /// <param name="key">The key.</param>
    public byte[]? StoreGetCore(string key) => _store.TryGetValue(key, out byte[]? value) ? value : null;

    /// <inheritdoc/>
    public void Log(GuestContext guest, PluginLogLevel level, string message) => LogCore(level, message);

    /// <inheritdoc/>
    public byte[]? StoreGet(GuestContext guest, string key) => StoreGetCore(key);

    /// <inheritdoc/>
    public void StoreSet(GuestContext guest, string key, ReadOnlySpan<byte> value) => _store[key] = value.ToArray();

    /// <inheritdoc/>
    public HostHttpResponse HttpRequest(GuestContext guest, HostHttpRequest request)
        => throw new HostCallException(HostCallStatus.Unavailable, "The benchmarks have no network.");

    /// <inheritdoc/>
    public void EmitEvent(GuestContext guest, JsonArgument @event)
    {
    }

    /// <inheritdoc/>
    public OAuthCredential? GetCredential(GuestContext guest) => null;

    /// <inheritdoc/>
    public byte[]? GetConfig(GuestContext guest) => null;
}
