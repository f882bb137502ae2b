using System.Diagnostics;

namespace Airlock.EndToEnd.Tests;

/// <summary>
/// A token cancelled after a delay by a thread of its own. A <c>CancellationTokenSource</c> timer
/// fires on the thread pool, which a loaded test run (many tests blocked in synchronous host calls)
/// can starve for seconds: the cancellation itself would then be late, and a test of how promptly a
/// call ends after it would measure the pool instead.
/// </summary>
internal sealed class TimedCancellation : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly Thread _thread;

    public TimedCancellation(TimeSpan after)
    {
        _thread = new Thread(() =>
        {
            Thread.Sleep(after);
            _source.Cancel();
        })
        { IsBackground = true, Name = "test cancellation" };
        _thread.Start();
    }

    public CancellationToken Token => _source.Token;

    public void Dispose()
    {
        _thread.Join();
        _source.Dispose();
    }
}
