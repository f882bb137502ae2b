using System.Diagnostics;
using System.Text.Json;
using Airlock.Services;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Airlock.Host.Tests.Services;

/// <summary>The event bus: ordering, bounded queues under a flood, rate limits, validation and failure isolation.</summary>
public sealed class PluginEventBusTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static PluginEvent Event(string pluginId, string json)
    {
        // PluginEvent clones the payload, so the event outlives the document.
        using JsonDocument document = JsonDocument.Parse(json);
        return new PluginEvent(pluginId, "1.0.0", DateTimeOffset.UnixEpoch, document.RootElement);
    }

    private static PluginEvent Numbered(string pluginId, int n) => Event(pluginId, $$"""{"n": {{n}}}""");

    private static async Task Until(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < Wait, "timed out");
            await Task.Delay(5);
        }
    }

    [Fact]
    public async Task Subscribers_receive_every_event_in_publish_order()
    {
        await using var bus = new PluginEventBus(new PluginEventBusOptions { MaxEventsPerSecondPerPlugin = 1000 });
        var first = new List<int>();
        var second = new List<int>();
        using PluginEventSubscription a = bus.Subscribe((e, _) => { first.Add(e.Payload.GetProperty("n").GetInt32()); return ValueTask.CompletedTask; }, "first");
        using PluginEventSubscription b = bus.Subscribe(async (e, ct) => { await Task.Yield(); second.Add(e.Payload.GetProperty("n").GetInt32()); }, "second");
        for (int i = 0; i < 500; i++)
        {
            EventPublishResult result = bus.Publish(Numbered("p", i));
            Assert.True(result.IsPublished);
            Assert.Equal(2, result.DeliveredTo);
        }

        await Until(() => a.HandledCount == 500 && b.HandledCount == 500);
        Assert.Equal(Enumerable.Range(0, 500), first);
        Assert.Equal(Enumerable.Range(0, 500), second);
        Assert.Equal(500, bus.PublishedCount);
        Assert.Equal(0, bus.DroppedCount);
    }

    [Fact]
    public void The_payload_outlives_the_callers_document()
    {
        PluginEvent e;
        using (JsonDocument document = JsonDocument.Parse("""{"a": [1, 2, 3]}"""))
        {
            e = new PluginEvent("p", "1", DateTimeOffset.UnixEpoch, document.RootElement);
        }

        Assert.Equal(3, e.Payload.GetProperty("a").GetArrayLength());
        using JsonDocument other = JsonDocument.Parse("""{"b": true}""");
        PluginEvent changed = e with { Payload = other.RootElement };
        other.Dispose();
        Assert.True(changed.Payload.GetProperty("b").GetBoolean());
    }

    [Fact]
    public async Task A_flood_never_blocks_the_publisher_and_a_stuck_subscriber_queue_stays_bounded()
    {
        var options = new PluginEventBusOptions { Capacity = 1024, MaxEventsPerSecondPerPlugin = 1_000_000 };
        var time = new FakeTimeProvider();
        await using var bus = new PluginEventBus(options, timeProvider: time);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        long fastSeen = 0;
        using PluginEventSubscription stuck = bus.Subscribe(async (_, _) => { entered.TrySetResult(); await release.Task; }, "stuck");
        using PluginEventSubscription fast = bus.Subscribe((_, _) => { Interlocked.Increment(ref fastSeen); return ValueTask.CompletedTask; }, "fast");

        bus.Publish(Numbered("p", -1));
        await entered.Task.WaitAsync(Wait); // the stuck handler holds one event; its queue is empty

        const int Flood = 100_000;
        PluginEvent e = Numbered("p", 0);
        int droppedByStuck = 0;
        int maxQueued = 0;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < Flood; i++)
        {
            EventPublishResult result = bus.Publish(e);
            Assert.True(result.IsPublished);
            if (result.DroppedBy.Contains("stuck"))
            {
                droppedByStuck++;
            }

            if ((i & 1023) == 0)
            {
                maxQueued = Math.Max(maxQueued, stuck.QueuedCount);
            }
        }

        clock.Stop();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"publishing took {clock.Elapsed}");
        Assert.Equal(1024, stuck.QueuedCount);
        Assert.InRange(maxQueued, 0, 1024);
        Assert.Equal(Flood - 1024, droppedByStuck);
        Assert.Equal(Flood - 1024, stuck.DroppedCount);
        Assert.Equal(bus.DroppedCount, stuck.DroppedCount + fast.DroppedCount);

        release.SetResult();
        await Until(() => stuck.HandledCount == 1025 && Interlocked.Read(ref fastSeen) == Flood + 1 - fast.DroppedCount);
        Assert.Equal(0, stuck.QueuedCount);
    }

    [Fact]
    public async Task Each_plugin_is_limited_to_its_events_per_second()
    {
        var time = new FakeTimeProvider();
        await using var bus = new PluginEventBus(new PluginEventBusOptions { MaxEventsPerSecondPerPlugin = 100 }, timeProvider: time);
        for (int i = 0; i < 100; i++)
        {
            Assert.True(bus.Publish(Numbered("flooder", i)).IsPublished);
        }

        EventPublishResult refused = bus.Publish(Numbered("flooder", 100));
        Assert.Equal(EventPublishStatus.Rejected, refused.Status);
        Assert.Equal(EventPublishResult.RateLimited, refused.Code);
        Assert.Contains("100 events a second", refused.Message, StringComparison.Ordinal);
        Assert.True(bus.Publish(Numbered("quiet", 0)).IsPublished); // other plugins are unaffected

        time.Advance(TimeSpan.FromMilliseconds(10)); // 100/s: one event's worth
        Assert.True(bus.Publish(Numbered("flooder", 101)).IsPublished);
        Assert.False(bus.Publish(Numbered("flooder", 102)).IsPublished);

        time.Advance(TimeSpan.FromSeconds(5)); // refills to the burst of 100, no more
        int allowed = 0;
        for (int i = 0; i < 150; i++)
        {
            allowed += bus.Publish(Numbered("flooder", i)).IsPublished ? 1 : 0;
        }

        Assert.Equal(100, allowed);
        Assert.Equal(1 + 1 + 50, bus.RejectedCount);
    }

    [Fact]
    public async Task Oversized_and_non_object_events_are_rejected_and_reach_nobody()
    {
        await using var bus = new PluginEventBus(new PluginEventBusOptions { MaxEventBytes = 64 });
        int seen = 0;
        using PluginEventSubscription s = bus.Subscribe((_, _) => { Interlocked.Increment(ref seen); return ValueTask.CompletedTask; });

        EventPublishResult big = bus.Publish(Event("p", $$"""{"text": "{{new string('x', 60)}}"}"""));
        Assert.Equal(EventPublishResult.EventTooLarge, big.Code);
        Assert.Contains("64", big.Message, StringComparison.Ordinal);
        Assert.True(bus.Publish(Event("p", $$"""{"text": "{{new string('x', 52)}}"}""")).IsPublished); // 64 bytes exactly

        foreach (string json in new[] { "[1, 2]", "\"text\"", "42", "null", "true" })
        {
            EventPublishResult result = bus.Publish(Event("p", json));
            Assert.Equal(EventPublishStatus.Rejected, result.Status);
            Assert.Equal(EventPublishResult.NotAnObject, result.Code);
        }

        Assert.Equal(EventPublishResult.NotAnObject, bus.Publish(new PluginEvent("p", "1", DateTimeOffset.UnixEpoch, default)).Code);
        await Until(() => s.HandledCount == 1);
        Assert.Equal(1, seen);
        Assert.Equal(7, bus.RejectedCount);
    }

    [Fact]
    public async Task A_throwing_subscriber_is_logged_and_does_not_affect_others()
    {
        using var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        await using var bus = new PluginEventBus(logger: factory.CreateLogger<PluginEventBus>());
        int good = 0;
        using PluginEventSubscription bad = bus.Subscribe((e, _) => e.Payload.GetProperty("n").GetInt32() % 2 == 0 ? throw new InvalidOperationException("boom") : ValueTask.CompletedTask, "bad");
        using PluginEventSubscription fine = bus.Subscribe((_, _) => { Interlocked.Increment(ref good); return ValueTask.CompletedTask; }, "fine");
        for (int i = 0; i < 10; i++)
        {
            bus.Publish(Numbered("p", i));
        }

        await Until(() => bad.HandledCount + bad.FaultedCount == 10 && fine.HandledCount == 10);
        Assert.Equal(5, bad.FaultedCount);
        Assert.Equal(5, bad.HandledCount);
        Assert.Equal(10, good);
        Assert.Equal(5, logs.Messages.Count(m => m.Contains("Event subscriber bad failed", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Unsubscribing_stops_delivery_and_ends_the_loop()
    {
        await using var bus = new PluginEventBus();
        int seen = 0;
        PluginEventSubscription s = bus.Subscribe((_, _) => { Interlocked.Increment(ref seen); return ValueTask.CompletedTask; }, "leaving");
        bus.Publish(Numbered("p", 0));
        await Until(() => seen == 1);
        s.Dispose();
        await s.Completion.WaitAsync(Wait);
        Assert.Empty(bus.Subscriptions);
        EventPublishResult after = bus.Publish(Numbered("p", 1));
        Assert.True(after.IsPublished);
        Assert.Equal(0, after.DeliveredTo);
        Assert.Equal(1, seen);
        s.Dispose();
    }

    [Fact]
    public async Task Unsubscribing_cancels_a_running_handler_and_discards_its_queue()
    {
        await using var bus = new PluginEventBus();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int seen = 0;
        PluginEventSubscription s = bus.Subscribe(async (_, ct) => { Interlocked.Increment(ref seen); entered.TrySetResult(); await Task.Delay(Timeout.Infinite, ct); });
        for (int i = 0; i < 5; i++)
        {
            bus.Publish(Numbered("p", i));
        }

        await entered.Task.WaitAsync(Wait);
        s.Dispose();
        await s.Completion.WaitAsync(Wait);
        Assert.Equal(1, seen);
    }

    [Fact]
    public async Task Dispose_drains_queued_events_and_completes_every_loop()
    {
        var bus = new PluginEventBus();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int seen = 0;
        PluginEventSubscription slow = bus.Subscribe(async (_, _) => { await gate.Task; Interlocked.Increment(ref seen); });
        PluginEventSubscription idle = bus.Subscribe((_, _) => ValueTask.CompletedTask);
        for (int i = 0; i < 20; i++)
        {
            bus.Publish(Numbered("p", i));
        }

        ValueTask disposing = bus.DisposeAsync();
        Assert.Equal(EventPublishResult.BusClosed, bus.Publish(Numbered("p", 99)).Code);
        Assert.Throws<ObjectDisposedException>(() => bus.Subscribe((_, _) => ValueTask.CompletedTask));
        gate.SetResult();
        await disposing.AsTask().WaitAsync(Wait);
        Assert.True(slow.Completion.IsCompleted);
        Assert.True(idle.Completion.IsCompleted);
        Assert.Equal(20, seen);
        await bus.DisposeAsync();
    }

    [Fact]
    public async Task Dispose_cancels_handlers_that_outlast_the_shutdown_timeout()
    {
        var time = new FakeTimeProvider();
        var bus = new PluginEventBus(new PluginEventBusOptions { ShutdownTimeout = TimeSpan.FromSeconds(5) }, timeProvider: time);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int seen = 0;
        PluginEventSubscription s = bus.Subscribe(async (_, ct) => { Interlocked.Increment(ref seen); entered.TrySetResult(); await Task.Delay(Timeout.Infinite, ct); });
        for (int i = 0; i < 3; i++)
        {
            bus.Publish(Numbered("p", i));
        }

        await entered.Task.WaitAsync(Wait);
        Task disposing = bus.DisposeAsync().AsTask();
        Assert.False(disposing.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(5));
        await disposing.WaitAsync(Wait);
        Assert.True(s.Completion.IsCompleted);
        Assert.Equal(1, seen); // the two queued events were discarded
    }
}
