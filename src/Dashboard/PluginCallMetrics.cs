using System.Diagnostics.Metrics;
using Airlock.Diagnostics;
using Airlock.Runtime;

namespace Airlock.Dashboard;

/// <summary>
/// Calls, errors and denials per plugin, bucketed per <see cref="AirlockDashboardOptions.ChartInterval"/> over the last
/// <see cref="AirlockDashboardOptions.ChartBuckets"/> intervals: what the dashboard's live charts draw. It listens to
/// Airlock's meter (<see cref="AirlockTelemetry.SourceName"/>) with a <see cref="MeterListener"/>: a call is a
/// measurement of <see cref="AirlockTelemetry.Instruments.Calls"/>, an error one whose outcome is not
/// <see cref="AirlockTelemetry.Outcomes.Ok"/>, a denial one of <see cref="AirlockTelemetry.Instruments.Denials"/>.
/// </summary>
/// <remarks>
/// Memory is bounded: a fixed ring of buckets per plugin, and at most <see cref="AirlockDashboardOptions.MaxChartedPlugins"/>
/// plugins (further ones are counted under <see cref="OtherPlugins"/>). Plugin names come from measurement tags and are
/// sanitised and cut like audit names.
/// </remarks>
public sealed class PluginCallMetrics : IDisposable
{
    /// <summary>The series that counts plugins past <see cref="AirlockDashboardOptions.MaxChartedPlugins"/>.</summary>
    public const string OtherPlugins = "(other plugins)";

    private readonly TimeProvider _time;
    private readonly long _intervalTicks;
    private readonly int _buckets;
    private readonly int _maxPlugins;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Series> _series = new(StringComparer.Ordinal);
    private readonly MeterListener _listener;

    /// <summary>Starts listening to Airlock's meter.</summary>
    /// <param name="options">The chart interval, bucket count and plugin bound.</param>
    /// <param name="timeProvider">The clock that places measurements in buckets; <see langword="null"/> for the system clock.</param>
    /// <param name="meterFactory">
    /// The app's meter factory, when it has one: then only the Airlock meter that factory created (the one
    /// <c>AddAirlock</c> records to in that app) and the process-wide Airlock meter (of hosts made without dependency
    /// injection) are read, not the meters of other containers in the same process. <see langword="null"/> reads every
    /// meter named <see cref="AirlockTelemetry.SourceName"/>.
    /// </param>
    public PluginCallMetrics(AirlockDashboardOptions options, TimeProvider? timeProvider = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _time = timeProvider ?? TimeProvider.System;
        _intervalTicks = options.ChartInterval.Ticks;
        _buckets = options.ChartBuckets;
        _maxPlugins = options.MaxChartedPlugins;
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == AirlockTelemetry.SourceName
                    && (meterFactory is null || instrument.Meter.Scope is null || ReferenceEquals(instrument.Meter.Scope, meterFactory))
                    && instrument.Name is AirlockTelemetry.Instruments.Calls or AirlockTelemetry.Instruments.Denials)
                {
                    listener.EnableMeasurementEvents(instrument, null);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>The buckets of every plugin measured in the window, ending with the current (partial) bucket.</summary>
    public PluginCallMetricsSnapshot Snapshot()
    {
        long current = BucketOf(_time.GetUtcNow());
        long first = current - _buckets + 1;
        var plugins = new List<PluginCallSeries>();
        lock (_gate)
        {
            foreach ((string plugin, Series series) in _series.OrderBy(s => s.Key, StringComparer.Ordinal))
            {
                long[] calls = new long[_buckets];
                long[] errors = new long[_buckets];
                long[] denials = new long[_buckets];
                bool any = false;
                for (int i = 0; i < _buckets; i++)
                {
                    long bucket = first + i;
                    int slot = Slot(bucket);
                    if (series.Bucket[slot] == bucket)
                    {
                        calls[i] = series.Calls[slot];
                        errors[i] = series.Errors[slot];
                        denials[i] = series.Denials[slot];
                        any |= calls[i] != 0 || errors[i] != 0 || denials[i] != 0;
                    }
                }

                if (any)
                {
                    plugins.Add(new PluginCallSeries(plugin, calls, errors, denials));
                }
            }
        }

        return new PluginCallMetricsSnapshot(new DateTimeOffset(first * _intervalTicks, TimeSpan.Zero), TimeSpan.FromTicks(_intervalTicks), _buckets, plugins);
    }

    /// <summary>Stops listening.</summary>
    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (value <= 0)
        {
            return;
        }

        string? plugin = null;
        string? outcome = null;
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            if (tag.Key == AirlockTelemetry.Tags.Plugin)
            {
                plugin = tag.Value as string;
            }
            else if (tag.Key == AirlockTelemetry.Tags.Outcome)
            {
                outcome = tag.Value as string;
            }
        }

        if (string.IsNullOrEmpty(plugin))
        {
            return;
        }

        bool denial = instrument.Name == AirlockTelemetry.Instruments.Denials;
        long bucket = BucketOf(_time.GetUtcNow());
        int slot = Slot(bucket);
        lock (_gate)
        {
            if (!_series.TryGetValue(plugin, out Series? series))
            {
                plugin = _series.Count < _maxPlugins ? PluginText.Sanitize(plugin, Auditing.AuditEntry.MaxNameChars) : OtherPlugins;
                series = _series.TryGetValue(plugin, out Series? existing) ? existing : _series[plugin] = new Series(_buckets);
            }

            if (series.Bucket[slot] != bucket)
            {
                series.Bucket[slot] = bucket;
                series.Calls[slot] = 0;
                series.Errors[slot] = 0;
                series.Denials[slot] = 0;
            }

            if (denial)
            {
                series.Denials[slot] += value;
            }
            else
            {
                series.Calls[slot] += value;
                if (!string.Equals(outcome, AirlockTelemetry.Outcomes.Ok, StringComparison.Ordinal))
                {
                    series.Errors[slot] += value;
                }
            }
        }
    }

    private long BucketOf(DateTimeOffset time) => time.UtcTicks / _intervalTicks;

    private int Slot(long bucket) => (int)(bucket % _buckets);

    private sealed class Series
    {
        public Series(int buckets)
        {
            Bucket = new long[buckets];
            Array.Fill(Bucket, -1);
            Calls = new long[buckets];
            Errors = new long[buckets];
            Denials = new long[buckets];
        }

        public long[] Bucket { get; }

        public long[] Calls { get; }

        public long[] Errors { get; }

        public long[] Denials { get; }
    }
}
