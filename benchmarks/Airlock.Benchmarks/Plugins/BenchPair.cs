using Airlock.Benchmarks.Raw;

namespace Airlock.Benchmarks.Plugins;

/// <summary>
/// <c>bench-c</c> loaded both ways, side by side: through <see cref="PluginHost"/> as
/// <see cref="IBenchPlugin"/>, and as the hand-written raw-Wasmtime plugin on an engine of its own.
/// Both serve the guest's imports from the same <see cref="BenchHostServices"/>.
/// </summary>
public sealed class BenchPair : IDisposable
{
    /// <summary>Loads both with the same limits.</summary>
    /// <param name="services">The host functions.</param>
    /// <param name="limits">The limits; the host's defaults when omitted.</param>
    public BenchPair(BenchHostServices services, PluginLimits? limits = null)
    {
        Host = new PluginHost();
        Plugin = BenchSetup.LoadBench(Host, services, limits);
        Engine = new RawEngine();
        Raw = new RawBenchPlugin(Engine, BenchModules.Bench, services, limits ?? PluginLimits.Default);
    }

    /// <summary>The host the generated client runs on; other clients may be loaded on it too.</summary>
    public PluginHost Host { get; }

    /// <summary>The generated client.</summary>
    public IBenchPlugin Plugin { get; }

    /// <summary>The hand-written plugin's engine.</summary>
    public RawEngine Engine { get; }

    /// <summary>The hand-written plugin.</summary>
    public RawBenchPlugin Raw { get; }

    /// <summary>Unloads both.</summary>
    public void Dispose()
    {
        BenchSetup.Unload(Plugin);
        Host.Dispose();
        Raw.Dispose();
        Engine.Dispose();
    }
}
