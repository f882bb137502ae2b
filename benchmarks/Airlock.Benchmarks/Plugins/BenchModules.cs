namespace Airlock.Benchmarks.Plugins;

/// <summary>
/// The real plugin modules the benchmarks load: the committed builds (or the ones <c>.ci/run</c> rebuilt
/// in place), copied beside the benchmarks, or found in the checkout when run from elsewhere.
/// </summary>
public static class BenchModules
{
    /// <summary>The id <c>bench-c</c>'s <c>plugin_init</c> reports.</summary>
    public const string BenchId = "com.airlock.samples.bench-c";

    /// <summary><c>samples/plugins/bench-c/bench.wasm</c>.</summary>
    public static string BenchPath => Find("bench-c", "bench.wasm");

    /// <summary><c>samples/plugins/lesstruct-redact-c/plugin.wasm</c>.</summary>
    public static string RedactPath => Find("lesstruct-redact-c", "plugin.wasm");

    /// <summary><c>samples/plugins/driftless-rust/confkit.wasm</c>, the Rust <c>#[wasm_bindgen]</c> Driftless plugin.</summary>
    public static string ConfkitPath => Find("driftless-rust", "confkit.wasm");

    /// <summary>
    /// The folder of <c>samples/plugins/samuel-hello-c</c>: its <c>samuel-plugin.toml</c> and <c>samuel-hello.wasm</c>, as
    /// a Samuel plugin is installed.
    /// </summary>
    public static string SamuelHelloFolder => Path.GetDirectoryName(Find("samuel-hello-c", "samuel-plugin.toml"))!;

    /// <summary>The folder of <c>samples/plugins/samuel-lint-rust</c>: its <c>samuel-plugin.toml</c> and <c>samuel-lint.wasm</c>.</summary>
    public static string SamuelLintFolder => Path.GetDirectoryName(Find("samuel-lint-rust", "samuel-plugin.toml"))!;

    /// <summary>The bytes of <see cref="BenchPath"/>.</summary>
    public static byte[] Bench => File.ReadAllBytes(BenchPath);

    /// <summary>The bytes of <see cref="RedactPath"/>.</summary>
    public static byte[] Redact => File.ReadAllBytes(RedactPath);

    /// <summary>The bytes of <see cref="ConfkitPath"/>.</summary>
    public static byte[] Confkit => File.ReadAllBytes(ConfkitPath);

    private static string Find(string folder, string file)
    {
        string beside = Path.Combine(AppContext.BaseDirectory, "plugins", folder, file);
        if (File.Exists(beside))
        {
            return beside;
        }

        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            string inCheckout = Path.Combine(directory.FullName, "samples", "plugins", folder, file);
            if (File.Exists(Path.Combine(directory.FullName, "Sdk.sln")) && File.Exists(inCheckout))
            {
                return inCheckout;
            }
        }

        throw new FileNotFoundException($"Cannot find samples/plugins/{folder}/{file} beside the benchmarks ({AppContext.BaseDirectory}) or in a checkout above them.", file);
    }
}
