using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Airlock.Diagnostics;
using Airlock.EndToEnd.Tests.Security;
using Airlock.Security;
using static Airlock.EndToEnd.Tests.Security.HostileAction;
using static Airlock.EndToEnd.Tests.Security.HostileWorld;

namespace Airlock.EndToEnd.Tests.Diagnostics;

/// <summary>
/// Denials and rate limits counted where the SocialScale host functions refuse a real plugin: HTTP outside the
/// allowlist or without the permission, storage without the permission or over its limits, requests over the
/// plugin's rate limit, and an event flood.
/// </summary>
public sealed class CapabilityMetricsTests : IClassFixture<HostileWorld>, IDisposable
{
    private readonly HostileWorld _world;
    private readonly MeterListener _listener;
    private readonly ConcurrentQueue<(string Instrument, string? Plugin, string? Capability)> _points;

    public CapabilityMetricsTests(HostileWorld world)
    {
        _world = world;
        _listener = Listen(out _points);
    }

    public void Dispose() => _listener.Dispose();

    [Fact]
    public async Task Http_outside_the_allowlist_or_without_permission_is_a_denial_of_http()
    {
        IHostileProbe allowed = await _world.LoadAsync(Everything, id: "metrics-http");
        Assert.True(allowed.Invoke(Http, Bytes(HttpRequestJson("https://" + Domain + "/api/data")), []) > 0);
        Assert.True(allowed.Invoke(Http, Bytes(HttpRequestJson("https://evil.example/steal")), []) < 0);
        IHostileProbe none = await _world.LoadAsync(new PluginPermissions(), id: "metrics-nohttp");
        Assert.True(none.Invoke(Http, Bytes(HttpRequestJson("https://" + Domain + "/api/data")), []) < 0);

        Assert.Equal(1, Count(AirlockTelemetry.Instruments.Denials, "metrics-http", "http"));
        Assert.Equal(1, Count(AirlockTelemetry.Instruments.Denials, "metrics-nohttp", "http"));
    }

    [Fact]
    public async Task Storage_without_permission_or_over_its_limits_is_a_denial_of_kv()
    {
        IHostileProbe none = await _world.LoadAsync(new PluginPermissions(), id: "metrics-nokv");
        Assert.True(none.Invoke(StoreGet, Bytes("key"), []) < 0);
        IHostileProbe big = await _world.LoadAsync(Everything, id: "metrics-bigkv");
        // host_store_set returns nothing: a refusal ends the call.
        Assert.Throws<HostFunctionException>(() => big.Invoke(StoreSet, Bytes(new string('k', 1000)), Bytes("value")));

        Assert.Equal(1, Count(AirlockTelemetry.Instruments.Denials, "metrics-nokv", "kv"));
        Assert.Equal(1, Count(AirlockTelemetry.Instruments.Denials, "metrics-bigkv", "kv"));
    }

    [Fact]
    public async Task Requests_over_the_rate_limit_and_an_event_flood_are_rate_limited()
    {
        IHostileProbe probe = await _world.LoadAsync(Everything, id: "metrics-limited");
        _world.RateLimiter.SetLimit("metrics-limited", 1, TimeSpan.FromHours(1));
        byte[] request = Bytes(HttpRequestJson("https://" + Domain + "/api/data"));
        Assert.True(probe.Invoke(Http, request, []) > 0);
        Assert.Equal(-3, probe.Invoke(Http, request, []));
        Assert.Equal(-3, probe.Invoke(Http, request, []));
        Assert.Equal(2, Count(AirlockTelemetry.Instruments.RateLimited, "metrics-limited", "http"));
        Assert.Equal(0, Count(AirlockTelemetry.Instruments.Denials, "metrics-limited", "http"));

        IHostileProbe flood = await _world.LoadAsync(Everything, id: "metrics-flood");
        Assert.Throws<HostFunctionException>(() => flood.Invoke(Emit + Repeat, new byte[30], Bytes("{\"type\":\"flood\"}")));
        Assert.Equal(1, Count(AirlockTelemetry.Instruments.RateLimited, "metrics-flood", "events"));
    }

    private int Count(string instrument, string plugin, string capability)
        => _points.Count(p => p.Instrument == instrument && p.Plugin == plugin && p.Capability == capability);

    // Every meter named Airlock (the world's host uses the process-wide one); each test's plugin ids are its own.
    private static MeterListener Listen(out ConcurrentQueue<(string Instrument, string? Plugin, string? Capability)> points)
    {
        var queue = new ConcurrentQueue<(string, string?, string?)>();
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == AirlockTelemetry.SourceName && instrument.Name is AirlockTelemetry.Instruments.Denials or AirlockTelemetry.Instruments.RateLimited)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? plugin = null;
            string? capability = null;
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                plugin = tag.Key == AirlockTelemetry.Tags.Plugin ? tag.Value as string : plugin;
                capability = tag.Key == AirlockTelemetry.Tags.Capability ? tag.Value as string : capability;
            }

            for (long i = 0; i < value; i++)
            {
                queue.Enqueue((instrument.Name, plugin, capability));
            }
        });
        listener.Start();
        points = queue;
        return listener;
    }
}
