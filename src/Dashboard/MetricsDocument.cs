using System.Text.Json.Serialization;

namespace Airlock.Dashboard;

/// <summary>The charts' JSON: bucket start in Unix milliseconds, bucket width, one series per plugin.</summary>
internal sealed record MetricsDocument(
    [property: JsonPropertyName("start")] long Start,
    [property: JsonPropertyName("intervalMs")] long IntervalMs,
    [property: JsonPropertyName("buckets")] int Buckets,
    [property: JsonPropertyName("plugins")] IReadOnlyList<MetricsSeries> Plugins)
{
    public static MetricsDocument From(PluginCallMetricsSnapshot snapshot)
        => new(
            snapshot.Start.ToUnixTimeMilliseconds(),
            (long)snapshot.Interval.TotalMilliseconds,
            snapshot.Buckets,
            [.. snapshot.Plugins.Select(p => new MetricsSeries(p.Plugin, p.Calls, p.Errors, p.Denials))]);
}

/// <summary>One plugin's series in <see cref="MetricsDocument"/>.</summary>
internal sealed record MetricsSeries(
    [property: JsonPropertyName("plugin")] string Plugin,
    [property: JsonPropertyName("calls")] IReadOnlyList<long> Calls,
    [property: JsonPropertyName("errors")] IReadOnlyList<long> Errors,
    [property: JsonPropertyName("denials")] IReadOnlyList<long> Denials);

/// <summary>Serialises <see cref="MetricsDocument"/> without reflection.</summary>
[JsonSerializable(typeof(MetricsDocument))]
internal sealed partial class DashboardJson : JsonSerializerContext;
