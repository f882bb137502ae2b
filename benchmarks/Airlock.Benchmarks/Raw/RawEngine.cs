using Wasmtime;

namespace Airlock.Benchmarks.Raw;

/// <summary>
/// The hand-written baseline's engine: configured exactly like the engine <see cref="PluginHost"/> gives a plugin
/// (epoch interruption on; fuel metering only for plugins with an instruction budget) and ticked on the same
/// interval, so a running call is checked for its deadline just as often.
/// </summary>
public sealed class RawEngine : IDisposable
{
    private readonly Timer? _ticker;

    /// <summary>Creates the engine and starts its epoch ticker.</summary>
    /// <param name="epochInterval">The tick; <see cref="PluginHostOptions.EpochInterval"/>'s default when omitted.</param>
    /// <param name="meterFuel">Whether the engine meters fuel, as the host's does for plugins with <see cref="PluginLimits.FuelPerCall"/> set.</param>
    /// <param name="epochs">
    /// Whether calls can be interrupted at a deadline (epoch interruption and its ticker). False gives the unguarded
    /// engine of the "raw Wasmtime" rows: no deadline can stop a call.
    /// </param>
    public RawEngine(TimeSpan? epochInterval = null, bool meterFuel = false, bool epochs = true)
    {
        using (var config = new Config().WithFuelConsumption(meterFuel).WithEpochInterruption(epochs))
        {
            Engine = new Engine(config);
        }

        if (epochs)
        {
            TimeSpan interval = epochInterval ?? new PluginHostOptions().EpochInterval;
            _ticker = new Timer(static state => ((Engine)state!).IncrementEpoch(), Engine, interval, interval);
        }
    }

    /// <summary>The engine.</summary>
    public Engine Engine { get; }

    /// <summary>Compiles a module.</summary>
    /// <param name="name">The module's name.</param>
    /// <param name="bytes">The module's bytes.</param>
    public Module Compile(string name, byte[] bytes) => Module.FromBytes(Engine, name, bytes);

    /// <inheritdoc/>
    public void Dispose()
    {
        _ticker?.Dispose();
        Engine.Dispose();
    }
}
