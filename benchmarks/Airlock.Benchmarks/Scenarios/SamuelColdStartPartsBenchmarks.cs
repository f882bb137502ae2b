using System.Security.Cryptography;
using Airlock.Benchmarks.Plugins;
using Airlock.Benchmarks.Raw;
using Airlock.Samuel;
using BenchmarkDotNet.Attributes;
using Wasmtime;

namespace Airlock.Benchmarks.Scenarios;

/// <summary>
/// Scenario 9's parts: the steps of a Samuel cold start one at a time, for <c>samuel-hello</c> and <c>samuel-lint</c>, to
/// tell where the time of <see cref="SamuelColdStartBenchmarks"/> goes. The hand-written steps (a new engine, compiling,
/// serializing and writing the compiled module, <c>Module.DeserializeFile</c>, linking WASI and the <c>samuel</c>
/// functions, a store with its WASI configuration, instantiating and <c>_initialize</c>) and the public equivalents of
/// what Airlock does differently (a new <see cref="PluginHost"/>, reading the manifest, storing the compiled module
/// written through to disk under a temporary name, reading and checksumming a cache file, deserializing from memory).
/// Airlock's own steps between them (verifying the module against its contract, its bounded WASI functions, the
/// generated host-function wiring, the tasks a load runs on) are what is left of its cold start.
/// </summary>
[MemoryDiagnoser]
public class SamuelColdStartPartsBenchmarks
{
    // Airlock's cache file header: magic, engine fingerprint, module SHA-256, length, payload SHA-256.
    private const int CacheHeaderBytes = 120;

    private BenchSamuel? _samuel;
    private RawSamuelSetup? _setup;
    private RawEngine? _engine;
    private Module? _module;
    private byte[] _wasm = [];
    private byte[] _compiled = [];
    private string _root = string.Empty;
    private string _compiledFile = string.Empty;
    private string _airlockCacheFile = string.Empty;
    private string _manifest = string.Empty;
    private PluginHostOptions? _hostOptions;

    /// <summary>The plugin: <c>samuel-hello</c> or <c>samuel-lint</c>.</summary>
    [Params(BenchSamuel.Hello, BenchSamuel.Lint)]
    public string Plugin { get; set; } = BenchSamuel.Hello;

    /// <summary>Compiles the module once, writes both caches, and checks Airlock's cache file is the compiled module behind its header.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _samuel = new BenchSamuel();
        _setup = _samuel.RawSetup(Plugin);
        _manifest = Path.Combine(BenchSamuel.Folder(Plugin), SamuelManifest.FileName);
        _engine = new RawEngine();
        _wasm = File.ReadAllBytes(_setup.ModulePath);
        _module = Module.FromBytes(_engine.Engine, _setup.Name, _wasm);
        _compiled = _module.Serialize();
        _root = Directory.CreateTempSubdirectory("airlock-bench-samuel-parts-").FullName;
        _compiledFile = Path.Combine(_root, _setup.Name + ".cwasm");
        File.WriteAllBytes(_compiledFile, _compiled);
        string airlockCache = Directory.CreateDirectory(Path.Combine(_root, "airlock")).FullName;
        _hostOptions = new PluginHostOptions { ModuleCache = new ModuleCacheOptions { Directory = airlockCache } };
        using (SamuelColdStart.Airlock(_samuel, Plugin, airlockCache))
        {
        }

        _airlockCacheFile = Directory.GetFiles(airlockCache).Single();
        Check.That(new FileInfo(_airlockCacheFile).Length == CacheHeaderBytes + _compiled.Length, $"{Plugin}: Airlock's cache file is {new FileInfo(_airlockCacheFile).Length} bytes, not a {CacheHeaderBytes}-byte header and the {_compiled.Length} bytes of the compiled module.");
        Check.That(Module_ReadCacheFileAndHash().Length == SHA256.HashSizeInBytes, "the cache file's checksum");
        Module_DeserializeFile();
        Module_Deserialize();
        LinkInstantiateInitialize();
        Console.WriteLine($"// {Plugin}: {_wasm.Length} bytes of wasm, {_compiled.Length} bytes compiled");
    }

    /// <summary>Releases the module and deletes the files.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _module?.Dispose();
        _engine?.Dispose();
        _samuel?.Dispose();
        if (_root.Length > 0)
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    /// <summary>A new engine configured like the host's (fuel, epochs) and its epoch ticker; disposed.</summary>
    [Benchmark]
    public void Engine_New()
    {
        using var engine = new RawEngine();
    }

    /// <summary>A new <see cref="PluginHost"/> with a module cache directory (its engine, epoch clock thread, cache); disposed.</summary>
    [Benchmark]
    public void PluginHost_New()
    {
        using var host = new PluginHost(_hostOptions);
    }

    /// <summary>Reading and checking <c>samuel-plugin.toml</c> (Airlock does it once per load).</summary>
    [Benchmark]
    public SamuelManifest Manifest_Read() => SamuelManifest.Load(_manifest);

    /// <summary>Reading the module file and its SHA-256 (the cache key).</summary>
    [Benchmark]
    public byte[] Module_ReadAndHash() => SHA256.HashData(File.ReadAllBytes(_setup!.ModulePath));

    /// <summary>Compiling the module (<c>Module.FromBytes</c>).</summary>
    [Benchmark]
    public void Module_Compile()
    {
        using Module module = Module.FromBytes(_engine!.Engine, _setup!.Name, _wasm);
    }

    /// <summary>Serializing the compiled module and writing it to a file, as the hand-written cache does.</summary>
    [Benchmark]
    public void Module_SerializeAndWrite() => File.WriteAllBytes(_compiledFile + ".written", _module!.Serialize());

    /// <summary>Serializing it and storing it as Airlock's cache does: written through to disk under a temporary name, then renamed into place.</summary>
    [Benchmark]
    public void Module_SerializeAndWriteThrough()
    {
        byte[] payload = _module!.Serialize();
        string temporary = _compiledFile + "." + Guid.NewGuid().ToString("N") + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.WriteThrough))
        {
            stream.Write(new byte[CacheHeaderBytes]);
            stream.Write(payload);
        }

        File.Move(temporary, _compiledFile + ".stored", overwrite: true);
    }

    /// <summary>The hand-written warm start's load: <c>Module.DeserializeFile</c> (Wasmtime maps the file).</summary>
    [Benchmark]
    public void Module_DeserializeFile()
    {
        using Module module = Module.DeserializeFile(_engine!.Engine, _setup!.Name, _compiledFile);
    }

    /// <summary>Reading Airlock's cache file into memory and the SHA-256 of its payload (what its header is checked against).</summary>
    [Benchmark]
    public byte[] Module_ReadCacheFileAndHash() => SHA256.HashData(File.ReadAllBytes(_airlockCacheFile).AsSpan(CacheHeaderBytes));

    /// <summary>Deserializing the compiled module from memory (<c>Module.Deserialize</c>), as Airlock's cache does.</summary>
    [Benchmark]
    public void Module_Deserialize()
    {
        using Module module = Module.Deserialize(_engine!.Engine, _setup!.Name, _compiled);
    }

    /// <summary>Hand-written, over a compiled module: a linker with WASI and the three <c>samuel</c> functions, a store with its limits and WASI configuration, instantiate, <c>_initialize</c>, exports bound.</summary>
    [Benchmark]
    public void LinkInstantiateInitialize()
    {
        using var linker = new Linker(_engine!.Engine);
        RawSamuelPlugin.DefineImports(linker, _setup!);
        using var instance = new RawSamuelInstance(_engine.Engine, linker, _module!, _setup!);
    }
}
