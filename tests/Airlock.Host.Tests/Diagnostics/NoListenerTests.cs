using System.Diagnostics;
using Airlock.Diagnostics;

namespace Airlock.Host.Tests.Diagnostics;

/// <summary>With nothing listening, calls record nothing, read no clock for telemetry, open no span and allocate nothing.</summary>
[Collection(TelemetryCollection.Name)]
public sealed class NoListenerTests
{
    [Fact]
    public async Task Without_listeners_calls_serve_and_record_nothing()
    {
        using var meters = new OwnMeterFactory();
        AirlockInstruments instruments = AirlockInstruments.For(meters);
        await using var host = new PluginHost(null, null, null, instruments);
        await using IProbePlugin plugin = await host.LoadModuleAsync<IProbePlugin>("quiet", ProbeModules.Compile(ProbeModules.Module()));

        // Nothing subscribes to this host's meter (the tests' listeners enable one meter each), and no
        // test of this collection runs beside this one with an activity listener.
        Assert.False(instruments.ObservesCalls);
        Assert.False(AirlockInstruments.Source.HasListeners());
        Assert.Null(Activity.Current);

        Assert.Equal(42, plugin.Ping(41));
        Assert.Equal("hello", plugin.Text("hello"));
        Assert.Null(Activity.Current);

        // The scalar call path allocates nothing on the calling thread, with the telemetry checks in it.
        for (int i = 0; i < 100; i++)
        {
            plugin.Ping(i);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            plugin.Ping(i);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        // A listener attached afterwards sees the calls from then on, and none of the earlier ones.
        using var capture = new TelemetryCapture(instruments.Meter, spans: false);
        Assert.Empty(capture.Points);
        Assert.True(instruments.ObservesCalls);
        Assert.Equal(2, plugin.Ping(1));
        Assert.Equal(1, capture.Sum(AirlockTelemetry.Instruments.Calls));
    }
}
