using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Airlock.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Tags = Airlock.Diagnostics.AirlockTelemetry.Tags;
using Names = Airlock.Diagnostics.AirlockTelemetry.Instruments;

namespace Airlock.Host.Tests.Diagnostics;

/// <summary>
/// The real OpenTelemetry SDK wired with <c>AddAirlockInstrumentation()</c>: what an in-memory exporter receives
/// from a host's calls, and what a monitoring system scrapes from the Prometheus exporter over loopback HTTP.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class OpenTelemetryTests
{
    [Fact]
    public async Task The_sdk_exports_airlock_metrics_and_spans_in_the_callers_trace()
    {
        var metrics = new List<Metric>();
        var spans = new List<Activity>();
        using MeterProvider meterProvider = Sdk.CreateMeterProviderBuilder().AddAirlockInstrumentation().AddInMemoryExporter(metrics).Build();
        using TracerProvider tracerProvider = Sdk.CreateTracerProviderBuilder().AddSource("Airlock.Tests.Caller").AddAirlockInstrumentation().AddInMemoryExporter(spans).Build();

        // The plain constructor: the process-wide meter.
        await using var host = new PluginHost();
        using var caller = new CallerTrace();
        string text = """(func (export "text") (param i32 i32) (result i64) unreachable)""";
        await using IProbePlugin plugin = await host.LoadModuleAsync<IProbePlugin>("otel-plugin", ProbeModules.Compile(ProbeModules.Module(text: text)));
        Assert.Equal(42, plugin.Ping(41));
        Assert.Equal(43, plugin.Ping(42));
        Assert.Throws<PluginTrapException>(() => plugin.Text("x"));
        caller.Activity.Stop();

        Assert.True(meterProvider.ForceFlush());
        Assert.True(tracerProvider.ForceFlush());

        Dictionary<string, long> calls = Sums(metrics, Names.Calls, "otel-plugin", point => $"{point[Tags.Export]}/{point[Tags.Outcome]}");
        Assert.Equal(2, calls["ping/ok"]);
        Assert.Equal(1, calls["text/trap"]);
        Assert.Equal(1, Sums(metrics, Names.Traps, "otel-plugin", point => (string)point[Tags.TrapKind]!)["unreachable"]);

        Metric duration = metrics.Last(m => m.Name == Names.CallDuration);
        Assert.Equal("s", duration.Unit);
        Assert.Equal(AirlockTelemetry.SourceName, duration.MeterName);
        long histogramCount = 0;
        foreach (ref readonly MetricPoint point in duration.GetMetricPoints())
        {
            if (TagsOf(point).TryGetValue(Tags.Plugin, out object? plugin1) && (string?)plugin1 == "otel-plugin")
            {
                histogramCount += point.GetHistogramCount();
            }
        }

        Assert.Equal(3, histogramCount);

        Activity load = Assert.Single(spans, s => s.OperationName == AirlockTelemetry.Spans.Load && (string?)s.GetTagItem(Tags.Plugin) == "otel-plugin");
        Assert.Equal(caller.Activity.TraceId, load.TraceId);
        Assert.Equal(caller.Activity.SpanId, load.ParentSpanId);
        var callSpans = spans.Where(s => s.OperationName == AirlockTelemetry.Spans.Call && (string?)s.GetTagItem(Tags.Plugin) == "otel-plugin").ToList();
        Assert.Equal(3, callSpans.Count);
        Assert.All(callSpans, s => Assert.Equal(caller.Activity.SpanId, s.ParentSpanId));
        Activity trapped = Assert.Single(callSpans, s => s.Status == ActivityStatusCode.Error);
        Assert.Equal("text", trapped.GetTagItem(Tags.Export));
        Assert.Equal(typeof(PluginTrapException).FullName, trapped.GetTagItem(Tags.ErrorType));
        Assert.Equal(AirlockInstruments.Version, trapped.Source.Version);
    }

    [Fact]
    public async Task A_monitoring_system_scrapes_airlock_metrics_from_the_prometheus_endpoint()
    {
        int port = FreePort();
        using MeterProvider meterProvider = Sdk.CreateMeterProviderBuilder()
            .AddAirlockInstrumentation()
            .AddPrometheusHttpListener(options =>
            {
                options.Host = "localhost";
                options.Port = port;
            })
            .Build();

        await using var host = new PluginHost();
        await using IProbePlugin plugin = await host.LoadModuleAsync<IProbePlugin>("scraped", ProbeModules.Compile(ProbeModules.Module()));
        Assert.Equal(2, plugin.Ping(1));

        using var http = new HttpClient();
        string body = await http.GetStringAsync(new Uri($"http://localhost:{port}/metrics"));
        string[] lines = body.Split('\n');

        string calls = Assert.Single(lines, l => l.StartsWith("airlock_plugin_calls_total{", StringComparison.Ordinal) && l.Contains("airlock_plugin=\"scraped\"", StringComparison.Ordinal));
        Assert.Contains("airlock_export=\"ping\"", calls, StringComparison.Ordinal);
        Assert.Contains("airlock_outcome=\"ok\"", calls, StringComparison.Ordinal);
        Assert.EndsWith(" 1", calls.Split(' ', 3) is [_, var value, ..] ? " " + value : calls, StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("airlock_plugin_call_duration_seconds_count{", StringComparison.Ordinal) && l.Contains("airlock_plugin=\"scraped\"", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("airlock_plugin_instances{", StringComparison.Ordinal) && l.Contains("airlock_plugin=\"scraped\"", StringComparison.Ordinal) && l.Contains("airlock_state=\"idle\"", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("airlock_module_load_duration_seconds_count{", StringComparison.Ordinal) && l.Contains("airlock_plugin=\"scraped\"", StringComparison.Ordinal));
    }

    private static Dictionary<string, long> Sums(List<Metric> metrics, string name, string plugin, Func<Dictionary<string, object?>, string> key)
    {
        // A cumulative exporter's last batch holds the totals.
        var sums = new Dictionary<string, long>(StringComparer.Ordinal);
        Metric metric = metrics.Last(m => m.Name == name);
        foreach (ref readonly MetricPoint point in metric.GetMetricPoints())
        {
            Dictionary<string, object?> tags = TagsOf(point);
            if (tags.TryGetValue(Tags.Plugin, out object? value) && (string?)value == plugin)
            {
                string k = key(tags);
                sums[k] = sums.GetValueOrDefault(k) + point.GetSumLong();
            }
        }

        return sums;
    }

    private static Dictionary<string, object?> TagsOf(in MetricPoint point)
    {
        var tags = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, object?> tag in point.Tags)
        {
            tags[tag.Key] = tag.Value;
        }

        return tags;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
