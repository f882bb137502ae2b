namespace Airlock.Services;

/// <summary>Settings of a <see cref="PluginRateLimiter"/>: the limit of every plugin without an override.</summary>
public sealed class PluginRateLimiterOptions
{
    /// <summary>How many requests a plugin may make per <see cref="Window"/>. Default 1000.</summary>
    public int PermitLimit { get; set; } = 1000;

    /// <summary>The length of the sliding window. Default one hour.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How many segments the window slides by; permits come back one segment at a time, a window after they were
    /// used (give or take one segment). Default 60, so one minute for the default window.
    /// </summary>
    public int SegmentsPerWindow { get; set; } = 60;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(PermitLimit);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(SegmentsPerWindow);
        CheckWindow(Window, SegmentsPerWindow, nameof(Window));
    }

    internal static void CheckWindow(TimeSpan window, int segments, string parameterName)
    {
        if (window <= TimeSpan.Zero || window.Ticks / segments < TimeSpan.TicksPerMillisecond)
        {
            throw new ArgumentOutOfRangeException(parameterName, window, "The window must be positive and each of its segments at least 1 ms long.");
        }
    }
}

/// <summary>The outcome of <see cref="PluginRateLimiter.TryAcquire"/>.</summary>
/// <param name="Allowed">Whether the request may go ahead.</param>
/// <param name="RetryAfter">
/// When refused: how long until the first permit comes back (the next segment boundary at which a segment holding
/// used permits leaves the window). <see langword="null"/> when allowed.
/// </param>
/// <param name="Limit">The plugin's permit limit.</param>
/// <param name="Window">The plugin's window.</param>
/// <param name="Remaining">How many permits the plugin has left in the current window, after this request.</param>
public readonly record struct RateLimitDecision(bool Allowed, TimeSpan? RetryAfter, int Limit, TimeSpan Window, int Remaining);

