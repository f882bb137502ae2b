using Airlock.Benchmarks.Plugins;
using Airlock.Benchmarks.Raw;
using BenchmarkDotNet.Attributes;

namespace Airlock.Benchmarks.Scenarios;

/// <summary>
/// Scenario 1: a scalar export, <c>add: (i32, i32) -> i32</c> of <c>bench-c</c>. The generated
/// <see cref="IBenchPlugin.Add"/> against a hand-written call through a cached
/// <c>Func&lt;int, int, int&gt;</c> with the same safety work (a pooled instance, the deadline per call),
/// and the unguarded raw-Wasmtime call (<see cref="RawUnguardedBench"/>): the baseline of the ratios.
/// <c>AirlockGenerated_ListenerAttached</c> is the generated call with every Airlock instrument enabled and every
/// Airlock span sampled (<see cref="TelemetryListeners"/>), <c>AirlockGenerated_MeterListenerOnly</c> with the
/// instruments enabled and no span sampled; the other rows run with nothing listening.
/// </summary>
[MemoryDiagnoser]
public class ScalarCallBenchmarks
{
    private readonly BenchHostServices _services = new();
    private BenchPair? _pair;
    private IBenchPlugin? _plugin;
    private RawBenchPlugin? _raw;
    private RawUnguardedBench? _unguarded;
    private readonly int _a = 40;
    private readonly int _b = 2;
    private TelemetryListeners? _listeners;

    /// <summary>Loads both paths and checks they agree.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _pair = new BenchPair(_services);
        _plugin = _pair.Plugin;
        _raw = _pair.Raw;
        _unguarded = new RawUnguardedBench(_services);

        Check.Same("add(40, 2)", _raw.Add(_a, _b), _plugin.Add(_a, _b));
        Check.Same("add(40, 2) unguarded", _unguarded.Add(_a, _b), _plugin.Add(_a, _b));
        Check.That(_plugin.Add(_a, _b) == 42, "add(40, 2) is not 42.");
        Check.Same("add(int.MaxValue, 1)", _raw.Add(int.MaxValue, 1), _plugin.Add(int.MaxValue, 1));
    }

    /// <summary>Loads both paths, then attaches the telemetry listeners.</summary>
    [GlobalSetup(Target = nameof(AirlockGenerated_ListenerAttached))]
    public void SetupListened()
    {
        Setup();
        _listeners = new TelemetryListeners();
        Check.That(_plugin!.Add(_a, _b) == 42, "add(40, 2) with listeners is not 42.");
        _listeners.CheckObserved("add(40, 2)");
    }

    /// <summary>Loads both paths, then attaches a meter listener only.</summary>
    [GlobalSetup(Target = nameof(AirlockGenerated_MeterListenerOnly))]
    public void SetupMetersOnly()
    {
        Setup();
        _listeners = new TelemetryListeners(spans: false);
        Check.That(_plugin!.Add(_a, _b) == 42, "add(40, 2) with a meter listener is not 42.");
        _listeners.CheckObserved("add(40, 2), metrics only");
    }

    /// <summary>Unloads both.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _pair?.Dispose();
        _unguarded?.Dispose();
    }

    /// <summary>Detaches the listeners and unloads both.</summary>
    [GlobalCleanup(Targets = [nameof(AirlockGenerated_ListenerAttached), nameof(AirlockGenerated_MeterListenerOnly)])]
    public void CleanupListened()
    {
        _listeners?.Dispose();
        Cleanup();
    }

    /// <summary>The raw Wasmtime call without any safety work.</summary>
    [Benchmark(Baseline = true)]
    public int RawWasmtime_Unguarded() => _unguarded!.Add(_a, _b);

    /// <summary>The hand-written raw-Wasmtime call with the host's safety work.</summary>
    [Benchmark]
    public int HandWrittenWasmtime() => _raw!.Add(_a, _b);

    /// <summary>The generated <see cref="IBenchPlugin.Add"/>.</summary>
    [Benchmark]
    public int AirlockGenerated() => _plugin!.Add(_a, _b);

    /// <summary>The generated <see cref="IBenchPlugin.Add"/> with a meter listener and an activity listener attached.</summary>
    [Benchmark]
    public int AirlockGenerated_ListenerAttached() => _plugin!.Add(_a, _b);

    /// <summary>The generated <see cref="IBenchPlugin.Add"/> with a meter listener attached and no activity listener.</summary>
    [Benchmark]
    public int AirlockGenerated_MeterListenerOnly() => _plugin!.Add(_a, _b);
}
