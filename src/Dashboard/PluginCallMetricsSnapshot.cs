namespace Airlock.Dashboard;

/// <summary>The chart data at one moment: equal buckets from <see cref="Start"/>, the last one still filling.</summary>
/// <param name="Start">The start of the first bucket.</param>
/// <param name="Interval">The width of each bucket.</param>
/// <param name="Plugins">One series per plugin measured in the window, by plugin id.</param>
public sealed record PluginCallMetricsSnapshot(DateTimeOffset Start, TimeSpan Interval, IReadOnlyList<PluginCallSeries> Plugins);

/// <summary>One plugin's counts per bucket.</summary>
/// <param name="Plugin">The plugin's id as its measurements name it (hostile text: encode it to show it).</param>
/// <param name="Calls">Completed calls per bucket, whatever their outcome.</param>
/// <param name="Errors">Calls per bucket whose outcome was not <c>ok</c>.</param>
/// <param name="Denials">Capability denials per bucket.</param>
public sealed record PluginCallSeries(string Plugin, IReadOnlyList<long> Calls, IReadOnlyList<long> Errors, IReadOnlyList<long> Denials);
