using System.Threading.Channels;

namespace Airlock.Services;

/// <summary>
/// One subscriber of a <see cref="PluginEventBus"/>: its bounded queue, reader loop and statistics. Dispose it to
/// unsubscribe: it stops receiving events at once, events still queued for it are discarded, and the token passed
/// to its handler is cancelled.
/// </summary>
public sealed class PluginEventSubscription : IDisposable
{
    private readonly PluginEventBus _bus;
    private readonly Func<PluginEvent, CancellationToken, ValueTask> _handler;
    private readonly Channel<PluginEvent> _queue;

    // Cancelled, never disposed: it has no timer or linked parent to release, and Cancel may still be called
    // (from Dispose or the bus's shutdown) after the loop has ended.
    private readonly CancellationTokenSource _stop = new();
    private long _dropped;
    private long _handled;
    private long _faulted;
    private long _lastDropReport = long.MinValue;
    private int _disposed;

    internal PluginEventSubscription(PluginEventBus bus, Func<PluginEvent, CancellationToken, ValueTask> handler, string name)
    {
        _bus = bus;
        _handler = handler;
        Name = name;
        _queue = Channel.CreateBounded<PluginEvent>(new BoundedChannelOptions(bus.Capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
            AllowSynchronousContinuations = false,
        });
        Completion = Task.CompletedTask;
    }

    internal enum EnqueueResult
    {
        Queued,
        Full,
        Closed,
    }

    /// <summary>The subscriber's name.</summary>
    public string Name { get; }

    /// <summary>How many events were dropped for this subscriber because its queue was full.</summary>
    public long DroppedCount => Interlocked.Read(ref _dropped);

    /// <summary>How many events its handler completed.</summary>
    public long HandledCount => Interlocked.Read(ref _handled);

    /// <summary>How many events its handler threw on.</summary>
    public long FaultedCount => Interlocked.Read(ref _faulted);

    /// <summary>How many events are waiting in its queue; never more than <see cref="PluginEventBusOptions.Capacity"/>.</summary>
    public int QueuedCount => _queue.Reader.Count;

    /// <summary>Completes when the subscriber's reader loop has ended (after unsubscribing or the bus's disposal).</summary>
    public Task Completion { get; private set; }

    /// <summary>Unsubscribes: no further events are queued, queued ones are discarded and the handler's token is cancelled.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _bus.Remove(this);
        _queue.Writer.TryComplete();
        Cancel();
    }

    internal void Start() => Completion = Task.Run(RunAsync);

    internal EnqueueResult TryEnqueue(PluginEvent pluginEvent)
    {
        if (_queue.Writer.TryWrite(pluginEvent))
        {
            return EnqueueResult.Queued;
        }

        if (Volatile.Read(ref _disposed) != 0 || _stop.IsCancellationRequested)
        {
            return EnqueueResult.Closed;
        }

        long dropped = Interlocked.Increment(ref _dropped);
        ReportDrops(dropped);
        return EnqueueResult.Full;
    }

    /// <summary>Stops taking events; the loop ends once the queue is drained.</summary>
    internal void Complete() => _queue.Writer.TryComplete();

    /// <summary>Cancels the handler's token; the loop ends after the current event.</summary>
    internal void Cancel() => _stop.Cancel();

    private async Task RunAsync()
    {
        CancellationToken stop = _stop.Token;
        ChannelReader<PluginEvent> reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stop).ConfigureAwait(false))
            {
                while (!stop.IsCancellationRequested && reader.TryRead(out PluginEvent? pluginEvent))
                {
                    try
                    {
                        await _handler(pluginEvent, stop).ConfigureAwait(false);
                        Interlocked.Increment(ref _handled);
                    }
                    catch (OperationCanceledException) when (stop.IsCancellationRequested)
                    {
                        return;
                    }
#pragma warning disable CA1031 // A subscriber's failure must not stop its loop or the bus; it is logged.
                    catch (Exception exception)
#pragma warning restore CA1031
                    {
                        Interlocked.Increment(ref _faulted);
                        PluginEventBus.LogHandlerFailed(_bus.Logger, exception, Name, pluginEvent.PluginId, pluginEvent.PluginVersion);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>Logs that this subscriber is dropping events, at most once a second.</summary>
    private void ReportDrops(long dropped)
    {
        long now = _bus.Time.GetTimestamp();
        long last = Interlocked.Read(ref _lastDropReport);
        if (last != long.MinValue && _bus.Time.GetElapsedTime(last, now) < TimeSpan.FromSeconds(1))
        {
            return;
        }

        if (Interlocked.CompareExchange(ref _lastDropReport, now, last) == last)
        {
            PluginEventBus.LogDropping(_bus.Logger, Name, _bus.Capacity, dropped);
        }
    }
}
