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

    public EpochClock(Engine engine, TimeSpan interval, TimeProvider time)
    {
        if (time != TimeProvider.System)
        {
            _timer = time.CreateTimer(static state => ((Engine)state!).IncrementEpoch(), engine, interval, interval);
            return;
        }

        _stop = new CancellationTokenSource();
        WaitHandle stop = _stop.Token.WaitHandle;
        _thread = new Thread(() =>
        {
            while (!stop.WaitOne(interval))
            {
                engine.IncrementEpoch();
            }
        })
        {
            IsBackground = true,
            Name = "Airlock epoch clock",
        };
        _thread.Start();
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
}
