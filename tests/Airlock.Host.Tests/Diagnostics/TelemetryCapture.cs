using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Airlock.Diagnostics;

namespace Airlock.Host.Tests.Diagnostics;

/// <summary>The diagnostics tests attach process-wide activity listeners, so they run apart from each other.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection
{
    public const string Name = "Airlock telemetry";
}

/// <summary>A meter factory of its own per test: the host's instruments are then that test's alone.</summary>
internal sealed class OwnMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = [];

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options);
        lock (_meters)
        {
            _meters.Add(meter);
        }

        return meter;
    }

    public void Dispose()
    {
        lock (_meters)
        {
            foreach (Meter meter in _meters)
            {
                meter.Dispose();
            }
        }
    }
}

/// <summary>One recorded measurement.</summary>
internal sealed record Point(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags)
{
    public string? Tag(string name) => Tags.TryGetValue(name, out object? value) ? value?.ToString() : null;
}

/// <summary>
/// Listens to the Airlock instruments of one meter (a host's own, through <see cref="OwnMeterFactory"/>) with a
/// <see cref="MeterListener"/>, and to Airlock's activity source with an <see cref="ActivityListener"/> that samples
/// everything, keeping the spans of one trace.
/// </summary>
internal sealed class TelemetryCapture : IDisposable
{
    private readonly MeterListener _meters = new();
    private readonly ActivityListener? _spans;
    private readonly ConcurrentQueue<Point> _points = new();
    private readonly ConcurrentQueue<Activity> _stopped = new();

    public TelemetryCapture(Meter meter, bool spans = true)
    {
        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _meters.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Add(instrument, value, tags));
        _meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _meters.Start();
        if (spans)
        {
            _spans = new ActivityListener
            {
                ShouldListenTo = source => source.Name == AirlockTelemetry.SourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = _stopped.Enqueue,
            };
            ActivitySource.AddActivityListener(_spans);
        }
    }

    public IReadOnlyList<Point> Points => [.. _points];

    /// <summary>The measurements of <paramref name="instrument"/> so far.</summary>
    public IReadOnlyList<Point> Of(string instrument) => [.. _points.Where(p => p.Instrument == instrument)];

    /// <summary>The sum of <paramref name="instrument"/>'s measurements whose tags include all of <paramref name="tags"/>.</summary>
    public double Sum(string instrument, params (string Name, string Value)[] tags)
        => Of(instrument).Where(p => tags.All(t => p.Tag(t.Name) == t.Value)).Sum(p => p.Value);

    /// <summary>Reads the observable instruments now; returns what they reported.</summary>
    public IReadOnlyList<Point> Observe()
    {
        int before = _points.Count;
        _meters.RecordObservableInstruments();
        return [.. _points.Skip(before)];
    }

    /// <summary>The Airlock spans stopped so far in <paramref name="trace"/>.</summary>
    public IReadOnlyList<Activity> Spans(ActivityTraceId trace) => [.. _stopped.Where(a => a.TraceId == trace)];

    public void Dispose()
    {
        _meters.Dispose();
        _spans?.Dispose();
    }

    private void Add<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        where T : struct
    {
        var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        _points.Enqueue(new Point(instrument.Name, Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture), copy));
    }
}

/// <summary>The caller's own trace: an activity of a test source, sampled, that Airlock's spans must join.</summary>
internal sealed class CallerTrace : IDisposable
{
    private const string CallerName = "Airlock.Tests.Caller";
    private static readonly ActivitySource Caller = new(CallerName);
    private readonly ActivityListener _listener;

    public CallerTrace()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == CallerName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(_listener);
        Activity = Caller.StartActivity("caller") ?? throw new InvalidOperationException("The caller's activity was not created.");
    }

    public Activity Activity { get; }

    public void Dispose()
    {
        Activity.Dispose();
        _listener.Dispose();
    }
}
