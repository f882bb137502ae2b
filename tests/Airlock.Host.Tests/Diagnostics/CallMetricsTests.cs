using System.Diagnostics;
using Airlock.Diagnostics;
using Airlock.Services;
using Microsoft.Extensions.Logging;
using Wasmtime;
using Tags = Airlock.Diagnostics.AirlockTelemetry.Tags;
using Names = Airlock.Diagnostics.AirlockTelemetry.Instruments;
using Outcomes = Airlock.Diagnostics.AirlockTelemetry.Outcomes;

namespace Airlock.Host.Tests.Diagnostics;

/// <summary>
/// What a host's calls record, on real modules: each outcome with its tags, traps by kind, timeouts, fuel and memory,
/// dropped log lines, and the instances gauge before, during and after a call.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class CallMetricsTests : IAsyncLifetime
{
    private static readonly PluginLimits Quick = PluginLimits.Default with { Timeout = TimeSpan.FromMilliseconds(300), MaxInstances = 2 };
    private readonly OwnMeterFactory _meters = new();
    private PluginHost _host = null!;
    private TelemetryCapture _capture = null!;

    public Task InitializeAsync()
    {
        AirlockInstruments instruments = AirlockInstruments.For(_meters);
        _host = new PluginHost(null, null, null, instruments);
        _capture = new TelemetryCapture(instruments.Meter, spans: false);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _capture.Dispose();
        await _host.DisposeAsync();
        _meters.Dispose();
    }

    [Fact]
    public async Task An_ok_call_counts_once_with_its_duration_memory_and_fuel()
    {
        await using IProbePlugin plugin = await LoadAsync(ProbeModules.Module(), PluginLimits.Default with { FuelPerCall = 1_000_000 });
        Assert.Equal(42, plugin.Ping(41));

        Point call = Assert.Single(_capture.Of(Names.Calls));
        Assert.Equal(1, call.Value);
        Assert.Equal("probe", call.Tag(Tags.Plugin));
        Assert.Equal("ping", call.Tag(Tags.Export));
        Assert.Equal(Outcomes.Ok, call.Tag(Tags.Outcome));

        Point duration = Assert.Single(_capture.Of(Names.CallDuration));
        Assert.InRange(duration.Value, 1e-9, 5);
        Assert.Equal(Outcomes.Ok, duration.Tag(Tags.Outcome));

        Point memory = Assert.Single(_capture.Of(Names.MemoryHighWater));
        Assert.Equal(65536, memory.Value);
        Assert.Equal("probe", memory.Tag(Tags.Plugin));

        // ping is an add and a return: a handful of instructions, never the whole budget.
        Point fuel = Assert.Single(_capture.Of(Names.FuelConsumed));
        Assert.InRange(fuel.Value, 1, 100);
        Assert.Equal("ping", fuel.Tag(Tags.Export));
    }

    [Fact]
    public async Task Fuel_is_recorded_only_for_plugins_with_a_budget()
    {
        await using IProbePlugin plugin = await LoadAsync(ProbeModules.Module(), PluginLimits.Default with { FuelPerCall = null });
        Assert.Equal(2, plugin.Ping(1));
        Assert.Single(_capture.Of(Names.Calls));
        Assert.Empty(_capture.Of(Names.FuelConsumed));
    }

    [Fact]
    public async Task A_plugin_error_is_its_own_outcome_and_not_a_trap()
    {
        string answer = """{"status":"error","code":"bad_input","message":"no","retryable":false}""";
        await using IProbePlugin plugin = await LoadAsync(ProbeModules.Module(doc: ProbeModules.DocAnswering(answer)));
        await Assert.ThrowsAsync<PluginErrorException>(() => plugin.DocAsync(new ProbeRequest("x")).AsTask());

        Assert.Equal(1, _capture.Sum(Names.Calls, (Tags.Export, "doc"), (Tags.Outcome, Outcomes.PluginError)));
        Assert.Empty(_capture.Of(Names.Traps));
        Assert.Empty(_capture.Of(Names.Timeouts));
    }

    [Fact]
    public async Task A_trap_counts_by_its_kind()
    {
        string text = """(func (export "text") (param i32 i32) (result i64) unreachable)""";
        await using IProbePlugin plugin = await LoadAsync(ProbeModules.Module(text: text));
        Assert.Throws<PluginTrapException>(() => plugin.Text("hi"));
        string divide = """(func (export "ping") (param i32) (result i32) (i32.div_s (i32.const 1) (local.get 0)))""";
        await using IProbePlugin divider = await LoadAsync(ProbeModules.Module(ping: divide), id: "divider");
        Assert.Throws<PluginTrapException>(() => divider.Ping(0));

        Point trap = Assert.Single(_capture.Of(Names.Traps), p => p.Tag(Tags.Plugin) == "probe");
        Assert.Equal("unreachable", trap.Tag(Tags.TrapKind));
        Assert.Equal("text", trap.Tag(Tags.Export));
        Assert.Equal("integer_division_by_zero", Assert.Single(_capture.Of(Names.Traps), p => p.Tag(Tags.Plugin) == "divider").Tag(Tags.TrapKind));
        Assert.Equal(1, _capture.Sum(Names.Calls, (Tags.Plugin, "probe"), (Tags.Outcome, Outcomes.Trap)));

        // The plugin serves its next call on a fresh instance, and that call counts as ok.
        Assert.Equal(2, plugin.Ping(1));
        Assert.Equal(1, _capture.Sum(Names.Calls, (Tags.Plugin, "probe"), (Tags.Outcome, Outcomes.Ok)));
    }

    [Fact]
    public async Task Running_out_of_fuel_is_a_trap_of_kind_out_of_fuel()
    {
        string text = """(func (export "text") (param i32 i32) (result i64) (loop $forever (br $forever)) (i64.const 0))""";
        await using IProbePlugin plugin = await LoadAsync(ProbeModules.Module(text: text), Quick with { Timeout = TimeSpan.FromSeconds(10), FuelPerCall = 100_000 });
        Assert.Throws<PluginFuelExhaustedException>(() => plugin.Text("hi"));

        Assert.Equal("out_of_fuel", Assert.Single(_capture.Of(Names.Traps)).Tag(Tags.TrapKind));
        Assert.Equal(1, _capture.Sum(Names.Calls, (Tags.Outcome, Outcomes.Trap)));
        Point fuel = Assert.Single(_capture.Of(Names.FuelConsumed));
        Assert.Equal(100_000, fuel.Value);
    }

    [Fact]
    public async Task A_call_stopped_at_its_deadline_counts_as_a_timeout()
    {
        string text = """(func (export "text") (param i32 i32) (result i64) (loop $forever (br $forever)) (i64.const 0))""";
        await using IProbePlugin plugin = await LoadAsync(ProbeModules.Module(text: text), Quick);
        Assert.Throws<PluginTimeoutException>(() => plugin.Text("hi"));

        Point timeout = Assert.Single(_capture.Of(Names.Timeouts));
        Assert.Equal("text", timeout.Tag(Tags.Export));
        Assert.Equal(1, _capture.Sum(Names.Calls, (Tags.Outcome, Outcomes.Timeout)));
        Point duration = Assert.Single(_capture.Of(Names.CallDuration));
        Assert.InRange(duration.Value, 0.25, 10);
        Assert.Empty(_capture.Of(Names.Traps));
    }

    [Fact]
    public async Task A_malformed_answer_is_a_contract_violation_and_an_oversized_input_is_refused()
    {
        await using IProbePlugin plugin = await LoadAsync(ProbeModules.Module(text: ProbeModules.TextReturningPacked(0xFFFF0000_0000000AUL)));
        Assert.Throws<GuestMemoryAccessException>(() => plugin.Text("hi"));
        Assert.Equal(1, _capture.Sum(Names.Calls, (Tags.Plugin, "probe"), (Tags.Outcome, Outcomes.ContractViolation)));

        // A fixed-offset plugin's input window ends at its first data above the input offset: a larger input is refused before it runs.
        var options = new PluginLoadOptions().AddImports<IHookProbeHost>(new HookProbeHost());
        await using IHookProbe hook = await _host.LoadModuleAsync<IHookProbe>("windowed", ProbeModules.Compile(HookModules.Module()), options);
        Assert.Throws<PluginInputTooLargeException>(() => hook.Transform(new string('x', 200_000)));
        Assert.Equal(1, _capture.Sum(Names.Calls, (Tags.Plugin, "windowed"), (Tags.Export, "transform"), (Tags.Outcome, Outcomes.Refused)));
    }

    [Fact]
    public async Task A_cancelled_call_is_its_own_outcome()
    {
        string doc = """(func (export "doc") (param i32 i32) (result i64) (loop $forever (br $forever)) (i64.const 0))""";
        await using IProbePlugin plugin = await LoadAsync(ProbeModules.Module(doc: doc), PluginLimits.Default with { Timeout = TimeSpan.FromSeconds(10) });
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => plugin.DocAsync(new ProbeRequest("x"), cancel.Token).AsTask());
        Assert.Equal(1, _capture.Sum(Names.Calls, (Tags.Outcome, Outcomes.Cancelled)));
    }

    [Fact]
    public async Task Log_lines_over_the_rate_limit_are_counted_as_dropped_and_rate_limited()
    {
        // Each call writes one line to stdout; the limit lets 2 through.
        string wat = ProbeModules.Module(
            imports: """(import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))""",
            ping: """
                (data (i32.const 2048) "line\n")
                (func (export "ping") (param i32) (result i32)
                  (i32.store (i32.const 2064) (i32.const 2048))
                  (i32.store (i32.const 2068) (i32.const 5))
                  (drop (call $fd_write (i32.const 1) (i32.const 2064) (i32.const 1) (i32.const 2072)))
                  (local.get 0))
                """);
        var limiter = new LogRateLimiter(new LogRateLimiterOptions { LinesPerSecond = 1, Burst = 2 }, new Microsoft.Extensions.Time.Testing.FakeTimeProvider()) { Instruments = _host.Instruments };
        var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        await using var host = new PluginHost(null, factory, null, _host.Instruments);
        await using IProbePlugin plugin = await host.LoadModuleAsync<IProbePlugin>("chatty", ProbeModules.Compile(wat), new PluginLoadOptions { LogLimiter = limiter });
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(i, plugin.Ping(i));
        }

        Assert.Equal(3, _capture.Sum(Names.LogDropped, (Tags.Plugin, "chatty")));
        Assert.Equal(3, _capture.Sum(Names.RateLimited, (Tags.Plugin, "chatty"), (Tags.Capability, "log")));
        Assert.Equal(3, limiter.Dropped("chatty"));
        Assert.Equal(5, _capture.Sum(Names.Calls, (Tags.Plugin, "chatty"), (Tags.Outcome, Outcomes.Ok)));
    }

    [Fact]
    public async Task The_instances_gauge_reports_live_and_idle_instances_before_during_and_after_calls()
    {
        IReadOnlyList<Point>? during = null;
        var host = new ObservingHost(() => during = _capture.Observe());
        var options = new PluginLoadOptions { Limits = PluginLimits.Default with { MaxInstances = 3 } }.AddImports<IHookProbeHost>(host);
        await using IHookProbe plugin = await _host.LoadModuleAsync<IHookProbe>("hooked", ProbeModules.Compile(HookModules.Module(HookModules.FetchingTransform, imports: HookModules.FetchImport, withLast: false)), options);

        // After the load: the warm instance, idle.
        IReadOnlyList<Point> loaded = _capture.Observe();
        Assert.Equal(1, Gauge(loaded, "hooked", "live"));
        Assert.Equal(1, Gauge(loaded, "hooked", "idle"));

        Assert.Equal("value-of-key", plugin.Transform("key"));

        // During the call (seen from its host function): one live instance, none idle.
        Assert.NotNull(during);
        Assert.Equal(1, Gauge(during, "hooked", "live"));
        Assert.Equal(0, Gauge(during, "hooked", "idle"));

        // After it, idle again; after unloading, the plugin is no longer reported.
        Assert.Equal(1, Gauge(_capture.Observe(), "hooked", "idle"));
        await plugin.DisposeAsync();
        Assert.DoesNotContain(_capture.Observe(), p => p.Tag(Tags.Plugin) == "hooked");
    }

    private static double Gauge(IReadOnlyList<Point> points, string plugin, string state)
        => Assert.Single(points, p => p.Instrument == Names.Instances && p.Tag(Tags.Plugin) == plugin && p.Tag(Tags.State) == state).Value;

    private Task<IProbePlugin> LoadAsync(string wat, PluginLimits? limits = null, string id = "probe")
        => _host.LoadModuleAsync<IProbePlugin>(id, ProbeModules.Compile(wat), new PluginLoadOptions { Limits = limits });

    /// <summary>The hook probe's host, which reads the gauges while the plugin's call is running.</summary>
    private sealed class ObservingHost(Action observe) : IHookProbeHost
    {
        public string? Fetch(string key)
        {
            observe();
            return "value-of-" + key;
        }

        public int Twice(int value) => value * 2;
    }
}
