using System.Collections.Concurrent;
using Airlock.Auditing;
using Airlock.Samuel;
using Airlock.Services;
using Airlock.Tests;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Airlock.EndToEnd.Tests.Samuel;

/// <summary>
/// A Samuel host for the tests of a class: a plugins folder per test, a workspace on disk, a loopback rules server that
/// <c>rules.samuel.test</c> is routed to, a real SQLite audit log, and the loader.
/// </summary>
public sealed class SamuelWorld : IAsyncLifetime
{
    public const string RulesHost = "rules.samuel.test";

    public static readonly string HelloWasm = Checkout.PathOf("samples", "plugins", "samuel-hello-c", "samuel-hello.wasm");
    public static readonly string LintFolder = Checkout.PathOf("samples", "plugins", "samuel-lint-rust");

    private WebApplication _rules = null!;

    public string Root { get; } = Directory.CreateTempSubdirectory("airlock-samuel-").FullName;

    /// <summary>The host directory mounted at <c>/workspace</c>.</summary>
    public string Workspace => Path.Combine(Root, "workspace");

    /// <summary>A host directory outside every mount, holding <c>secret.txt</c>.</summary>
    public string Outside => Path.Combine(Root, "outside");

    public ConcurrentQueue<string> Requests { get; } = new();

    public PluginHost Host { get; private set; } = null!;

    public SqliteAuditLog Audit { get; private set; } = null!;

    public SamuelServices Services { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Workspace);
        Directory.CreateDirectory(Outside);
        File.WriteAllText(Path.Combine(Workspace, "a.txt"), "short line\ntrailing space   \n\tTODO fix this\n");
        File.WriteAllText(Path.Combine(Outside, "secret.txt"), "not for plugins\n");
        (_rules, Uri address) = await LoopbackApp.StartAsync(Requests, app => app.MapGet("/rules", () => Results.Json(new { banned = new[] { "fix" } })));
        var http = new PluginHttpClient(new PluginHttpOptions { Upstreams = { [RulesHost] = address } });
        Audit = new SqliteAuditLog(Path.Combine(Root, "audit.db"));
        Services = new SamuelServices(http, new PluginRateLimiter()) { Audit = Audit };
        Host = new PluginHost();
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        Services.Http.Dispose();
        Audit.Dispose();
        await _rules.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }

    /// <summary>A loader whose <c>/workspace</c> (and <c>/scratch</c>) mounts come from this world's directories.</summary>
    public SamuelPlugins Loader(Action<SamuelPluginOptions>? configure = null)
    {
        var options = new SamuelPluginOptions();
        options.MountSources["/workspace"] = Workspace;
        options.MountSources["/scratch"] = Path.Combine(Root, "scratch");
        configure?.Invoke(options);
        return new SamuelPlugins(Host, Services, options);
    }

    /// <summary>A folder with the hello module and a manifest whose tables after <c>[wasm]</c> are <paramref name="rest"/>.</summary>
    public string HelloFolder(string name, string rest = "")
    {
        string folder = Path.Combine(Root, "plugins-src", name);
        Directory.CreateDirectory(folder);
        File.Copy(HelloWasm, Path.Combine(folder, "samuel-hello.wasm"), overwrite: true);
        File.WriteAllText(Path.Combine(folder, "samuel-plugin.toml"), $"""
            name = "{name}"
            version = "0.1.0"
            kind = "wasm"

            [samuel]
            framework = "^2.2.0"
            protocol = "^1.0.0"

            [wasm]
            module = "samuel-hello.wasm"
            exports = ["greet", "probe"]

            {rest}
            """);
        return folder;
    }
}
