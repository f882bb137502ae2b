using System.Text.Json;
using Airlock.Benchmarks.Raw;
using Airlock.Samuel;
using Airlock.Services;

namespace Airlock.Benchmarks.Plugins;

/// <summary>
/// What the Samuel benchmarks share: the two real plugins (<c>samuel-hello</c>, the minimal C plugin, and
/// <c>samuel-lint</c>, the realistic Rust one) as installed folders with their manifests, the services their host
/// functions use, a workspace for <c>samuel-lint</c>'s read-only <c>/workspace</c> mount, the variable its
/// <c>[capabilities] env</c> lets through, and the first call each serves: <c>greet</c> and <c>health</c>.
/// </summary>
public sealed class BenchSamuel : IDisposable
{
    /// <summary>The minimal plugin: <c>samples/plugins/samuel-hello-c</c> (C, 57 KB).</summary>
    public const string Hello = "samuel-hello";

    /// <summary>The realistic plugin: <c>samples/plugins/samuel-lint-rust</c> (Rust, serde_json, 238 KB).</summary>
    public const string Lint = "samuel-lint";

    /// <summary>The variable <c>samuel-lint</c>'s manifest lets through, set in this process so both paths pass it.</summary>
    public const string LintMaxLineVariable = "LINT_MAX_LINE";

    private readonly SamuelPluginOptions _options = new();
    private readonly JsonDocument _greetInput = JsonDocument.Parse("""{"name":"Samuel"}""");
    private readonly JsonDocument _emptyInput = JsonDocument.Parse("{}");

    /// <summary>Creates the services and the workspace, and sets <see cref="LintMaxLineVariable"/>.</summary>
    public BenchSamuel()
    {
        Workspace = Directory.CreateTempSubdirectory("airlock-bench-samuel-workspace-").FullName;
        File.WriteAllText(Path.Combine(Workspace, "notes.txt"), "a line\n");
        _options.MountSources["/workspace"] = Workspace;
        Environment.SetEnvironmentVariable(LintMaxLineVariable, "100");

        // net_outbound is linked on both paths but never called by the benchmarks' calls.
        Services = new SamuelServices(new PluginHttpClient(), new PluginRateLimiter());
    }

    /// <summary>The host directory mounted read-only at <c>/workspace</c>.</summary>
    public string Workspace { get; }

    /// <summary>The services of the plugins' host functions.</summary>
    public SamuelServices Services { get; }

    /// <summary>The input of <c>greet</c>: <c>{"name":"Samuel"}</c>.</summary>
    public JsonElement GreetInput => _greetInput.RootElement;

    /// <summary>The input of <c>health</c>: <c>{}</c>.</summary>
    public JsonElement EmptyInput => _emptyInput.RootElement;

    /// <summary>The folder of an installed plugin (its manifest and module).</summary>
    /// <param name="plugin"><see cref="Hello"/> or <see cref="Lint"/>.</param>
    public static string Folder(string plugin) => plugin switch
    {
        Hello => BenchModules.SamuelHelloFolder,
        Lint => BenchModules.SamuelLintFolder,
        _ => throw new ArgumentOutOfRangeException(nameof(plugin), plugin, "Not a Samuel benchmark plugin."),
    };

    /// <summary>The export the first call calls: <c>greet</c> or <c>health</c>, both trivial.</summary>
    /// <param name="plugin"><see cref="Hello"/> or <see cref="Lint"/>.</param>
    public static string FirstExport(string plugin) => plugin == Hello ? "greet" : "health";

    /// <summary>The input of the first call.</summary>
    /// <param name="plugin"><see cref="Hello"/> or <see cref="Lint"/>.</param>
    public JsonElement FirstInput(string plugin) => plugin == Hello ? GreetInput : EmptyInput;

    /// <summary>A loader over <paramref name="host"/> with <see cref="Workspace"/> as <c>/workspace</c>.</summary>
    /// <param name="host">The host.</param>
    public SamuelPlugins Loader(PluginHost host) => new(host, Services, _options);

    /// <summary>
    /// What the hand-written baseline is given for <paramref name="plugin"/>: the manifest's exports, environment,
    /// mounts, soft timeout and limits, read once here (a hand-written host knows them; Airlock reads the manifest on
    /// every load, and that is part of what its cold start is measured with).
    /// </summary>
    /// <param name="plugin"><see cref="Hello"/> or <see cref="Lint"/>.</param>
    public RawSamuelSetup RawSetup(string plugin)
    {
        SamuelManifest manifest = SamuelManifest.Load(Path.Combine(Folder(plugin), SamuelManifest.FileName));
        Check.That(manifest.Capabilities.WriteMounts.Count == 0, $"{plugin}: the baseline mounts read-only directories only.");
        return new RawSamuelSetup(
            manifest.Name,
            manifest.ModulePath,
            manifest.Exports,
            [.. manifest.Capabilities.Environment
                .Select(name => (name, Value: Environment.GetEnvironmentVariable(name)))
                .Where(v => v.Value is not null)
                .Select(v => KeyValuePair.Create(v.name, v.Value!))],
            [.. manifest.Capabilities.ReadMounts.Select(guest => KeyValuePair.Create(guest, _options.MountSources.TryGetValue(guest, out string? host) ? host : guest))],
            manifest.Runtime.SoftTimeout,
            manifest.ToLimits(PluginLimits.Default));
    }

    /// <summary>
    /// An answer of the first call as the setup compares it: <c>greet</c>'s as it is; <c>health</c>'s without
    /// <c>soft_deadline_ms</c> (the time left, which differs from call to call), after checking it lies within the
    /// 5 s soft timeout.
    /// </summary>
    /// <param name="plugin"><see cref="Hello"/> or <see cref="Lint"/>.</param>
    /// <param name="answer">The answer.</param>
    public static string Describe(string plugin, JsonElement answer)
    {
        if (plugin == Hello)
        {
            Check.That(answer.GetProperty("greeting").GetString() == "Hello, Samuel!", $"greet answered {answer}.");
            return answer.GetRawText();
        }

        long left = answer.GetProperty("soft_deadline_ms").GetInt64();
        Check.That(left is > 4000 and <= 5000, $"health reported {left} ms left of its 5 s soft deadline.");
        Check.That(answer.GetProperty("env_visible").GetRawText() == $"[\"{LintMaxLineVariable}\"]", $"health saw the environment {answer.GetProperty("env_visible")}.");
        return string.Join(",", answer.EnumerateObject().Where(p => p.Name != "soft_deadline_ms").Select(p => p.Name + "=" + p.Value.GetRawText()));
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Services.Http.Dispose();
        _greetInput.Dispose();
        _emptyInput.Dispose();
        Directory.Delete(Workspace, recursive: true);
    }
}
