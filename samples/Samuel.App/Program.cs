using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Airlock;
using Airlock.Auditing;
using Airlock.Contracts.Samuel;
using Airlock.Samuel;
using Airlock.Services;
using Microsoft.Extensions.Logging;

// A Samuel plugin host over Airlock. The samuel-lint plugin (Rust, wasm32-wasi) is installed from the folder its author
// ships into a plugins directory, then lints a sample workspace that its manifest mounts read-only at /workspace, with
// one setting from the environment and extra rules fetched through samuel.net_outbound from an allowed host (a loopback
// server here). Then: a refused write, a refused host, and the soft deadline reaching the plugin.
string app = AppContext.BaseDirectory;
string data = Path.Combine(app, "data");
Directory.CreateDirectory(data);
using ILoggerFactory logs = LoggerFactory.Create(builder => builder.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));

// The rules server the manifest's [capabilities.network] host rules.samuel.test is routed to.
using var rules = new HttpListener();
int port = FreePort();
rules.Prefixes.Add($"http://127.0.0.1:{port}/");
rules.Start();
_ = ServeRulesAsync(rules);

using var http = new PluginHttpClient(new PluginHttpOptions { Upstreams = { ["rules.samuel.test"] = new Uri($"http://127.0.0.1:{port}/") } });
using var rateLimiter = new PluginRateLimiter();
using var audit = new SqliteAuditLog(Path.Combine(data, "audit.db"));
var services = new SamuelServices(http, rateLimiter) { Audit = audit, LoggerFactory = logs };
var hostOptions = new PluginHostOptions { ModuleCache = new ModuleCacheOptions { Directory = Path.Combine(data, "module-cache") } };
await using var host = new PluginHost(hostOptions, logs);
var samuelOptions = new SamuelPluginOptions();
samuelOptions.MountSources["/workspace"] = Path.Combine(app, "workspace");
var samuel = new SamuelPlugins(host, services, samuelOptions);

// One setting the manifest lets the plugin see ([capabilities] env = ["LINT_MAX_LINE"]); nothing else of the environment reaches it.
Environment.SetEnvironmentVariable("LINT_MAX_LINE", "80");

// Install: the manifest is validated, the module's SHA-256 recorded in the plugins directory's lock file.
string plugins = Path.Combine(data, "plugins");
SamuelInstallation installed = await samuel.InstallAsync(Path.Combine(app, "plugin"), plugins);
Console.WriteLine($"installed {installed.Name} {installed.Version} into {Path.GetRelativePath(app, installed.Directory)} (module SHA-256 {installed.Sha256[..16]}…)");

await using (ISamuelLinter linter = await samuel.LoadAsync<ISamuelLinter>(installed.Directory))
{
    Console.WriteLine($"loaded {linter.Info.Id}: {linter.Info.Limits.MemoryBytes / (1024 * 1024)} MiB, hard timeout {linter.Info.Limits.Timeout.TotalSeconds:0} s");

    // Lint the workspace with the rules from the allowed host, and print the findings as a table.
    SamuelLintReport report = await linter.LintAsync(new SamuelLintRequest("/workspace") { RulesUrl = "https://rules.samuel.test/rules" });
    Console.WriteLine($"lint /workspace: {report.Files} files, {report.Findings.Count} findings (max line {report.MaxLine})");
    PrintTable(["file", "line", "col", "rule", "message"], report.Findings.Select(f => new[] { f.File, f.Line.ToString(), f.Column.ToString(), f.Rule, f.Message }));

    // A refused write: the workspace is mounted read-only, so the plugin's fix cannot change a file.
    SamuelLintReport fix = await linter.LintAsync(new SamuelLintRequest("/workspace") { Fix = true });
    foreach (SamuelWriteError refused in fix.WriteErrors ?? [])
    {
        Console.WriteLine($"refused write: {refused.File}: {refused.Error} ({refused.Kind})");
    }

    // A refused host: rules from a host the manifest does not list never leave the machine; the plugin is told -2.
    SamuelLintReport offList = await linter.LintAsync(new SamuelLintRequest("/workspace") { RulesUrl = "https://rules.elsewhere.example/rules" });
    Console.WriteLine($"refused host: {offList.Network?.GetRawText()}");
}

// The soft deadline: a copy of the plugin whose manifest gives it 250 ms, linting slowly, learns that its time is up
// (samuel.soft_deadline_ms) and returns what it has. The call is not killed: only the hard timeout would do that.
SamuelInstallation quick = await samuel.InstallAsync(Path.Combine(app, "plugin-quick"), plugins);
await using (SamuelPlugin plugin = await samuel.LoadAsync(quick.Directory))
{
    using JsonDocument slow = JsonDocument.Parse("""{"root": "/workspace", "delay_ms_per_file": 100}""");
    JsonElement result = await plugin.InvokeAsync("lint", slow.RootElement);
    Console.WriteLine($"soft deadline: truncated={result.GetProperty("truncated").GetBoolean()}, stopped at {result.GetProperty("stopped_at").GetString()}");
    JsonElement health = await plugin.InvokeAsync("health", JsonDocument.Parse("{}").RootElement);
    Console.WriteLine($"health (called by name): {health.GetRawText()}");
}

// What the host recorded, and what its module cache holds (a doctor-style report).
audit.Flush();
foreach (AuditEntry entry in audit.Query().Where(e => e.Action.StartsWith("network.", StringComparison.Ordinal)))
{
    Console.WriteLine($"audit: {entry.PluginId} {entry.Action} {entry.Target} {(entry.Allowed ? "allowed" : "refused")}: {entry.Detail}");
}

ModuleCacheUsage usage = host.ModuleCacheUsage;
ModuleCacheStatistics statistics = host.ModuleCacheStatistics;
Console.WriteLine($"module cache: {usage.Files} files, {usage.Bytes / 1024} KiB of {usage.BudgetBytes / (1024 * 1024)} MiB; hit rate {statistics.HitRate:P0} ({statistics.MemoryHits} memory, {statistics.DiskHits} disk, {statistics.Compilations} compiled)");
rules.Stop();

static int FreePort()
{
    using var probe = new TcpListener(IPAddress.Loopback, 0);
    probe.Start();
    return ((IPEndPoint)probe.LocalEndpoint).Port;
}

static async Task ServeRulesAsync(HttpListener listener)
{
    byte[] body = """{"banned": ["deprecated"]}"""u8.ToArray();
    while (listener.IsListening)
    {
        HttpListenerContext context;
        try
        {
            context = await listener.GetContextAsync();
        }
        catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException)
        {
            return;
        }

        context.Response.ContentType = "application/json";
        context.Response.StatusCode = context.Request.Url?.AbsolutePath == "/rules" ? 200 : 404;
        await context.Response.OutputStream.WriteAsync(body);
        context.Response.Close();
    }
}

static void PrintTable(string[] header, IEnumerable<string[]> rows)
{
    List<string[]> all = [header, .. rows];
    int[] widths = [.. Enumerable.Range(0, header.Length).Select(i => all.Max(r => r[i].Length))];
    var line = new StringBuilder();
    foreach (string[] row in all)
    {
        line.Clear();
        for (int i = 0; i < row.Length; i++)
        {
            line.Append(i == row.Length - 1 ? row[i] : row[i].PadRight(widths[i] + 2));
        }

        Console.WriteLine(line.ToString().TrimEnd());
    }
}
