using Airlock.Benchmarks.Plugins;
using Airlock.Benchmarks.Raw;
using Airlock.Contracts.Driftless;
using Airlock.Contracts.SocialScale;
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
/// what it created. Beside them, the unguarded raw-Wasmtime rows (<c>Raw_*</c>) a load is also compared
/// with: compiling on an engine without fuel or epochs, <see cref="Module.Deserialize"/> of the serialized
/// module held in memory, <see cref="Module.DeserializeFile"/>, and a new <see cref="Store"/> plus
/// instantiation over a linker and module already there; and the same compile and disk-cache rows for the
/// 210 KB Rust <c>confkit</c> module (<c>Confkit_*</c>). The module bytes are read once: every load is
/// given the same array, as an application holding its modules would. The <c>*_ExistingHost_Compile</c>
/// rows compare with <see cref="Module.FromBytes"/> on an engine configured like the host's: a host that
/// already exists (its engine made, no idle module kept, no disk cache) is given bytes it has not seen (a
/// new array each time, made outside the measurement) and copies, hashes, compiles, checks, links and
/// instantiates them.
/// </summary>
[MemoryDiagnoser]
public class ColdStartBenchmarks
{
    private readonly BenchHostServices _services = new();
    private readonly BenchDriftlessHost _driftless = new();
    private byte[] _module = [];
    private byte[] _confkit = [];
    private byte[] _serialized = [];
    private byte[] _confkitSerialized = [];
    private string? _serializedFile;
    private string? _confkitSerializedFile;
    private RawEngine? _engine;
    private Engine? _unguarded;
    private Module? _unguardedModule;
    private Linker? _unguardedLinker;
    private string? _cacheDirectory;
    private PluginHost? _warmHost;
    private IBenchPlugin? _warm;
    private PluginHost? _existingHost;
    private byte[] _freshBench = [];
    private byte[] _freshConfkit = [];

    /// <summary>Fills the cache directory, loads the warm plugin and checks every way of starting answers.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _module = BenchModules.Bench;
        _confkit = BenchModules.Confkit;
        _engine = new RawEngine();
        _unguarded = new Engine();
        _unguardedModule = Module.FromBytes(_unguarded, BenchModules.BenchId, _module);
        _unguardedLinker = new Linker(_unguarded);
        RawBenchPlugin.DefineImports(_unguardedLinker, _services);
        _cacheDirectory = Directory.CreateTempSubdirectory("airlock-bench-cache-").FullName;
        using (Module compiled = _engine.Compile(BenchModules.BenchId, _module))
        {
            _serialized = compiled.Serialize();
        }

        using (Module compiled = _engine.Compile("confkit", _confkit))
        {
            _confkitSerialized = compiled.Serialize();
        }

        _serializedFile = Path.Combine(_cacheDirectory, "bench.cwasm");
        _confkitSerializedFile = Path.Combine(_cacheDirectory, "confkit.cwasm");
        File.WriteAllBytes(_serializedFile, _serialized);
        File.WriteAllBytes(_confkitSerializedFile, _confkitSerialized);
        using (var filling = new PluginHost(CacheOptions()))
        {
            IBenchPlugin plugin = LoadBench(filling);
            BenchSetup.Unload(plugin);
            BenchSetup.Unload(LoadConfkit(filling));
            Check.That(filling.ModuleCacheStatistics.Compilations == 2, $"cold start: filling the cache compiled {filling.ModuleCacheStatistics.Compilations} modules, not 2.");
        }

        using (var cached = new PluginHost(CacheOptions()))
        {
            BenchSetup.Unload(LoadConfkit(cached));
            IBenchPlugin plugin = LoadBench(cached);
            Check.That(plugin.Add(1, 2) == 3, "cold start: the plugin loaded from the cache does not add.");
            BenchSetup.Unload(plugin);
            ModuleCacheStatistics statistics = cached.ModuleCacheStatistics;
            Check.That(statistics is { DiskHits: 2, Compilations: 0, RejectedFiles: 0 }, $"cold start: a new host did not load the modules from the disk cache ({statistics}).");
        }

