using System.Collections.Concurrent;

namespace Airlock.Services;

/// <summary>Settings of a <see cref="LogRateLimiter"/>.</summary>
public sealed class LogRateLimiterOptions
{
    /// <summary>The steady rate of log lines a plugin may write, per second. Default 10.</summary>
    public int LinesPerSecond { get; set; } = 10;

    /// <summary>How many lines a plugin may write in one burst after being quiet. Default 50.</summary>
    public int Burst { get; set; } = 50;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(LinesPerSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Burst);
    }
}

/// <summary>The outcome of <see cref="LogRateLimiter.TryAcquire"/>.</summary>
/// <param name="Allowed">Whether the line may be logged.</param>
/// <param name="Suppressed">
/// When <paramref name="Allowed"/>: how many of the plugin's lines were suppressed since its previous line that was
/// allowed (log "… N lines suppressed" with this one if it is not zero); the count then starts again from zero.
/// When not allowed: how many have been suppressed so far, this one included.
/// </param>
public readonly record struct LogRateDecision(bool Allowed, long Suppressed);

/// <summary>
/// Limits how fast each plugin may write to the host's log (<c>host_log</c>): a token bucket per plugin id, by
/// default 10 lines a second with bursts of 50, on an injected <see cref="TimeProvider"/>. Lines over the limit are
/// counted so the host can report how many it dropped. Thread-safe.
/// </summary>
public sealed class LogRateLimiter
{
    private readonly ConcurrentDictionary<string, PluginState> _plugins = new(StringComparer.Ordinal);
    private readonly LogRateLimiterOptions _options;
    private readonly TimeProvider _time;

    /// <summary>Creates a limiter.</summary>
    /// <param name="options">The rate and burst; <see langword="null"/> for the defaults.</param>
    /// <param name="timeProvider">The clock; <see langword="null"/> for the system clock.</param>
    public LogRateLimiter(LogRateLimiterOptions? options = null, TimeProvider? timeProvider = null)
    {
        options ??= new LogRateLimiterOptions();
        options.Validate();
        _options = new LogRateLimiterOptions { LinesPerSecond = options.LinesPerSecond, Burst = options.Burst };
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Where dropped lines are counted (<see cref="Diagnostics.AirlockTelemetry.Instruments.LogDropped"/>).</summary>
    internal Diagnostics.AirlockInstruments Instruments { get; set; } = Diagnostics.AirlockInstruments.Shared;

    /// <summary>Decides whether one log line of <paramref name="pluginId"/> may pass.</summary>
    /// <param name="pluginId">The plugin, as the host knows it.</param>
    /// <returns>Whether it may, and how many lines were suppressed.</returns>
    public LogRateDecision TryAcquire(string pluginId)
    {
        ArgumentException.ThrowIfNullOrEmpty(pluginId);
        PluginState state = _plugins.GetOrAdd(pluginId, static (_, self) => new PluginState(new TokenBucket(self._time, self._options.LinesPerSecond, self._options.Burst)), this);
        long suppressedNow;
        lock (state)
        {
            if (state.Bucket.TryTake())
            {
                long suppressed = state.Suppressed;
                state.Suppressed = 0;
                return new LogRateDecision(true, suppressed);
            }

            state.Suppressed++;
            state.Dropped++;
            suppressedNow = state.Suppressed;
        }

        Instruments.LogLineDropped(pluginId);
        return new LogRateDecision(false, suppressedNow);
    }

    /// <summary>How many lines of <paramref name="pluginId"/> the limit has dropped in all, since the plugin was first seen or last forgotten.</summary>
    /// <param name="pluginId">The plugin.</param>
    /// <returns>The total; 0 if the plugin is unknown.</returns>
    public long Dropped(string pluginId)
    {
        ArgumentException.ThrowIfNullOrEmpty(pluginId);
        if (!_plugins.TryGetValue(pluginId, out PluginState? state))
        {
            return 0;
        }

        lock (state)
        {
            return state.Dropped;
        }
    }

    /// <summary>
    /// Forgets <paramref name="pluginId"/>, for example when it is unloaded, and returns how many of its lines were
    /// suppressed and not yet reported by an allowed line.
    /// </summary>
    /// <param name="pluginId">The plugin.</param>
    /// <returns>The unreported suppressed count; 0 if the plugin was unknown.</returns>
    public long Forget(string pluginId)
    {
        ArgumentException.ThrowIfNullOrEmpty(pluginId);
        if (!_plugins.TryRemove(pluginId, out PluginState? state))
        {
            return 0;
        }

        lock (state)
        {
            return state.Suppressed;
        }
    }

    private sealed class PluginState(TokenBucket bucket)
    {
        public TokenBucket Bucket { get; } = bucket;

        public long Suppressed { get; set; }

        public long Dropped { get; set; }
    }
}
