using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Airlock.Benchmarks.Plugins;

/// <summary>
/// What a monitoring setup attaches, at its cheapest: a <see cref="MeterListener"/> that enables every Airlock
/// instrument and adds up what they record, and an <see cref="ActivityListener"/> that samples every Airlock span
/// (all data, recorded). The "listener attached" benchmark rows measure the host's instrumentation with these in
/// place; an exporter's own work (aggregation, export) comes on top.
/// </summary>
public sealed class TelemetryListeners : IDisposable
{
    private readonly MeterListener _meters = new();
    private readonly ActivityListener? _spans;
    private long _measurements;
    private long _stopped;

    /// <summary>Attaches the listeners.</summary>
    /// <param name="spans">Whether to sample spans too (false: metrics only, as a Prometheus-only setup).</param>
    public TelemetryListeners(bool spans = true)
    {
        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Airlock")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meters.SetMeasurementEventCallback<long>((_, _, _, _) => _measurements++);
        _meters.SetMeasurementEventCallback<int>((_, _, _, _) => _measurements++);
        _meters.SetMeasurementEventCallback<double>((_, _, _, _) => _measurements++);
        _meters.Start();
        if (!spans)
        {
            return;
        }

        _spans = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Airlock",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _ => _stopped++,
        };
        ActivitySource.AddActivityListener(_spans);
    }

    /// <summary>Fails unless the listeners saw the measurements and spans of at least one call.</summary>
    public void CheckObserved(string what)
    {
        Check.That(_measurements > 0, $"{what}: the meter listener saw no measurement.");
        Check.That(_spans is null || _stopped > 0, $"{what}: the activity listener saw no span.");
    }

    public void Dispose()
    {
        _meters.Dispose();
        _spans?.Dispose();
    }
}
