using System.Diagnostics;
using Airlock.Benchmarks.Plugins;
using Airlock.Benchmarks.Raw;
using Airlock.Contracts.Driftless;
using Airlock.Contracts.SocialScale;
using Wasmtime;

namespace Airlock.Benchmarks;

/// <summary>
/// <c>--compile-ratio</c>: the compile goal measured in alternation, for a machine that is not quiet. Each round
/// compiles the module with <see cref="Module.FromBytes"/> on an engine configured like the host's, then loads it
/// into a host that already exists (no idle module kept, no disk cache) from bytes the host has not seen (a new
/// array, made before the clock starts): copy, hash, compile, check, link, first instance, then unload. Load on
/// the machine changes between rounds, not within one pair, so the median of the per-round ratios says more
/// than the ratio of two BenchmarkDotNet rows taken minutes apart. It judges nothing.
/// </summary>
public static class CompileRatio
{
    /// <summary>The command-line switch.</summary>
    public const string Switch = "--compile-ratio";

    /// <summary>Rounds per module.</summary>
    public const int Rounds = 15;

    /// <summary>Runs the rounds for bench-c and confkit and prints the medians; 0 unless a load fails.</summary>
    /// <param name="output">Where the medians go.</param>
    public static int Run(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var services = new BenchHostServices();
        var driftless = new BenchDriftlessHost();
        using var engine = new RawEngine();
        using var host = new PluginHost(new PluginHostOptions { MaxIdleModules = 0 });
        Measure(output, "bench-c", BenchModules.Bench, engine, bytes => BenchSetup.Unload(host.LoadModuleAsync<IBenchPlugin>(BenchModules.BenchId, bytes, new PluginLoadOptions().AddImports<ISocialScaleHost>(services)).GetAwaiter().GetResult()));
        Measure(output, "confkit", BenchModules.Confkit, engine, bytes => BenchSetup.Unload(host.LoadModuleAsync<IDriftlessPlugin>("confkit", bytes, new PluginLoadOptions().AddImports<IDriftlessHost>(driftless)).GetAwaiter().GetResult()));
        ModuleCacheStatistics statistics = host.ModuleCacheStatistics;
        Check.That(statistics is { MemoryHits: 0, DiskHits: 0 } && statistics.Compilations == 2 * (Rounds + 1), $"compile ratio: the host did not compile every load ({statistics}).");
        return 0;
    }

    private static void Measure(TextWriter output, string name, byte[] module, RawEngine engine, Action<byte[]> load)
    {
        // One round first, not counted: it compiles Airlock's own code.
        load([.. module]);
        var raw = new List<double>();
        var airlock = new List<double>();
        var ratios = new List<double>();
        for (int i = 0; i < Rounds; i++)
        {
            // Which goes first alternates, so that neither always follows the other's work.
            if (i % 2 == 0)
            {
                raw.Add(Compile(engine, name, module));
                airlock.Add(Load(module, load));
            }
            else
            {
                airlock.Add(Load(module, load));
                raw.Add(Compile(engine, name, module));
            }

            ratios.Add(airlock[^1] / raw[^1]);
        }

        output.WriteLine($"{name} ({module.Length:N0} bytes), {Rounds} rounds: Module.FromBytes median {Median(raw):F2} ms; existing host load median {Median(airlock):F2} ms; median of the per-round ratios {Median(ratios):F3}x");
    }

    private static double Compile(RawEngine engine, string name, byte[] module)
    {
        byte[] bytes = [.. module];
        long started = Stopwatch.GetTimestamp();
        using (Module.FromBytes(engine.Engine, name, bytes))
        {
            return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
    }

    private static double Load(byte[] module, Action<byte[]> load)
    {
        byte[] bytes = [.. module];
        long started = Stopwatch.GetTimestamp();
        load(bytes);
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    private static double Median(List<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted[sorted.Length / 2];
    }
}
