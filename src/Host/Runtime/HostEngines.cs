using Microsoft.Extensions.Logging;
using Wasmtime;

namespace Airlock.Runtime;

/// <summary>
/// The Wasmtime engines of one host: one with epoch interruption only, for plugins whose deadline alone bounds a call,
/// and one that also meters fuel, for plugins with an instruction budget (<see cref="PluginLimits.FuelPerCall"/>). Fuel
/// metering slows a guest's own code, so a plugin pays for it only when it is asked for. Each engine is created on first
/// use, with its own module cache (compiled code differs between them, and so does the cache fingerprint); one epoch
/// clock advances both.
/// </summary>
internal sealed class HostEngines : IDisposable
{
    private readonly PluginHostOptions _options;
    private readonly ILogger _cacheLogger;
    private readonly Lock _lock = new();
    private readonly EpochClock _clock;
    private Slot? _unmetered;
    private Slot? _metered;
    private bool _disposed;

    private readonly Diagnostics.AirlockInstruments _instruments;

    public HostEngines(PluginHostOptions options, ILoggerFactory loggerFactory, TimeProvider time, Diagnostics.AirlockInstruments instruments)
    {
        _instruments = instruments;
        _options = options;
        _cacheLogger = loggerFactory.CreateLogger("Airlock.ModuleCache");
        _clock = new EpochClock(options.EpochInterval, time);
    }

    /// <summary>The engine and module cache for plugins with (<paramref name="metered"/>) or without an instruction budget.</summary>
    public Slot For(bool metered)
    {
        Slot? slot = Volatile.Read(ref metered ? ref _metered : ref _unmetered);
        return slot ?? Create(metered);
    }

    /// <summary>The slots created so far.</summary>
    public IEnumerable<Slot> Created
    {
        get
        {
            if (Volatile.Read(ref _unmetered) is { } unmetered)
            {
                yield return unmetered;
            }

            if (Volatile.Read(ref _metered) is { } metered)
            {
                yield return metered;
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
        }

        _clock.Dispose();
        foreach (Slot slot in Created)
        {
            slot.Modules.Dispose();
        }
    }

    private Slot Create(bool metered)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ref Slot? field = ref metered ? ref _metered : ref _unmetered;
            if (field is { } existing)
            {
                return existing;
            }

            string configuration = metered ? "fuel=on;epoch=on" : "fuel=off;epoch=on";
            Engine engine;
            using (var config = new Config().WithFuelConsumption(metered).WithEpochInterruption(true))
            {
                if (_options.PoolingAllocator is { } pooling)
                {
                    uint instances = (uint)pooling.MaxInstances;
                    using var strategy = new PoolingAllocationConfig()
                        .WithMaxCoreInstances(instances)
                        .WithMaxMemories(instances)
                        .WithMaxTables(instances)
                        .WithMaxMemorySize((nuint)pooling.MaxMemoryBytes);
                    config.WithPoolingAllocationStrategy(strategy);
                    configuration += $";pooling={pooling.MaxInstances}x{pooling.MaxMemoryBytes}";
                }

                engine = new Engine(config);
            }

            var slot = new Slot(engine, metered, new ModuleCache(engine, configuration, _options.ModuleCache, _options.MaxIdleModules, _cacheLogger, _instruments));
            _clock.Add(engine);
            Volatile.Write(ref field, slot);
            return slot;
        }
    }

    /// <summary>One engine and the modules compiled for it.</summary>
    /// <param name="Engine">The engine.</param>
    /// <param name="MetersFuel">Whether it meters fuel.</param>
    /// <param name="Modules">Its module cache.</param>
    internal sealed record Slot(Engine Engine, bool MetersFuel, ModuleCache Modules);
}
