using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Airlock.Services;

/// <summary>
/// The host event bus behind <c>host_emit_event</c>: plugins publish JSON events, host components and agents
/// subscribe. Publishing never blocks and memory stays bounded whatever a plugin does.
/// </summary>
/// <remarks>
/// <para>
/// Every subscriber has its own bounded queue (<see cref="PluginEventBusOptions.Capacity"/> events) and its own
/// reader loop that calls its handler one event at a time. When a subscriber's queue is full the event is dropped
/// for that subscriber only, counted in <see cref="PluginEventSubscription.DroppedCount"/> and reported in
/// <see cref="EventPublishResult.DroppedBy"/>; the publisher and the other subscribers are unaffected. A handler
/// that throws is logged and counted and its loop goes on with the next event.
/// </para>
/// <para>
/// Events are refused up front when the payload is not a JSON object, is larger than
/// <see cref="PluginEventBusOptions.MaxEventBytes"/>, or the plugin is over
/// <see cref="PluginEventBusOptions.MaxEventsPerSecondPerPlugin"/>, so a flooding plugin is turned away rather than
/// filling queues.
/// </para>
/// <para>
/// Ordering: events of one plugin id are queued to all subscribers under one per-plugin lock, so every subscriber
/// sees a plugin's events in the same order, and events one thread publishes one after another arrive in that order
/// (minus any dropped for a full queue). Events of different plugins have no defined order relative to each other.
/// </para>
/// </remarks>
public sealed partial class PluginEventBus : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, TokenBucket> _publishers = new(StringComparer.Ordinal);
    private readonly PluginEventBusOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private volatile PluginEventSubscription[] _subscriptions = [];
    private volatile bool _disposed;
    private int _subscriberNumber;
    private long _published;
    private long _rejected;
    private long _droppedByRemoved;

    /// <summary>Creates a bus.</summary>
    /// <param name="options">Capacity and limits; <see langword="null"/> for the defaults.</param>
    /// <param name="logger">Where subscriber failures and drops are logged; <see langword="null"/> for nowhere.</param>
    /// <param name="timeProvider">The clock for rate limits and the shutdown timeout; <see langword="null"/> for the system's.</param>
    public PluginEventBus(PluginEventBusOptions? options = null, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        options ??= new PluginEventBusOptions();
        options.Validate();
        _options = options.Copy();
        _logger = logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>How many events were published (accepted).</summary>
    public long PublishedCount => Interlocked.Read(ref _published);

    /// <summary>How many events were rejected.</summary>
    public long RejectedCount => Interlocked.Read(ref _rejected);

    /// <summary>How many deliveries were dropped because a subscriber's queue was full, over all subscribers, past and present.</summary>
    public long DroppedCount
    {
        get
        {
            long dropped = Interlocked.Read(ref _droppedByRemoved);
            foreach (PluginEventSubscription subscription in _subscriptions)
            {
                dropped += subscription.DroppedCount;
            }

            return dropped;
        }
    }

    /// <summary>The current subscriptions.</summary>
    public IReadOnlyList<PluginEventSubscription> Subscriptions => Array.AsReadOnly(_subscriptions);

    internal ILogger Logger => _logger;

    internal TimeProvider Time => _time;

    internal int Capacity => _options.Capacity;

    /// <summary>
    /// Publishes <paramref name="pluginEvent"/> to every current subscriber. Never blocks on subscribers: the event
    /// is queued for those with room and dropped for those without.
    /// </summary>
    /// <param name="pluginEvent">The event; its plugin id must come from the host.</param>
    /// <returns>Whether it was published, and to whom it could not be delivered; or why it was rejected.</returns>
    public EventPublishResult Publish(PluginEvent pluginEvent)
    {
        ArgumentNullException.ThrowIfNull(pluginEvent);
        ArgumentException.ThrowIfNullOrEmpty(pluginEvent.PluginId);
        if (_disposed)
        {
            return Reject(EventPublishResult.BusClosed, "The event bus is shut down; the host is stopping.");
        }

        JsonElement payload = pluginEvent.Payload;
        if (payload.ValueKind != JsonValueKind.Object)
        {
            return Reject(
                EventPublishResult.NotAnObject,
                $"An event must be a JSON object, not {(payload.ValueKind == JsonValueKind.Undefined ? "nothing" : payload.ValueKind.ToString().ToLowerInvariant())}. Wrap the value, for example {{\"type\": \"...\", \"data\": ...}}.");
        }

        int size = JsonMarshal.GetRawUtf8Value(payload).Length;
        if (size > _options.MaxEventBytes)
        {
            return Reject(
                EventPublishResult.EventTooLarge,
                string.Create(CultureInfo.InvariantCulture, $"The event is {size} bytes of JSON; the limit is {_options.MaxEventBytes}. Send less, for example a reference to data kept in the plugin's store."));
        }

        TokenBucket bucket = _publishers.GetOrAdd(pluginEvent.PluginId, static (_, self) => new TokenBucket(self._time, self._options.MaxEventsPerSecondPerPlugin, self._options.MaxEventsPerSecondPerPlugin), this);
        int delivered = 0;
        List<string>? droppedBy = null;
        lock (bucket)
        {
            if (!bucket.TryTake())
            {
                return Reject(
                    EventPublishResult.RateLimited,
                    string.Create(CultureInfo.InvariantCulture, $"The plugin is emitting more than {_options.MaxEventsPerSecondPerPlugin} events a second. Emit fewer events, or batch them into one."));
            }

            foreach (PluginEventSubscription subscription in _subscriptions)
            {
                switch (subscription.TryEnqueue(pluginEvent))
                {
                    case PluginEventSubscription.EnqueueResult.Queued:
                        delivered++;
                        break;
                    case PluginEventSubscription.EnqueueResult.Full:
                        (droppedBy ??= []).Add(subscription.Name);
                        break;
                    default:
                        break;
                }
            }
        }

        Interlocked.Increment(ref _published);
        return EventPublishResult.Published(delivered, droppedBy);
    }

    /// <summary>
    /// Subscribes <paramref name="handler"/> to every event published from now on. It gets its own queue and reader
    /// loop, and is called with one event at a time, in order.
    /// </summary>
    /// <param name="handler">
    /// Handles one event. The token is cancelled when the subscription is disposed or the bus's shutdown timeout
    /// passes. An exception is logged and counted; the loop goes on.
    /// </param>
    /// <param name="name">A name for logs and <see cref="EventPublishResult.DroppedBy"/>; <see langword="null"/> for <c>subscriber-N</c>.</param>
    /// <returns>The subscription: dispose it to unsubscribe; it also carries the subscriber's statistics.</returns>
    public PluginEventSubscription Subscribe(Func<PluginEvent, CancellationToken, ValueTask> handler, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            name ??= "subscriber-" + (++_subscriberNumber).ToString(CultureInfo.InvariantCulture);
            var subscription = new PluginEventSubscription(this, handler, name);
            _subscriptions = [.. _subscriptions, subscription];
            subscription.Start();
            return subscription;
        }
    }

    /// <summary>
    /// Stops accepting events, lets every subscriber work through what is queued for it for up to
    /// <see cref="PluginEventBusOptions.ShutdownTimeout"/>, then cancels the handlers and discards the rest; returns
    /// when every reader loop has ended (a handler that ignores its token still delays this).
    /// </summary>
    /// <returns>A task that completes when every reader loop has ended.</returns>
    public async ValueTask DisposeAsync()
    {
        PluginEventSubscription[] subscriptions;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            subscriptions = _subscriptions;
        }

        foreach (PluginEventSubscription subscription in subscriptions)
        {
            subscription.Complete();
        }

        using var timeout = new CancellationTokenSource(_options.ShutdownTimeout, _time);
        using CancellationTokenRegistration registration = timeout.Token.Register(
            static state =>
            {
                foreach (PluginEventSubscription subscription in (PluginEventSubscription[])state!)
                {
                    subscription.Cancel();
                }
            },
            subscriptions);
        await Task.WhenAll(subscriptions.Select(s => s.Completion)).ConfigureAwait(false);
    }

    /// <summary>Removes <paramref name="subscription"/>; called when it is disposed.</summary>
    internal void Remove(PluginEventSubscription subscription)
    {
        lock (_gate)
        {
            int index = Array.IndexOf(_subscriptions, subscription);
            if (index < 0)
            {
                return;
            }

            _subscriptions = [.. _subscriptions[..index], .. _subscriptions[(index + 1)..]];
            _droppedByRemoved += subscription.DroppedCount;
        }
    }

    private EventPublishResult Reject(string code, string message)
    {
        Interlocked.Increment(ref _rejected);
        return EventPublishResult.Rejected(code, message);
    }

    [LoggerMessage(EventId = 600, Level = LogLevel.Error, Message = "Event subscriber {Subscriber} failed on an event from plugin {PluginId} {PluginVersion}")]
    internal static partial void LogHandlerFailed(ILogger logger, Exception exception, string subscriber, string pluginId, string pluginVersion);

    [LoggerMessage(EventId = 601, Level = LogLevel.Warning, Message = "Event subscriber {Subscriber} is not keeping up: its queue of {Capacity} events is full; {Dropped} events dropped for it so far")]
    internal static partial void LogDropping(ILogger logger, string subscriber, int capacity, long dropped);
}
