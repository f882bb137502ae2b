using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Airlock.Benchmarks;

/// <summary>The two ways the benchmarks run: full (measured) and quick (CI's smoke run).</summary>
public static class BenchConfig
{
    /// <summary>The command-line switch of quick mode.</summary>
    public const string QuickSwitch = "--quick";

    /// <summary>The environment variable that also selects quick mode (<c>1</c> or <c>true</c>).</summary>
    public const string QuickVariable = "AIRLOCK_BENCH_QUICK";

    /// <summary>Whether <see cref="QuickVariable"/> asks for quick mode.</summary>
    public static bool QuickFromEnvironment()
        => Environment.GetEnvironmentVariable(QuickVariable) is { } value
            && (value == "1" || value.Equals("true", StringComparison.OrdinalIgnoreCase));

    /// <summary>BenchmarkDotNet's defaults: each benchmark in its own process, measured until stable.</summary>
    public static IConfig Full() => DefaultConfig.Instance;

    /// <summary>
    /// One invocation of every benchmark, in this process, with the artifacts in a temporary folder so
    /// the checkout stays clean. It measures nothing worth reading, so it also runs from a Debug build.
    /// </summary>
    public static IConfig Quick()
        => DefaultConfig.Instance
            .AddJob(Job.Dry.WithToolchain(InProcessEmitToolchain.Instance).WithId("Quick"))
            .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "airlock-benchmarks-quick"))
            .WithOptions(ConfigOptions.JoinSummary | ConfigOptions.DisableOptimizationsValidator);

    /// <summary>
    /// 0 when every benchmark ran; 1 when a benchmark failed (a setup or correctness check threw, a
    /// benchmark threw, or nothing ran at all), printing which.
    /// </summary>
    /// <param name="summaries">What the switcher ran.</param>
    /// <param name="quick">Whether this was quick mode (which must run everything).</param>
    public static int ExitCode(IReadOnlyList<Summary> summaries, bool quick)
    {
        ArgumentNullException.ThrowIfNull(summaries);
        var problems = new List<string>();
        foreach (Summary summary in summaries)
        {
            problems.AddRange(summary.ValidationErrors.Where(e => e.IsCritical).Select(e => "validation: " + e.Message));
            foreach (BenchmarkReport report in summary.Reports)
            {
                if (!report.Success || report.ExecuteResults.Any(r => r.ExitCode is not 0) || report.GetResultRuns().Count == 0)
                {
                    problems.Add($"{report.BenchmarkCase.DisplayInfo} did not run to completion");
                }
            }

            if (summary.Reports.Length < summary.BenchmarksCases.Length)
            {
                problems.Add($"{summary.BenchmarksCases.Length - summary.Reports.Length} benchmarks of {summary.Title} have no report");
            }
        }

        int ran = summaries.Sum(s => s.Reports.Length);
        if (quick && ran == 0)
        {
            problems.Add("no benchmark ran");
        }

        foreach (string problem in problems)
        {
            Console.Error.WriteLine("FAIL: " + problem);
        }

        Console.WriteLine(problems.Count == 0 ? $"{ran} benchmarks ran." : $"{problems.Count} problems in {ran} benchmarks.");
        return problems.Count == 0 ? 0 : 1;
    }
}
