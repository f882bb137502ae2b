using System.Text.Json;
using Airlock.Benchmarks.Raw;
using Airlock.Samuel;

namespace Airlock.Benchmarks.Plugins;

/// <summary>
/// One cold start of a Samuel plugin, and what it leaves to dispose. A cold start is everything until the plugin can
/// serve, in a process that has run one before (the .NET code is compiled): a new engine (Airlock: a new
/// <see cref="PluginHost"/> with its module cache in a given directory; hand-written: a new <see cref="RawEngine"/>),
/// the module compiled (and written to the cache) or loaded from the cache, WASI and the <c>samuel</c> host functions
/// linked, a store with its limits and WASI configuration, the module instantiated and <c>_initialize</c> run. Airlock's
/// also reads and checks the manifest and verifies the module against it. Not the first call: that is
/// <see cref="FirstCall"/>, measured on its own.
/// </summary>
public sealed class SamuelColdStart : IDisposable
{
    private readonly PluginHost? _host;
    private readonly SamuelPlugin? _plugin;
    private readonly RawEngine? _engine;
    private readonly RawSamuelPlugin? _raw;

    private SamuelColdStart(PluginHost host, SamuelPlugin plugin)
    {
        _host = host;
        _plugin = plugin;
    }

    private SamuelColdStart(RawEngine engine, RawSamuelPlugin raw)
    {
        _engine = engine;
        _raw = raw;
    }

    /// <summary>Airlock: a new host over <paramref name="cacheDirectory"/>, and <see cref="SamuelPlugins.LoadAsync(string, CancellationToken)"/>.</summary>
    /// <param name="samuel">The services, workspace and folders.</param>
    /// <param name="plugin"><see cref="BenchSamuel.Hello"/> or <see cref="BenchSamuel.Lint"/>.</param>
    /// <param name="cacheDirectory">The host's <see cref="PluginHostOptions.ModuleCache"/> directory: empty (the host compiles) or holding the compiled module (it deserializes).</param>
    public static SamuelColdStart Airlock(BenchSamuel samuel, string plugin, string cacheDirectory)
    {
        ArgumentNullException.ThrowIfNull(samuel);
        var host = new PluginHost(new PluginHostOptions { ModuleCache = new ModuleCacheOptions { Directory = cacheDirectory } });
        try
        {
            return new SamuelColdStart(host, BenchSetup.LoadSamuel(host, samuel, plugin));
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    /// <summary>Hand-written: a new engine, the module compiled and written to <paramref name="cacheFile"/> or deserialized from it, and the plugin started.</summary>
    /// <param name="setup">What the plugin is given.</param>
    /// <param name="cacheFile">The compiled module's file.</param>
    /// <param name="compile">Whether to compile (an empty cache) or deserialize (a warm one).</param>
    public static SamuelColdStart HandWritten(RawSamuelSetup setup, string cacheFile, bool compile)
    {
        var engine = new RawEngine();
        try
        {
            return new SamuelColdStart(engine, compile ? RawSamuelPlugin.Compile(engine, setup, cacheFile) : RawSamuelPlugin.FromCache(engine, setup, cacheFile));
        }
        catch
        {
            engine.Dispose();
            throw;
        }
    }

    /// <summary>The hand-written cache's file for a plugin in <paramref name="directory"/>.</summary>
    /// <param name="directory">The cache directory.</param>
    /// <param name="setup">The plugin.</param>
    public static string RawCacheFile(string directory, RawSamuelSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        return Path.Combine(directory, setup.Name + ".cwasm");
    }

    /// <summary>Airlock's host, when this is Airlock's cold start.</summary>
    public PluginHost? Host => _host;

    /// <summary>The first call: an export with a JSON input (Airlock: <see cref="SamuelPlugin.InvokeAsync(string, JsonElement, CancellationToken)"/>).</summary>
    /// <param name="export">The export.</param>
    /// <param name="input">The input.</param>
    public JsonElement FirstCall(string export, JsonElement input)
        => _plugin is not null ? BenchSetup.Result(_plugin.InvokeAsync(export, input)) : _raw!.Invoke(export, input);

    /// <inheritdoc/>
    public void Dispose()
    {
        BenchSetup.Unload(_plugin);
        _host?.Dispose();
        _raw?.Dispose();
        _engine?.Dispose();
    }
}
