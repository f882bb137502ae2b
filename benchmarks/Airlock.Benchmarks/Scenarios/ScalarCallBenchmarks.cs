using Airlock.Benchmarks.Plugins;
using Airlock.Benchmarks.Raw;
using BenchmarkDotNet.Attributes;

namespace Airlock.Benchmarks.Scenarios;

/// <summary>
/// Scenario 1: a scalar export, <c>add: (i32, i32) -> i32</c> of <c>bench-c</c>. The generated
/// <see cref="IBenchPlugin.Add"/> against a hand-written call through a cached
/// <c>Func&lt;int, int, int&gt;</c>, both renting a pooled instance and setting fuel and the epoch
/// deadline per call.
/// </summary>
[MemoryDiagnoser]
public class ScalarCallBenchmarks
{
    private readonly BenchHostServices _services = new();
    private PluginHost? _host;
    private IBenchPlugin? _plugin;
    private RawEngine? _engine;
    private RawBenchPlugin? _raw;
    private readonly int _a = 40;
    private readonly int _b = 2;

    /// <summary>Loads both paths and checks they agree.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _host = new PluginHost();
        _plugin = BenchSetup.LoadBench(_host, _services);
        _engine = new RawEngine();
        _raw = new RawBenchPlugin(_engine, BenchModules.Bench, _services, PluginLimits.Default);

        Check.Same("add(40, 2)", _raw.Add(_a, _b), _plugin.Add(_a, _b));
        Check.That(_plugin.Add(_a, _b) == 42, "add(40, 2) is not 42.");
        Check.Same("add(int.MaxValue, 1)", _raw.Add(int.MaxValue, 1), _plugin.Add(int.MaxValue, 1));
    }

    /// <summary>Unloads both.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        BenchSetup.Unload(_plugin);
        _host?.Dispose();
        _raw?.Dispose();
        _engine?.Dispose();
    }

    /// <summary>The hand-written raw-Wasmtime call.</summary>
    [Benchmark(Baseline = true)]
    public int HandWrittenWasmtime() => _raw!.Add(_a, _b);

    /// <summary>The generated <see cref="IBenchPlugin.Add"/>.</summary>
    [Benchmark]
    public int AirlockGenerated() => _plugin!.Add(_a, _b);
}
