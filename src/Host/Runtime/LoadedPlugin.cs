using Airlock.Services;
using Microsoft.Extensions.Logging;
using Wasmtime;

namespace Airlock.Runtime;

/// <summary>
/// What every instance of one loaded plugin shares: the compiled module, the linker with its host
/// functions, the identity and limits, and the clock and logger.
/// </summary>
internal sealed class LoadedPlugin : IDisposable
{
    private readonly SharedLinker _linker;
    private HashSet<string>? _functionExports;

    public LoadedPlugin(WasmPluginInfo info, Engine engine, Module module, SharedLinker linker, WasiPolicy? wasi, TimeProvider time, ILogger logger, LogRateLimiter logLimiter)
    {
        Info = info;
        Engine = engine;
        Module = module;
        _linker = linker;
        Wasi = wasi;
        Time = time;
        Clock = new CallClock(time);
        Logger = logger;
        LogLimiter = logLimiter;
    }

    public WasmPluginInfo Info { get; }

    public Engine Engine { get; }

    public Module Module { get; }

    /// <summary>The WASI linked for the plugin (each instance's store is set up by it); null when the module imports none.</summary>
    public WasiPolicy? Wasi { get; }

    public TimeProvider Time { get; }

    /// <summary>The clock call deadlines are measured on (<see cref="Time"/>, coarse on the system clock).</summary>
    public CallClock Clock { get; }

    public ILogger Logger { get; }

    /// <summary>Holds <see cref="Module"/> in the host's module cache while the plugin is loaded.</summary>
    public ModuleLease? ModuleLease { get; init; }

    /// <summary>The per-plugin log rate limit of the plugin's WASI output.</summary>
    public LogRateLimiter LogLimiter { get; }

    /// <summary>Where the plugin's calls, traps and instances are reported.</summary>
    public Diagnostics.AirlockInstruments Instruments { get; init; } = Diagnostics.AirlockInstruments.Shared;

    /// <summary>Told what each call cost (fuel, memory) when it ends; see <see cref="PluginLoadOptions.CallObserver"/>.</summary>
    public Action<PluginCallCost>? CallObserver { get; init; }

    /// <summary>Whether the module exports a function called <paramref name="name"/>.</summary>
    public bool HasFunctionExport(string name)
    {
        _functionExports ??= [.. Module.Exports.OfType<FunctionExport>().Select(e => e.Name)];
        return _functionExports.Contains(name);
    }

    public Instance Instantiate(Store store)
    {
        // A Wasmtime linker is not documented as safe for concurrent instantiation; instantiation is
        // rare (pool growth and replacement after a trap), so serialise it (across every plugin sharing the linker).
        lock (_linker.Instantiation)
        {
            return _linker.Linker.Instantiate(store, Module);
        }
    }

    public void Dispose()
    {
        _linker.Release();
        ModuleLease?.Dispose();
    }
}
