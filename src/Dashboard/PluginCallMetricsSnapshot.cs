namespace Airlock.Dashboard;

/// <summary>The chart data at one moment: equal buckets from <see cref="Start"/>, the last one still filling.</summary>
/// <param name="Start">The start of the first bucket.</param>
/// <param name="Interval">The width of each bucket.</param>
/// <param name="Buckets">How many buckets the window has (each series has one count per bucket).</param>
/// <param name="Plugins">One series per plugin measured in the window, by plugin id.</param>
public sealed record PluginCallMetricsSnapshot(DateTimeOffset Start, TimeSpan Interval, int Buckets, IReadOnlyList<PluginCallSeries> Plugins);
