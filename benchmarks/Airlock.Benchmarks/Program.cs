using Airlock.Benchmarks;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

// The Samuel seed's CI gate (--samuel-cold-start-gate): medians of 10 cold starts, no BenchmarkDotNet.
if (args.Contains(SamuelColdStartGate.Switch, StringComparer.Ordinal))
{
    return SamuelColdStartGate.Run(Console.Out);
}

// The compile goal in alternating rounds (--compile-ratio), no BenchmarkDotNet.
if (args.Contains(CompileRatio.Switch, StringComparer.Ordinal))
{
    return CompileRatio.Run(Console.Out);
}

// Full mode: the standard BenchmarkDotNet switcher (for example --filter '*').
// Quick mode (--quick, or AIRLOCK_BENCH_QUICK=1): every benchmark once, in process, to prove they
// compile, set up, pass their correctness checks and run; it says nothing about speed.
bool quick = args.Contains(BenchConfig.QuickSwitch, StringComparer.Ordinal) || BenchConfig.QuickFromEnvironment();
string[] switcherArgs = [.. args.Where(a => !string.Equals(a, BenchConfig.QuickSwitch, StringComparison.Ordinal))];
if (quick && !switcherArgs.Any(a => a is "--filter" or "-f"))
{
    switcherArgs = [.. switcherArgs, "--filter", "*"];
}

// Without PostgreSQL's server binaries the policy-store benchmarks measure SQLite only, and say so.
if (!Airlock.Tests.PostgresServer.Available)
{
    Console.WriteLine(Airlock.Benchmarks.Scenarios.PolicyStoreBenchmarks.SkipMessage);
}

IConfig config = quick ? BenchConfig.Quick() : BenchConfig.Full();
Summary[] summaries = [.. BenchmarkSwitcher.FromAssembly(typeof(BenchConfig).Assembly).Run(switcherArgs, config)];
return BenchConfig.ExitCode(summaries, quick);