        _warmHost = new PluginHost();
        _warm = LoadBench(_warmHost);

        // The existing host compiles every load: nothing idle is kept and every load brings new bytes.
        _existingHost = new PluginHost(new PluginHostOptions { MaxIdleModules = 0 });
        for (int i = 0; i < 2; i++)
        {
            FreshModules();
            PluginHost_ExistingHost_Compile();
            Confkit_PluginHost_ExistingHost_Compile();
        }

        ModuleCacheStatistics existing = _existingHost.ModuleCacheStatistics;
        Check.That(existing is { Compilations: 4, MemoryHits: 0, DiskHits: 0 }, $"cold start: the existing host did not compile every load ({existing}).");
        Check.Same("first call", HandWritten_CompileInstantiate_FirstCall(), PluginHost_Compile_FirstCall());
        Check.Same("first call from the disk cache", PluginHost_Compile_FirstCall(), PluginHost_DiskCache_FirstCall());
        Check.Same("call on a warm instance", PluginHost_DiskCache_FirstCall(), WarmPooledInstance_Call());
        Check.Same("first call on a new store", WarmPooledInstance_Call(), Raw_NewStore_Instantiate_FirstCall());
        Check.Same("second plugin's first call", Raw_NewStore_Instantiate_FirstCall(), PluginHost_ModuleInMemory_FirstCall());
    }

    /// <summary>Unloads everything and deletes the cache directory.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        BenchSetup.Unload(_warm);
        _warmHost?.Dispose();
        _existingHost?.Dispose();
        _engine?.Dispose();
        _unguardedLinker?.Dispose();
        _unguardedModule?.Dispose();
        _unguarded?.Dispose();
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

    /// <summary>Unguarded raw Wasmtime: compiles on an engine without fuel or epoch interruption.</summary>
    [Benchmark]
    public void Raw_Compile_Unguarded()
    {
        using Module module = Module.FromBytes(_unguarded!, BenchModules.BenchId, _module);
    }

    /// <summary>Raw Wasmtime: the serialized module, held in memory, deserialized.</summary>
    [Benchmark]
    public void Raw_Deserialize()
    {
        using Module module = Module.Deserialize(_engine!.Engine, BenchModules.BenchId, _serialized);
    }

    /// <summary>Raw Wasmtime: the serialized module mapped from its file.</summary>
    [Benchmark]
    public void Raw_DeserializeFile()
    {
        using Module module = Module.DeserializeFile(_engine!.Engine, BenchModules.BenchId, _serializedFile!);
    }

    /// <summary>Unguarded raw Wasmtime: a new store, instantiated over the linker and module already there, and <c>add</c> called.</summary>
    [Benchmark]
    public int Raw_NewStore_Instantiate_FirstCall()
    {
        using var store = new Store(_unguarded!);
        Instance instance = _unguardedLinker!.Instantiate(store, _unguardedModule!);
        return instance.GetFunction("add")!.WrapFunc<int, int, int>()!(1, 2);
    }

    /// <summary>Wasmtime compiles the 210 KB <c>confkit</c> module on an engine configured like the host's.</summary>
    [Benchmark]
    public void Confkit_Compile_ModuleFromBytes()
    {
        using Module module = Module.FromBytes(_engine!.Engine, "confkit", _confkit);
    }

    /// <summary>Raw Wasmtime: <c>confkit</c>'s serialized module, held in memory, deserialized.</summary>
    [Benchmark]
    public void Confkit_Raw_Deserialize()
    {
        using Module module = Module.Deserialize(_engine!.Engine, "confkit", _confkitSerialized);
    }

    /// <summary>Raw Wasmtime: <c>confkit</c>'s serialized module mapped from its file.</summary>
    [Benchmark]
    public void Confkit_Raw_DeserializeFile()
    {
        using Module module = Module.DeserializeFile(_engine!.Engine, "confkit", _confkitSerializedFile!);
    }

    /// <summary>A new host compiles, verifies and instantiates <c>confkit</c>.</summary>
    [Benchmark]
    public void Confkit_PluginHost_Compile()
    {
        using var host = new PluginHost();
        BenchSetup.Unload(LoadConfkit(host));
    }

    /// <summary>A new host loads <c>confkit</c> from the on-disk cache, verifies and instantiates it.</summary>
    [Benchmark]
    public void Confkit_PluginHost_DiskCache()
    {
        using var host = new PluginHost(CacheOptions());
        BenchSetup.Unload(LoadConfkit(host));
    }

    /// <summary>New arrays of the modules' bytes for the next load into the existing host (not measured).</summary>
    [IterationSetup(Targets = [nameof(PluginHost_ExistingHost_Compile), nameof(Confkit_PluginHost_ExistingHost_Compile)])]
    public void FreshModules()
    {
        _freshBench = [.. _module];
        _freshConfkit = [.. _confkit];
    }

    /// <summary>The existing host loads bytes of bench-c it has not seen: copy, hash, compile, check, link, first instance.</summary>
    [Benchmark]
    public void PluginHost_ExistingHost_Compile()
        => BenchSetup.Unload(_existingHost!.LoadModuleAsync<IBenchPlugin>(BenchModules.BenchId, _freshBench, new PluginLoadOptions().AddImports<ISocialScaleHost>(_services)).GetAwaiter().GetResult());

    /// <summary>The existing host loads bytes of confkit it has not seen: copy, hash, compile, check, link, first instance.</summary>
    [Benchmark]
    public void Confkit_PluginHost_ExistingHost_Compile()
        => BenchSetup.Unload(_existingHost!.LoadModuleAsync<IDriftlessPlugin>("confkit", _freshConfkit, new PluginLoadOptions().AddImports<IDriftlessHost>(_driftless)).GetAwaiter().GetResult());

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
        BenchSetup.Unload(LoadBench(host));
    }

    /// <summary>A new host compiles, verifies and instantiates the plugin, then calls <c>add</c>.</summary>
    [Benchmark]
    public int PluginHost_Compile_FirstCall()
    {
        using var host = new PluginHost();
        IBenchPlugin plugin = LoadBench(host);
        int result = plugin.Add(1, 2);
        BenchSetup.Unload(plugin);
        return result;
    }

    /// <summary>A new host loads the compiled module from the on-disk cache, verifies and instantiates it.</summary>
    [Benchmark]
    public void PluginHost_DiskCache()
    {
        using var host = new PluginHost(CacheOptions());
        BenchSetup.Unload(LoadBench(host));
    }

    /// <summary>A new host loads from the on-disk cache, then calls <c>add</c>.</summary>
    [Benchmark]
    public int PluginHost_DiskCache_FirstCall()
    {
        using var host = new PluginHost(CacheOptions());
        IBenchPlugin plugin = LoadBench(host);
        int result = plugin.Add(1, 2);
        BenchSetup.Unload(plugin);
        return result;
    }

    /// <summary>The warm host loads a second plugin over the module it already compiled, and calls <c>add</c>.</summary>
    [Benchmark]
    public int PluginHost_ModuleInMemory_FirstCall()
    {
        IBenchPlugin plugin = LoadBench(_warmHost!);
        int result = plugin.Add(1, 2);
        BenchSetup.Unload(plugin);
        return result;
    }

    /// <summary>A call on the warm plugin's pooled instance.</summary>
    [Benchmark]
    public int WarmPooledInstance_Call() => _warm!.Add(1, 2);

    private IBenchPlugin LoadBench(PluginHost host)
        => host.LoadModuleAsync<IBenchPlugin>(BenchModules.BenchId, _module, new PluginLoadOptions().AddImports<ISocialScaleHost>(_services)).GetAwaiter().GetResult();

    private IDriftlessPlugin LoadConfkit(PluginHost host)
        => host.LoadModuleAsync<IDriftlessPlugin>("confkit", _confkit, new PluginLoadOptions().AddImports<IDriftlessHost>(_driftless)).GetAwaiter().GetResult();

    private PluginHostOptions CacheOptions() => new() { ModuleCache = new ModuleCacheOptions { Directory = _cacheDirectory! } };
}
