using System.Diagnostics;

namespace Airlock.Cli.Tests.GuestBindings;

/// <summary>clang with the wasm32-wasi target and wasi-libc, as TOOLCHAINS.md installs them (.ci/run does).</summary>
internal static class Clang
{
    private static readonly Lazy<bool> Present = new(() =>
        File.Exists("/usr/bin/clang") && Directory.Exists("/usr/lib/wasm32-wasi") && File.Exists("/usr/bin/wasm-ld"));

    public static bool Available => Present.Value;

    public const string Missing = "clang, lld and wasi-libc are not installed (apt-get install clang lld wasi-libc libclang-rt-14-dev-wasm32; .ci/run installs them)";

    /// <summary>Runs a program to completion; returns its exit code and everything it wrote.</summary>
    public static (int ExitCode, string Output) Run(string file, string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.Result + error.Result);
    }
}

/// <summary>A fact that needs the C guest toolchain: skipped, saying what to install, when it is absent.</summary>
internal sealed class ClangFactAttribute : FactAttribute
{
    public ClangFactAttribute()
    {
        if (!Clang.Available)
        {
            Skip = Clang.Missing;
        }
    }
}
