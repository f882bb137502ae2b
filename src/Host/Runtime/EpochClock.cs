using Wasmtime;

namespace Airlock.Runtime;

/// <summary>
/// Advances the engine's epoch every <see cref="PluginHostOptions.EpochInterval"/>, which is when running
/// calls check their deadline and cancellation. On the system clock it ticks on a thread of its own, so
/// deadlines hold even when the thread pool is starved (every pool thread blocked, new ones injected
/// slowly): a pool timer would then fire late and calls would overrun by as much. That thread is shared
/// by every host of the process with the same interval (starting and joining a thread per host cost
/// about half a millisecond of each host's creation and disposal) and ends after a second without
/// engines. On any other <see cref="TimeProvider"/> (a test's fake clock) it ticks on that provider's timer.
/// </summary>
internal sealed class EpochClock : IDisposable
{
    private readonly ITimer? _timer;
    private readonly SystemTicker? _ticker;
    private readonly Lock _lock = new();
    private Engine[] _engines = [];
    private bool _disposed;

    public EpochClock(TimeSpan interval, TimeProvider time)
    {
        if (time != TimeProvider.System)
        {
            _timer = time.CreateTimer(static state => ((EpochClock)state!).Tick(), this, interval, interval);
            return;
        }

        _ticker = SystemTicker.For(interval);
    }

    /// <summary>Advances <paramref name="engine"/>'s epoch from the next tick on.</summary>
    public void Add(Engine engine)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _engines = [.. _engines, engine];
        }

        _ticker?.Add(engine);
    }

    /// <summary>Stops advancing the engines: when this returns, no tick touches them again.</summary>
    public void Dispose()
    {
        Engine[] engines;
        lock (_lock)
        {
            _disposed = true;
            engines = _engines;
            _engines = [];
        }

        _timer?.Dispose();
        foreach (Engine engine in engines)
        {
            _ticker?.Remove(engine);
        }
    }

    private void Tick()
    {
        foreach (Engine engine in Volatile.Read(ref _engines))
        {
            engine.IncrementEpoch();
        }
    }

    // One thread per interval for the whole process, ticking the engines of every host on the system
    // clock. A tick runs under the lock Remove takes, so an engine removed is never ticked afterwards.
    private sealed class SystemTicker
    {
        private static readonly Dictionary<TimeSpan, SystemTicker> Tickers = [];
        private static readonly Lock TickersLock = new();
        private static readonly TimeSpan IdleEnd = TimeSpan.FromSeconds(1);

        private readonly TimeSpan _interval;
        private readonly Lock _lock = new();
        private readonly List<Engine> _engines = [];
        private bool _running;

        private SystemTicker(TimeSpan interval) => _interval = interval;

        public static SystemTicker For(TimeSpan interval)
        {
            lock (TickersLock)
            {
                if (!Tickers.TryGetValue(interval, out SystemTicker? ticker))
                {
                    ticker = new SystemTicker(interval);
                    Tickers.Add(interval, ticker);
                }

                return ticker;
            }
        }

        public void Add(Engine engine)
        {
            lock (_lock)
            {
                _engines.Add(engine);
                if (_running)
                {
                    return;
                }

                _running = true;
            }

            new Thread(Run) { IsBackground = true, Name = "Airlock epoch clock" }.Start();
        }

        public void Remove(Engine engine)
        {
            lock (_lock)
            {
                _engines.Remove(engine);
            }
        }

        private void Run()
        {
            TimeSpan idle = TimeSpan.Zero;
            while (true)
            {
                Thread.Sleep(_interval);
                lock (_lock)
                {
                    if (_engines.Count == 0)
                    {
                        idle += _interval;
                        if (idle >= IdleEnd)
                        {
                            _running = false;
                            return;
                        }

                        continue;
                    }

                    idle = TimeSpan.Zero;
                    foreach (Engine engine in _engines)
                    {
                        engine.IncrementEpoch();
                    }
                }
            }
        }
    }
}
