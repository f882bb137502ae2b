using Airlock.Benchmarks.Plugins;
using Airlock.Benchmarks.Raw;
using BenchmarkDotNet.Attributes;
using Wasmtime;

namespace Airlock.Benchmarks.Scenarios;

/// <summary>
/// Scenario 5: how long until <c>bench-c</c> can serve, and its first call. Compiling the module from
/// its bytes (<see cref="Module.FromBytes"/>, the baseline) and a hand-written compile-link-instantiate
/// to a first call; a new <see cref="PluginHost"/> that compiles, one that loads the compiled module
/// from a pre-filled on-disk cache (<see cref="PluginHostOptions.ModuleCache"/>), each with and without
/// the first call; a second plugin over a module the host already holds in memory (verification,
/// linking and one instance); and a call on a warm pooled instance. Every load method also disposes
/// what it created.
/// </summary>
[MemoryDiagnoser]
public class ColdStartBenchmarks
{
    private readonly BenchHostServices _services = new();
    private byte[] _module = [];
    private RawEngine? _engine;
    private string? _cacheDirectory;
    private PluginHost? _warmHost;
    private IBenchPlugin? _warm;

    /// <summary>Fills the cache directory, loads the warm plugin and checks every way of starting answers.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _module = BenchModules.Bench;
        _engine = new RawEngine();
        _cacheDirectory = Directory.CreateTempSubdirectory("airlock-bench-cache-").FullName;
        using (var filling = new PluginHost(CacheOptions()))
        {
            IBenchPlugin plugin = BenchSetup.LoadBench(filling, _services);
            BenchSetup.Unload(plugin);
            Check.That(filling.ModuleCacheStatistics.Compilations == 1, $"cold start: filling the cache compiled {filling.ModuleCacheStatistics.Compilations} modules, not 1.");
        }

        using (var cached = new PluginHost(CacheOptions()))
        {
            IBenchPlugin plugin = BenchSetup.LoadBench(cached, _services);
            Check.That(plugin.Add(1, 2) == 3, "cold start: the plugin loaded from the cache does not add.");
            BenchSetup.Unload(plugin);
            ModuleCacheStatistics statistics = cached.ModuleCacheStatistics;
            Check.That(statistics is { DiskHits: 1, Compilations: 0, RejectedFiles: 0 }, $"cold start: a new host did not load the module from the disk cache ({statistics}).");
        }

        _warmHost = new PluginHost();
        _warm = BenchSetup.LoadBench(_warmHost, _services);
        Check.Same("first call", HandWritten_CompileInstantiate_FirstCall(), PluginHost_Compile_FirstCall());
        Check.Same("first call from the disk cache", PluginHost_Compile_FirstCall(), PluginHost_DiskCache_FirstCall());
        Check.Same("call on a warm instance", PluginHost_DiskCache_FirstCall(), WarmPooledInstance_Call());
    }

    /// <summary>Unloads everything and deletes the cache directory.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        BenchSetup.Unload(_warm);
        _warmHost?.Dispose();
        _engine?.Dispose();
        if (_cacheDirectory is not null)
        {
            Directory.Delete(_cacheDirectory, recursive: true);
        }
    }

    /// <summary>Wasmtime compiles the module from its bytes.</summary>
    [Benchmark(Baseline = true)]
    public void Compile_ModuleFromBytes()
    {
        using Module module = Module.FromBytes(_engine!.Engine, BenchModules.BenchId, _module);
    }

    /// <summary>Hand-written: compile, link the imports, instantiate, call <c>add</c>.</summary>
    [Benchmark]
    public int HandWritten_CompileInstantiate_FirstCall()
    {
        using var plugin = new RawBenchPlugin(_engine!, _module, _services, PluginLimits.Default);
        return plugin.Add(1, 2);
    }

    /// <summary>A new host compiles, verifies and instantiates the plugin.</summary>
    [Benchmark]
    public void PluginHost_Compile()
    {
        using var host = new PluginHost();
        BenchSetup.Unload(BenchSetup.LoadBench(host, _services));
    }

    /// <summary>A new host compiles, verifies and instantiates the plugin, then calls <c>add</c>.</summary>
    [Benchmark]
    public int PluginHost_Compile_FirstCall()
    {
        using var host = new PluginHost();
        IBenchPlugin plugin = BenchSetup.LoadBench(host, _services);
        int result = plugin.Add(1, 2);
        BenchSetup.Unload(plugin);
        return result;
    }

    /// <summary>A new host loads the compiled module from the on-disk cache, verifies and instantiates it.</summary>
    [Benchmark]
    public void PluginHost_DiskCache()
    {
        using var host = new PluginHost(CacheOptions());
        BenchSetup.Unload(BenchSetup.LoadBench(host, _services));
    }

    /// <summary>A new host loads from the on-disk cache, then calls <c>add</c>.</summary>
    [Benchmark]
    public int PluginHost_DiskCache_FirstCall()
    {
        using var host = new PluginHost(CacheOptions());
        IBenchPlugin plugin = BenchSetup.LoadBench(host, _services);
        int result = plugin.Add(1, 2);
        BenchSetup.Unload(plugin);
        return result;
    }

    /// <summary>The warm host loads a second plugin over the module it already compiled, and calls <c>add</c>.</summary>
    [Benchmark]
    public int PluginHost_ModuleInMemory_FirstCall()
    {
        IBenchPlugin plugin = BenchSetup.LoadBench(_warmHost!, _services);
        int result = plugin.Add(1, 2);
        BenchSetup.Unload(plugin);
        return result;
    }

    /// <summary>A call on the warm plugin's pooled instance.</summary>
    [Benchmark]
    public int WarmPooledInstance_Call() => _warm!.Add(1, 2);

    private PluginHostOptions CacheOptions() => new() { ModuleCache = new ModuleCacheOptions { Directory = _cacheDirectory! } };
}
