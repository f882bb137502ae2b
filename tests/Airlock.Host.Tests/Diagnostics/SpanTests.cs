using System.Diagnostics;
using Airlock.Diagnostics;
using Tags = Airlock.Diagnostics.AirlockTelemetry.Tags;
using Spans = Airlock.Diagnostics.AirlockTelemetry.Spans;

namespace Airlock.Host.Tests.Diagnostics;

/// <summary>Spans for load, call and host function, in the caller's trace, with their tags and error status.</summary>
[Collection(TelemetryCollection.Name)]
public sealed class SpanTests : IAsyncLifetime
{
    private readonly OwnMeterFactory _meters = new();
    private PluginHost _host = null!;
    private TelemetryCapture _capture = null!;

    public Task InitializeAsync()
    {
        AirlockInstruments instruments = AirlockInstruments.For(_meters);
        _host = new PluginHost(null, null, null, instruments);
        _capture = new TelemetryCapture(instruments.Meter);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _capture.Dispose();
        await _host.DisposeAsync();
        _meters.Dispose();
    }

    [Fact]
    public async Task Load_call_and_host_function_spans_are_children_of_the_callers_activity()
    {
        using var caller = new CallerTrace();
        var options = new PluginLoadOptions().AddImports<IHookProbeHost>(new HookProbeHost());
        await using IHookProbe plugin = await _host.LoadModuleAsync<IHookProbe>("traced", ProbeModules.Compile(HookModules.Module(HookModules.FetchingTransform, imports: HookModules.FetchImport, withLast: false)), options);
        Assert.Equal("value-of-key", plugin.Transform("key"));
        Assert.Same(caller.Activity, Activity.Current);

        IReadOnlyList<Activity> spans = _capture.Spans(caller.Activity.TraceId);
        Activity load = Assert.Single(spans, s => s.OperationName == Spans.Load);
        Assert.Equal(caller.Activity.SpanId, load.ParentSpanId);
        Assert.Equal("traced", load.GetTagItem(Tags.Plugin));
        Assert.Equal("0.0.0", load.GetTagItem(Tags.Version));
        Assert.Equal("compile", load.GetTagItem(Tags.Source));
        Assert.Equal(ActivityStatusCode.Unset, load.Status);

        Activity call = Assert.Single(spans, s => s.OperationName == Spans.Call);
        Assert.Equal(caller.Activity.SpanId, call.ParentSpanId);
        Assert.Equal("traced", call.GetTagItem(Tags.Plugin));
        Assert.Equal("transform", call.GetTagItem(Tags.Export));
        Assert.Equal(AirlockTelemetry.Outcomes.Ok, call.GetTagItem(Tags.Outcome));
        Assert.Equal(ActivityKind.Internal, call.Kind);

        Activity hostFunction = Assert.Single(spans, s => s.OperationName == Spans.HostFunction);
        Assert.Equal(call.SpanId, hostFunction.ParentSpanId);
        Assert.Equal("probe", hostFunction.GetTagItem(Tags.HostModule));
        Assert.Equal("fetch", hostFunction.GetTagItem(Tags.HostFunction));
        Assert.Equal("transform", hostFunction.GetTagItem(Tags.Export));
        Assert.True(hostFunction.StartTimeUtc >= call.StartTimeUtc && hostFunction.Duration <= call.Duration);
    }

    [Fact]
    public async Task A_failed_call_and_its_failed_host_function_are_marked_with_the_error_type()
    {
        var options = new PluginLoadOptions().AddImports<IHookProbeHost>(new HookProbeHost());
        await using IHookProbe plugin = await _host.LoadModuleAsync<IHookProbe>("failing", ProbeModules.Compile(HookModules.Module(HookModules.FetchingTransform, imports: HookModules.FetchImport, withLast: false)), options);
        using var caller = new CallerTrace();

        // "declined" is refused by the host with PermissionDenied; on the plain encoding that ends the call.
        Assert.Throws<HostFunctionException>(() => plugin.Transform("declined"));

        IReadOnlyList<Activity> spans = _capture.Spans(caller.Activity.TraceId);
        Activity call = Assert.Single(spans, s => s.OperationName == Spans.Call);
        Assert.Equal(ActivityStatusCode.Error, call.Status);
        Assert.Equal(typeof(HostFunctionException).FullName, call.GetTagItem(Tags.ErrorType));
        Assert.Equal(AirlockTelemetry.Outcomes.HostError, call.GetTagItem(Tags.Outcome));

        Activity hostFunction = Assert.Single(spans, s => s.OperationName == Spans.HostFunction);
        Assert.Equal(call.SpanId, hostFunction.ParentSpanId);
        Assert.Equal(ActivityStatusCode.Error, hostFunction.Status);
        Assert.Equal(typeof(HostFunctionException).FullName, hostFunction.GetTagItem(Tags.ErrorType));
    }

    [Fact]
    public async Task A_trap_marks_the_call_span_and_a_refused_load_marks_the_load_span()
    {
        using var caller = new CallerTrace();
        string text = """(func (export "text") (param i32 i32) (result i64) unreachable)""";
        await using IProbePlugin plugin = await _host.LoadModuleAsync<IProbePlugin>("trapping", ProbeModules.Compile(ProbeModules.Module(text: text)));
        Assert.Throws<PluginTrapException>(() => plugin.Text("x"));
        await Assert.ThrowsAsync<PluginContractException>(() => _host.LoadModuleAsync<IProbePlugin>("incomplete", ProbeModules.Compile("""(module (memory (export "memory") 1))""")));

        IReadOnlyList<Activity> spans = _capture.Spans(caller.Activity.TraceId);
        Activity call = Assert.Single(spans, s => s.OperationName == Spans.Call);
        Assert.Equal(ActivityStatusCode.Error, call.Status);
        Assert.Equal(typeof(PluginTrapException).FullName, call.GetTagItem(Tags.ErrorType));
        Assert.Equal(AirlockTelemetry.Outcomes.Trap, call.GetTagItem(Tags.Outcome));

        Activity refused = Assert.Single(spans, s => s.OperationName == Spans.Load && (string?)s.GetTagItem(Tags.Plugin) == "incomplete");
        Assert.Equal(ActivityStatusCode.Error, refused.Status);
        Assert.Equal(typeof(PluginContractException).FullName, refused.GetTagItem(Tags.ErrorType));
        Assert.Same(caller.Activity, Activity.Current);
    }

    [Fact]
    public async Task Async_calls_join_the_trace_of_the_awaiting_caller()
    {
        await using IProbePlugin plugin = await _host.LoadModuleAsync<IProbePlugin>("async", ProbeModules.Compile(ProbeModules.Module()));
        using var caller = new CallerTrace();
        ProbeResult result = await plugin.DocAsync(new ProbeRequest("x"));
        Assert.Equal("fine", result.Value);
        Activity call = Assert.Single(_capture.Spans(caller.Activity.TraceId), s => s.OperationName == Spans.Call);
        Assert.Equal(caller.Activity.SpanId, call.ParentSpanId);
        Assert.Equal("doc", call.GetTagItem(Tags.Export));
    }
}
