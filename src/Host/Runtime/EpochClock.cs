using Wasmtime;

namespace Airlock.Runtime;

/// <summary>
/// Advances the engine's epoch every <see cref="PluginHostOptions.EpochInterval"/>, which is when running
/// calls check their deadline and cancellation. On the system clock it ticks on a thread of its own, so
/// deadlines hold even when the thread pool is starved (every pool thread blocked, new ones injected
/// slowly): a pool timer would then fire late and calls would overrun by as much. On any other
/// <see cref="TimeProvider"/> (a test's fake clock) it ticks on that provider's timer.
/// </summary>
internal sealed class EpochClock : IDisposable
{
    private readonly ITimer? _timer;
    private readonly Thread? _thread;
    private readonly CancellationTokenSource? _stop;
    private Engine[] _engines = [];

    public EpochClock(TimeSpan interval, TimeProvider time)
    {
        if (time != TimeProvider.System)
        {
            _timer = time.CreateTimer(static state => ((EpochClock)state!).Tick(), this, interval, interval);
            return;
        }

        _stop = new CancellationTokenSource();
        WaitHandle stop = _stop.Token.WaitHandle;
        _thread = new Thread(() =>
        {
            while (!stop.WaitOne(interval))
            {
                Tick();
            }
        })
        {
            IsBackground = true,
            Name = "Airlock epoch clock",
        };
        _thread.Start();
    }

    /// <summary>Advances <paramref name="engine"/>'s epoch from the next tick on.</summary>
    public void Add(Engine engine)
    {
        Engine[] current, updated;
        do
        {
            current = Volatile.Read(ref _engines);
            updated = [.. current, engine];
        }
        while (Interlocked.CompareExchange(ref _engines, updated, current) != current);
    }

    public void Dispose()
    {
        _timer?.Dispose();
        if (_stop is not null)
        {
            _stop.Cancel();
            _thread!.Join();
            _stop.Dispose();
        }
    }

    private void Tick()
    {
        foreach (Engine engine in Volatile.Read(ref _engines))
        {
            engine.IncrementEpoch();
        }
    }
}
