using System.Text.Json;
using Airlock.Benchmarks.Plugins;
using Airlock.Benchmarks.Raw;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace Airlock.Benchmarks.Scenarios;

/// <summary>
/// Scenario 9: the cold start of a Samuel plugin (<see cref="SamuelColdStart"/>: a new engine or host, compile or cache
/// load, WASI and the <c>samuel</c> host functions linked, instantiate, <c>_initialize</c>; not the first call) for the
/// minimal <c>samuel-hello</c> and the realistic <c>samuel-lint</c>, from an empty cache (each cold start gets a new,
/// empty directory, so it compiles and writes the compiled module there) and from a warm one (a directory already
/// holding the compiled module, so it deserializes). Airlock (<c>new PluginHost</c> + <c>SamuelPlugins.LoadAsync</c>)
/// against the hand-written Wasmtime code in each group; the <c>_FirstCall</c> rows add the first trivial call
/// (<c>greet</c>, <c>health</c>), so the difference is what the first call costs. Each invocation is one cold start: the
/// iteration setup makes the empty directory, the iteration cleanup unloads and deletes, outside the time.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class SamuelColdStartBenchmarks
{
    private const string EmptyCache = "EmptyCache";
    private const string WarmCache = "WarmCache";

    private BenchSamuel? _samuel;
    private RawSamuelSetup? _setup;
    private string _root = string.Empty;
    private string _warmAirlock = string.Empty;
    private string _warmRawFile = string.Empty;
    private string _empty = string.Empty;
    private string _export = string.Empty;
    private JsonElement _input;
    private SamuelColdStart? _started;

    /// <summary>The plugin: <c>samuel-hello</c> (C, 57 KB) or <c>samuel-lint</c> (Rust, 238 KB).</summary>
    [Params(BenchSamuel.Hello, BenchSamuel.Lint)]
    public string Plugin { get; set; } = BenchSamuel.Hello;

    /// <summary>Fills both warm caches and checks every way of starting compiles or deserializes as it should and answers the same.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _samuel = new BenchSamuel();
        _setup = _samuel.RawSetup(Plugin);
        _export = BenchSamuel.FirstExport(Plugin);
        _input = _samuel.FirstInput(Plugin);
        _root = Directory.CreateTempSubdirectory("airlock-bench-samuel-cache-").FullName;
        _warmAirlock = Directory.CreateDirectory(Path.Combine(_root, "airlock-warm")).FullName;
        _warmRawFile = SamuelColdStart.RawCacheFile(Directory.CreateDirectory(Path.Combine(_root, "raw-warm")).FullName, _setup);

        string expected;
        using (SamuelColdStart filling = SamuelColdStart.HandWritten(_setup, _warmRawFile, compile: true))
        {
            expected = BenchSamuel.Describe(Plugin, filling.FirstCall(_export, _input));
        }

        using (SamuelColdStart filling = SamuelColdStart.Airlock(_samuel, Plugin, _warmAirlock))
        {
            Check.Same(Plugin + ": first call", expected, BenchSamuel.Describe(Plugin, filling.FirstCall(_export, _input)));
            ModuleCacheStatistics statistics = filling.Host!.ModuleCacheStatistics;
            Check.That(statistics is { Compilations: 1, DiskHits: 0 }, $"{Plugin}: a host over an empty cache did not compile ({statistics}).");
            Check.That(filling.Host.ModuleCacheUsage.Files == 1, $"{Plugin}: a host over an empty cache left {filling.Host.ModuleCacheUsage.Files} files in it, not 1.");
        }

        using (SamuelColdStart warm = SamuelColdStart.Airlock(_samuel, Plugin, _warmAirlock))
        {
            ModuleCacheStatistics statistics = warm.Host!.ModuleCacheStatistics;
            Check.That(statistics is { DiskHits: 1, Compilations: 0, RejectedFiles: 0 }, $"{Plugin}: a host over a warm cache did not load the module from it ({statistics}).");
        }

        // Every benchmark once, as the run calls it, with the same answer.
        Check.Same(Plugin + ": hand-written, empty cache", expected, Once(HandWritten_EmptyCache_FirstCall));
        Check.Same(Plugin + ": Airlock, empty cache", expected, Once(Airlock_EmptyCache_FirstCall));
        Check.Same(Plugin + ": hand-written, warm cache", expected, Once(HandWritten_WarmCache_FirstCall));
        Check.Same(Plugin + ": Airlock, warm cache", expected, Once(Airlock_WarmCache_FirstCall));
        Once(HandWritten_EmptyCache);
        Once(Airlock_EmptyCache);
        Once(HandWritten_WarmCache);
        Once(Airlock_WarmCache);
        Console.WriteLine($"// {Plugin}: {new FileInfo(_setup.ModulePath).Length} bytes of wasm, {new FileInfo(_warmRawFile).Length} bytes compiled; first call {_export}");
    }

    /// <summary>Deletes the caches and the workspace.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _started?.Dispose();
        _samuel?.Dispose();
        if (_root.Length > 0)
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    /// <summary>A new, empty cache directory for the cold start about to run.</summary>
    [IterationSetup]
    public void NewEmptyCache() => _empty = Directory.CreateDirectory(Path.Combine(_root, "empty-" + Guid.NewGuid().ToString("N"))).FullName;

    /// <summary>Unloads what the cold start started and deletes its empty-cache directory (outside the time).</summary>
    [IterationCleanup]
    public void Unload()
    {
        _started?.Dispose();
        _started = null;
        Directory.Delete(_empty, recursive: true);
    }

    /// <summary>Hand-written: new engine, read and compile the module, write it to the cache, link, instantiate, <c>_initialize</c>.</summary>
    [BenchmarkCategory(EmptyCache)]
    [Benchmark(Baseline = true)]
    public void HandWritten_EmptyCache() => _started = SamuelColdStart.HandWritten(_setup!, SamuelColdStart.RawCacheFile(_empty, _setup!), compile: true);

    /// <summary>Hand-written from an empty cache, then the first call.</summary>
    [BenchmarkCategory(EmptyCache)]
    [Benchmark]
    public JsonElement HandWritten_EmptyCache_FirstCall()
    {
        HandWritten_EmptyCache();
        return _started!.FirstCall(_export, _input);
    }

    /// <summary>Airlock: a new host over an empty cache directory, <c>SamuelPlugins.LoadAsync</c> (it compiles and stores the module).</summary>
    [BenchmarkCategory(EmptyCache)]
    [Benchmark]
    public void Airlock_EmptyCache() => _started = SamuelColdStart.Airlock(_samuel!, Plugin, _empty);

    /// <summary>Airlock from an empty cache, then the first call.</summary>
    [BenchmarkCategory(EmptyCache)]
    [Benchmark]
    public JsonElement Airlock_EmptyCache_FirstCall()
    {
        Airlock_EmptyCache();
        return _started!.FirstCall(_export, _input);
    }

    /// <summary>Hand-written: new engine, <c>Module.DeserializeFile</c> of the compiled module, link, instantiate, <c>_initialize</c>.</summary>
    [BenchmarkCategory(WarmCache)]
    [Benchmark(Baseline = true)]
    public void HandWritten_WarmCache() => _started = SamuelColdStart.HandWritten(_setup!, _warmRawFile, compile: false);

    /// <summary>Hand-written from a warm cache, then the first call.</summary>
    [BenchmarkCategory(WarmCache)]
    [Benchmark]
    public JsonElement HandWritten_WarmCache_FirstCall()
    {
        HandWritten_WarmCache();
        return _started!.FirstCall(_export, _input);
    }

    /// <summary>Airlock: a new host over the warm cache directory, <c>SamuelPlugins.LoadAsync</c> (it deserializes the module).</summary>
    [BenchmarkCategory(WarmCache)]
    [Benchmark]
    public void Airlock_WarmCache() => _started = SamuelColdStart.Airlock(_samuel!, Plugin, _warmAirlock);

    /// <summary>Airlock from a warm cache, then the first call.</summary>
    [BenchmarkCategory(WarmCache)]
    [Benchmark]
    public JsonElement Airlock_WarmCache_FirstCall()
    {
        Airlock_WarmCache();
        return _started!.FirstCall(_export, _input);
    }

    private void Once(Action coldStart)
    {
        NewEmptyCache();
        try
        {
            coldStart();
        }
        finally
        {
            Unload();
        }
    }

    private string Once(Func<JsonElement> coldStart)
    {
        NewEmptyCache();
        try
        {
            return BenchSamuel.Describe(Plugin, coldStart());
        }
        finally
        {
            Unload();
        }
    }
}