/// <summary>
/// A sliding-window request limit per plugin id, by default 1000 outbound HTTP requests an hour in 60 segments.
/// Thread-safe.
/// </summary>
/// <remarks>
/// <para>
/// The window is the segmented sliding window of <c>System.Threading.RateLimiting.SlidingWindowRateLimiter</c>,
/// with the same semantics: permits used during a segment come back when that segment leaves the window, one window
/// of segments later, so a permit returns between <c>Window - Window/SegmentsPerWindow</c> and <c>Window</c> after it
/// was used. It is implemented here directly rather than on that type for two reasons: with automatic
/// replenishment off, its <c>TryReplenish</c> still checks elapsed time on its own <c>Stopwatch</c> clock, so it
/// cannot follow an injected <see cref="TimeProvider"/> (tests, and hosts that control time, would disagree with
/// it); and a refusal must say when permits come back, which needs the per-segment counts it does not expose.
/// </para>
/// <para>
/// Sliding is driven by the injected <see cref="TimeProvider"/>: a timer per plugin slides the window at each segment
/// boundary, and every <see cref="TryAcquire"/> first catches up on boundaries that have passed, so the window is exact
/// even when a timer fires late. Boundaries count from the plugin's first request, when its window is created; the
/// windows and their timers are disposed with this object.
/// </para>
/// <para>
/// All state sits behind one lock: every operation is a few array steps, far cheaper than the request it guards.
/// </para>
/// </remarks>
public sealed class PluginRateLimiter : IPluginRateLimiter, IDisposable
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int PermitLimit, TimeSpan Window)> _overrides = new(StringComparer.Ordinal);
    private readonly PluginRateLimiterOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private bool _disposed;

    /// <summary>Creates a limiter.</summary>
    /// <param name="options">The default limit; <see langword="null"/> for 1000 an hour in 60 segments.</param>
    /// <param name="timeProvider">The clock and timers; <see langword="null"/> for the system's.</param>
    public PluginRateLimiter(PluginRateLimiterOptions? options = null, TimeProvider? timeProvider = null)
    {
        options ??= new PluginRateLimiterOptions();
        options.Validate();
        _options = new PluginRateLimiterOptions { PermitLimit = options.PermitLimit, Window = options.Window, SegmentsPerWindow = options.SegmentsPerWindow };
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Takes one permit for <paramref name="pluginId"/> if it has one left in its window.</summary>
    /// <param name="pluginId">The plugin, as the host knows it.</param>
    /// <returns>Whether the request may go ahead, and if not, when to retry.</returns>
    public RateLimitDecision TryAcquire(string pluginId)
    {
        ArgumentException.ThrowIfNullOrEmpty(pluginId);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_entries.TryGetValue(pluginId, out Entry? entry))
            {
                (int limit, TimeSpan window) = _overrides.TryGetValue(pluginId, out var custom) ? custom : (_options.PermitLimit, _options.Window);
                entry = new Entry(this, limit, window, _options.SegmentsPerWindow);
                _entries.Add(pluginId, entry);
            }

            long now = _time.GetTimestamp();
            entry.CatchUp(now);
            return entry.TryTake()
                ? new RateLimitDecision(true, null, entry.Limit, entry.Window, entry.Available)
                : new RateLimitDecision(false, entry.RetryAfter(now), entry.Limit, entry.Window, 0);
        }
    }

    /// <summary>
    /// Gives <paramref name="pluginId"/> its own limit instead of the default. If the plugin already has a window
    /// under way it is discarded: the new limit starts with all its permits.
    /// </summary>
    /// <param name="pluginId">The plugin.</param>
    /// <param name="permitLimit">How many requests it may make per <paramref name="window"/>.</param>
    /// <param name="window">The length of its sliding window, slid in the default number of segments.</param>
    public void SetLimit(string pluginId, int permitLimit, TimeSpan window)
    {
        ArgumentException.ThrowIfNullOrEmpty(pluginId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(permitLimit);
        PluginRateLimiterOptions.CheckWindow(window, _options.SegmentsPerWindow, nameof(window));
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _overrides[pluginId] = (permitLimit, window);
            DropEntry(pluginId);
        }
    }

    /// <summary>Returns <paramref name="pluginId"/> to the default limit, discarding its current window.</summary>
    /// <param name="pluginId">The plugin.</param>
    /// <returns>Whether it had an override.</returns>
    public bool ClearLimit(string pluginId)
    {
        ArgumentException.ThrowIfNullOrEmpty(pluginId);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_overrides.Remove(pluginId))
            {
                return false;
            }

            DropEntry(pluginId);
            return true;
        }
    }

    /// <summary>Stops the timers and disposes every plugin's limiter.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (Entry entry in _entries.Values)
            {
                entry.Dispose();
            }

            _entries.Clear();
        }
    }

    private void DropEntry(string pluginId)
    {
        if (_entries.Remove(pluginId, out Entry? entry))
        {
            entry.Dispose();
        }
    }

    private void OnTimer(Entry entry)
    {
        lock (_gate)
        {
            if (!entry.Disposed)
            {
                entry.CatchUp(_time.GetTimestamp());
            }
        }
    }

    /// <summary>One plugin's window: permits used per segment in a ring. Guarded by the owner's lock.</summary>
    private sealed class Entry : IDisposable
    {
        private readonly int[] _used;
        private readonly long _segmentTimestamps;
        private readonly TimeSpan _segment;
        private readonly TimeProvider _time;
        private readonly ITimer _timer;
        private int _current;
        private long _nextBoundary;

        public Entry(PluginRateLimiter owner, int limit, TimeSpan window, int segments)
        {
            Owner = owner;
            Limit = limit;
            Window = window;
            Available = limit;
            _time = owner._time;
            _used = new int[segments];
            _segment = window / segments;
            _segmentTimestamps = (long)((Int128)_segment.Ticks * _time.TimestampFrequency / TimeSpan.TicksPerSecond);
            _nextBoundary = _time.GetTimestamp() + _segmentTimestamps;
            _timer = _time.CreateTimer(static state => ((Entry)state!).Owner.OnTimer((Entry)state), this, _segment, _segment);
        }

        public PluginRateLimiter Owner { get; }

        public int Limit { get; }

        public TimeSpan Window { get; }

        /// <summary>Permits left in the window.</summary>
        public int Available { get; private set; }

        public bool Disposed { get; private set; }

        /// <summary>Takes one permit, counted against the current segment, if there is one.</summary>
        public bool TryTake()
        {
            if (Available == 0)
            {
                return false;
            }

            Available--;
            _used[_current]++;
            return true;
        }

        /// <summary>Slides the window once for every segment boundary at or before <paramref name="now"/>.</summary>
        public void CatchUp(long now)
        {
            while (_nextBoundary <= now)
            {
                // Move to the next segment; the permits it used a window ago leave the window and come back.
                _current = (_current + 1) % _used.Length;
                Available += _used[_current];
                _used[_current] = 0;
                _nextBoundary += _segmentTimestamps;
            }
        }

        /// <summary>How long until the next boundary at which a segment holding used permits leaves the window.</summary>
        public TimeSpan RetryAfter(long now)
        {
            TimeSpan untilBoundary = _time.GetElapsedTime(now, _nextBoundary);
            for (int k = 1; k <= _used.Length; k++)
            {
                if (_used[(_current + k) % _used.Length] > 0)
                {
                    return untilBoundary + (_segment * (k - 1));
                }
            }

            return untilBoundary;
        }

        public void Dispose()
        {
            Disposed = true;
            _timer.Dispose();
        }
    }
}
