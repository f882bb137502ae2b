using Airlock.Benchmarks.Plugins;
using Airlock.Benchmarks.Raw;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace Airlock.Benchmarks.Scenarios;

/// <summary>
/// Scenario 4: guest-to-host calls. <c>bench-c</c>'s <c>bench_log(n)</c> and <c>bench_store_get(n)</c>
/// call <c>env.host_log</c> (a 36-byte UTF-8 message in) and <c>env.host_store_get</c> (a 9-byte key in,
/// a 32-byte value allocated in the guest out) <see cref="Calls"/> times in one export call; the time
/// reported is per import call. The generated <see cref="Contracts.SocialScale.ISocialScaleHost"/>
/// wiring against hand-written <c>Linker.DefineFunction</c> callbacks with the same checks, both ending
/// in the same <see cref="BenchHostServices"/> code.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class HostImportBenchmarks
{
    /// <summary>Import calls per export call.</summary>
    public const int Calls = 1000;

    private readonly BenchHostServices _services = new();
    private BenchPair? _pair;
    private IBenchPlugin? _plugin;
    private RawBenchPlugin? _raw;

    /// <summary>Loads both paths and checks the guest saw the same answers.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _pair = new BenchPair(_services);
        _plugin = _pair.Plugin;
        _raw = _pair.Raw;

        long lines = _services.LogLines;
        Check.Same("bench_log", _raw.Log(Calls), _plugin.Log(Calls));
        Check.That(_services.LogLines - lines == 2L * Calls, $"bench_log: the host received {_services.LogLines - lines} log lines, not {2 * Calls}.");

        int expected = (int)((long)Calls * BenchHostServices.StoreValue.Sum(b => (long)b) & 0x7FFFFFFF);
        Check.Same("bench_store_get", _raw.StoreGet(Calls), _plugin.StoreGet(Calls));
        Check.That(_plugin.StoreGet(Calls) == expected, $"bench_store_get: the guest summed {_plugin.StoreGet(Calls)}, not {expected}.");
    }

    /// <summary>Unloads both.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _pair?.Dispose();
    }

    /// <summary><c>host_log</c>, hand-written.</summary>
    [BenchmarkCategory("host_log")]
    [Benchmark(Baseline = true, OperationsPerInvoke = Calls)]
    public int HostLog_HandWrittenWasmtime() => _raw!.Log(Calls);

    /// <summary><c>host_log</c>, generated.</summary>
    [BenchmarkCategory("host_log")]
    [Benchmark(OperationsPerInvoke = Calls)]
    public int HostLog_AirlockGenerated() => _plugin!.Log(Calls);

    /// <summary><c>host_store_get</c>, hand-written.</summary>
    [BenchmarkCategory("host_store_get")]
    [Benchmark(Baseline = true, OperationsPerInvoke = Calls)]
    public int HostStoreGet_HandWrittenWasmtime() => _raw!.StoreGet(Calls);

    /// <summary><c>host_store_get</c>, generated.</summary>
    [BenchmarkCategory("host_store_get")]
    [Benchmark(OperationsPerInvoke = Calls)]
    public int HostStoreGet_AirlockGenerated() => _plugin!.StoreGet(Calls);
}
