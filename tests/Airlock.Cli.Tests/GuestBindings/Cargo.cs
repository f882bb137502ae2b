namespace Airlock.Cli.Tests.GuestBindings;

/// <summary>Debian's Rust toolchain with the wasm32 standard libraries and serde crates, as TOOLCHAINS.md installs them (.ci/run does).</summary>
internal static class Cargo
{
    private static readonly Lazy<bool> Present = new(() =>
        File.Exists("/usr/bin/cargo") && File.Exists("/usr/bin/rustc")
        && Directory.Exists("/usr/lib/rustlib/wasm32-unknown-unknown") && Directory.Exists("/usr/lib/rustlib/wasm32-wasi")
        && Directory.EnumerateDirectories("/usr/share/cargo/registry", "serde_json-*").Any());

    public static bool Available => Present.Value;

    public const string Missing = "Debian's Rust toolchain is not installed (apt-get install rustc cargo libstd-rust-dev-wasm32 librust-serde-dev librust-serde-json-dev; .ci/run installs them)";

    /// <summary>One cargo target folder for every crate these tests build, so serde is compiled once per run.</summary>
    public static string TargetDirectory { get; } = Path.Combine(Path.GetTempPath(), "airlock-cli-tests-cargo-target");

    /// <summary>Runs a program with the shared target folder; returns its exit code and everything it wrote.</summary>
    public static (int ExitCode, string Output) Run(string file, string workingDirectory, params string[] arguments)
    {
        Environment.SetEnvironmentVariable("CARGO_TARGET_DIR", TargetDirectory);
        return Clang.Run(file, workingDirectory, arguments);
    }
}

/// <summary>A fact that needs the Rust guest toolchain: skipped, saying what to install, when it is absent.</summary>
internal sealed class CargoFactAttribute : FactAttribute
{
    public CargoFactAttribute()
    {
        if (!Cargo.Available)
        {
            Skip = Cargo.Missing;
        }
    }
}

/// <summary>A theory that needs the Rust guest toolchain: skipped, saying what to install, when it is absent.</summary>
internal sealed class CargoTheoryAttribute : TheoryAttribute
{
    public CargoTheoryAttribute()
    {
        if (!Cargo.Available)
        {
            Skip = Cargo.Missing;
        }
    }
}
