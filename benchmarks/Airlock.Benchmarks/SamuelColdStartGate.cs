using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Airlock.Benchmarks.Plugins;
using Airlock.Benchmarks.Raw;

namespace Airlock.Benchmarks;

/// <summary>
/// The Samuel seed's CI gate (<c>--samuel-cold-start-gate</c>): 10 cold starts of the minimal plugin
/// (<c>samuel-hello</c>) from an empty cache and 10 from a warm one, each a new <see cref="PluginHost"/> and
/// <c>SamuelPlugins.LoadAsync</c> as <see cref="SamuelColdStart"/> defines a cold start (the first call not included;
/// it is timed and printed on its own). Fails when the median of either exceeds <see cref="LimitMilliseconds"/>, or
/// when a cold start does not compile, load from the cache or answer as it should. The hand-written Wasmtime cold
/// starts are timed the same way and printed for comparison; they are not judged. Nothing is warmed up beforehand: the
/// first empty-cache sample also compiles Airlock's own code, and the median is what is judged.
/// </summary>
public static class SamuelColdStartGate
{
    /// <summary>The command-line switch.</summary>
    public const string Switch = "--samuel-cold-start-gate";

    /// <summary>The seed's limit on the median cold start.</summary>
    public const double LimitMilliseconds = 150;

    /// <summary>Cold starts per kind.</summary>
    public const int Samples = 10;

    /// <summary>Runs the gate; 0 when both medians are within the limit, 1 otherwise.</summary>
    /// <param name="output">Where the samples and medians go.</param>
    public static int Run(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        using var samuel = new BenchSamuel();
        string plugin = BenchSamuel.Hello;
        string export = BenchSamuel.FirstExport(plugin);
        JsonElement input = samuel.FirstInput(plugin);
        RawSamuelSetup setup = samuel.RawSetup(plugin);
        string root = Directory.CreateTempSubdirectory("airlock-samuel-gate-").FullName;
        try
        {
            string warm = Directory.CreateDirectory(Path.Combine(root, "warm")).FullName;
            string rawWarm = SamuelColdStart.RawCacheFile(Directory.CreateDirectory(Path.Combine(root, "raw-warm")).FullName, setup);
            output.WriteLine($"Samuel cold-start gate: {Samples} cold starts of {plugin} ({new FileInfo(setup.ModulePath).Length} bytes) from an empty and from a warm module cache; the median of each must be at most {LimitMilliseconds} ms.");

            Timing empty = Measure(root, cache => SamuelColdStart.Airlock(samuel, plugin, cache), export, input, plugin, expectCompilation: true);
            Fill(() => SamuelColdStart.Airlock(samuel, plugin, warm));
            Timing warmed = Measure(root, _ => SamuelColdStart.Airlock(samuel, plugin, warm), export, input, plugin, expectCompilation: false);
            Timing rawEmpty = Measure(root, cache => SamuelColdStart.HandWritten(setup, SamuelColdStart.RawCacheFile(cache, setup), compile: true), export, input, plugin, expectCompilation: null);
            Fill(() => SamuelColdStart.HandWritten(setup, rawWarm, compile: true));
            Timing rawWarmed = Measure(root, _ => SamuelColdStart.HandWritten(setup, rawWarm, compile: false), export, input, plugin, expectCompilation: null);

            output.WriteLine(empty.Describe("Airlock, empty cache"));
            output.WriteLine(warmed.Describe("Airlock, warm cache"));
            output.WriteLine(rawEmpty.Describe("hand-written Wasmtime, empty cache (not judged)"));
            output.WriteLine(rawWarmed.Describe("hand-written Wasmtime, warm cache (not judged)"));

            bool passed = true;
            foreach ((string kind, Timing timing) in new[] { ("empty", empty), ("warm", warmed) })
            {
                if (timing.MedianStart > LimitMilliseconds)
                {
                    output.WriteLine(Invariant($"FAIL: the median cold start of {plugin} from a {kind} cache is {timing.MedianStart:F1} ms, over the limit of {LimitMilliseconds} ms."));
                    passed = false;
                }
            }

            output.WriteLine(passed
                ? Invariant($"Samuel cold-start gate passed: medians {empty.MedianStart:F1} ms (empty cache) and {warmed.MedianStart:F1} ms (warm cache), limit {LimitMilliseconds} ms.")
                : "Samuel cold-start gate failed.");
            return passed ? 0 : 1;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    // Samples cold starts, each with a new empty directory (used by the empty-cache kinds), and times the first call after each.
    private static Timing Measure(string root, Func<string, SamuelColdStart> start, string export, JsonElement input, string plugin, bool? expectCompilation)
    {
        var starts = new double[Samples];
        var calls = new double[Samples];
        for (int i = 0; i < Samples; i++)
        {
            string cache = Directory.CreateDirectory(Path.Combine(root, "empty-" + Guid.NewGuid().ToString("N"))).FullName;
            long began = Stopwatch.GetTimestamp();
            using (SamuelColdStart started = start(cache))
            {
                starts[i] = Stopwatch.GetElapsedTime(began).TotalMilliseconds;
                long called = Stopwatch.GetTimestamp();
                JsonElement answer = started.FirstCall(export, input);
                calls[i] = Stopwatch.GetElapsedTime(called).TotalMilliseconds;
                _ = BenchSamuel.Describe(plugin, answer);
                if (expectCompilation is { } compiled && started.Host is { } host)
                {
                    ModuleCacheStatistics statistics = host.ModuleCacheStatistics;
                    Check.That(compiled ? statistics is { Compilations: 1, DiskHits: 0 } : statistics is { Compilations: 0, DiskHits: 1 }, $"a cold start from {(compiled ? "an empty" : "a warm")} cache: {statistics}.");
                }
            }

            Directory.Delete(cache, recursive: true);
        }

        return new Timing(starts, calls);
    }

    private static void Fill(Func<SamuelColdStart> start)
    {
        using SamuelColdStart started = start();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed record Timing(double[] Starts, double[] Calls)
    {
        public double MedianStart => Median(Starts);

        public string Describe(string kind)
            => Invariant($"{kind}: median {MedianStart:F1} ms (samples {string.Join(", ", Starts.Select(s => s.ToString("F1", CultureInfo.InvariantCulture)))}); first call median {Median(Calls):F3} ms");

        private static double Median(double[] values)
        {
            double[] sorted = [.. values.Order()];
            int middle = sorted.Length / 2;
            return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        }
    }
}
