using System.CommandLine;
using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Airlock.Cli.Plugins;
using Airlock.Discovery;
using Airlock.Driftless;
using Airlock.Lesstruct;
using Airlock.Samuel;
using Airlock.Security;
using Airlock.Services;
using Airlock.SocialScale;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using Profile = Airlock.Cli.Plugins.Profile;

namespace Airlock.Cli.Commands;

/// <summary>
/// <c>airlock doctor</c>: the runtime and Wasmtime versions, each installed plugin loaded by its profile's own loader
/// (or why it does not load), pending approvals, the module cache's hit rate and size, and the guest toolchains found.
/// </summary>
internal static class DoctorCommand
{
    private static readonly (string Tool, string Use)[] Toolchains =
    [
        ("clang", "C plugins (wasm32-wasi)"),
        ("cargo", "Rust plugins"),
        ("rustc", "Rust plugins"),
        ("asc", "AssemblyScript plugins"),
        ("tinygo", "TinyGo plugins (Samuel)"),
        ("go", "Go (TinyGo needs it)"),
        ("wat2wasm", "WebAssembly text (tests, probes)"),
    ];

    public static Command Create(CliContext context)
    {
        var json = new Option<bool>("--json") { Description = "Write the report as JSON." };
        var command = new Command(
            "doctor",
            "Check the installation: .NET and Wasmtime versions, each plugin of the plugins directory loaded by its profile's loader (or why not), approvals still pending, the module cache's hit rate and size, and the toolchains found for plugin authors (clang, cargo/rustc, asc, tinygo/go, wat2wasm).\n\n"
            + "Examples:\n  airlock doctor\n  airlock doctor --json | jq '.plugins[] | select(.loads == false)'\n\n"
            + "Exit codes: 0 every installed plugin loads, 1 some plugin does not load, 2 the plugins directory or lock file cannot be read.")
        {
            json,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var report = await ExamineAsync(context, parsed, cancellationToken).ConfigureAwait(false);
            if (parsed.GetValue(json))
            {
                Output.Json(context.Console, report);
            }
            else
            {
                Write(context.Console, report);
            }

            return report["plugins"]!.AsArray().All(p => p!["loads"]!.GetValue<bool>()) ? ExitCodes.Ok : ExitCodes.No;
        });
        return command;
    }

    private static async Task<JsonObject> ExamineAsync(CliContext context, ParseResult parsed, CancellationToken cancellationToken)
    {
        string pluginsDirectory = context.PluginsPath(parsed);
        IReadOnlyList<InstalledPlugin> installed = PluginLockFile.Read(context.LockPath(parsed));
        var plugins = new JsonArray();
        await using ServiceProvider provider = context.CreateServices(parsed);
        PluginHost host = provider.GetRequiredService<PluginHost>();
        foreach (InstalledPlugin plugin in installed)
        {
            string? problem = await LoadProblemAsync(provider, host, plugin, cancellationToken).ConfigureAwait(false);
            plugins.Add(new JsonObject
            {
                ["id"] = plugin.Name,
                ["version"] = plugin.Version,
                ["profile"] = plugin.Profile,
                ["sha256"] = plugin.Sha256,
                ["signer"] = plugin.Signer,
                ["loads"] = problem is null,
                ["problem"] = problem,
            });
        }

        using SqliteApprovalStore store = context.OpenApprovals(parsed);
        IReadOnlyList<InstalledPlugin> pending = ApprovalsCommand.Pending(context, parsed, store);
        ModuleCacheStatistics statistics = host.ModuleCacheStatistics;
        ModuleCacheUsage usage = host.ModuleCacheUsage;
        long lookups = statistics.MemoryHits + statistics.DiskHits + statistics.Compilations;
        // The commands before this one, as the tally file has them, plus this check's own loads.
        (long storedMemory, long storedDisk, long storedCompilations, DateTimeOffset? since) = ModuleCacheTally.Read(context.ModuleCacheTallyPath(parsed));
        long memoryHits = storedMemory + statistics.MemoryHits;
        long diskHits = storedDisk + statistics.DiskHits;
        long compilations = storedCompilations + statistics.Compilations;
        long allLookups = memoryHits + diskHits + compilations;
        return new JsonObject
        {
            ["dotnet"] = RuntimeInformation.FrameworkDescription,
            ["os"] = RuntimeInformation.OSDescription,
            ["wasmtime"] = typeof(Wasmtime.Engine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion?.Split('+')[0] ?? typeof(Wasmtime.Engine).Assembly.GetName().Version?.ToString(),
            ["airlock"] = typeof(PluginHost).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion?.Split('+')[0],
            ["pluginsDirectory"] = pluginsDirectory,
            ["pluginsDirectoryExists"] = Directory.Exists(pluginsDirectory),
            ["dataDirectory"] = context.DataPath(parsed),
            ["plugins"] = plugins,
            ["pendingApprovals"] = new JsonArray([.. pending.Select(p => (JsonNode)JsonValue.Create(p.Name + " " + p.Version)!)]),
            ["moduleCache"] = new JsonObject
            {
                ["directory"] = usage.Directory,
                ["files"] = usage.Files,
                ["bytes"] = usage.Bytes,
                ["budgetBytes"] = usage.BudgetBytes,
                ["memoryHits"] = statistics.MemoryHits,
                ["diskHits"] = statistics.DiskHits,
                ["compilations"] = statistics.Compilations,
                ["hitRate"] = lookups == 0 ? null : Math.Round(statistics.HitRate, 4),
                ["total"] = new JsonObject
                {
                    ["since"] = since ?? (allLookups == 0 ? null : DateTimeOffset.UtcNow),
                    ["memoryHits"] = memoryHits,
                    ["diskHits"] = diskHits,
                    ["compilations"] = compilations,
                    ["hitRate"] = allLookups == 0 ? null : Math.Round((double)(memoryHits + diskHits) / allLookups, 4),
                },
            },
            ["toolchains"] = new JsonArray([.. Toolchains.Select(t => (JsonNode)new JsonObject { ["tool"] = t.Tool, ["for"] = t.Use, ["version"] = VersionOf(t.Tool) })]),
        };
    }

    // Each plugin is loaded the way its application would load it: by its profile's loader, with AddAirlock's services,
    // stored approvals only, and the SHA-256 the lock file recorded.
    private static async Task<string?> LoadProblemAsync(ServiceProvider provider, PluginHost host, InstalledPlugin installed, CancellationToken cancellationToken)
    {
        try
        {
            PluginPackage package = PluginPackage.Open(installed.Directory);
            string sha256 = Files.UntrustedFile.ComputeSha256(package.ModulePath, PluginHostOptions.DefaultMaxModuleBytes, "a module", package.Id, cancellationToken);
            if (!string.Equals(sha256, installed.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                return $"its module has SHA-256 {sha256}, not the {installed.Sha256} recorded when it was installed: it changed since; install it again.";
            }

            IAsyncDisposable loaded = package.Profile switch
            {
                Profile.SocialScale => await provider.GetRequiredService<SocialScalePluginLoader>().LoadAsync(package.SocialScale!, cancellationToken).ConfigureAwait(false),
                Profile.Samuel => await new SamuelPlugins(host, new SamuelServices(provider.GetRequiredService<PluginHttpClient>(), provider.GetRequiredService<IPluginRateLimiter>(), provider.GetRequiredService<LogRateLimiter>()), new SamuelPluginOptions { LockFileName = CliContext.LockFileName }).LoadAsync(package.ManifestPath!, cancellationToken).ConfigureAwait(false),
                Profile.Lesstruct => await LesstructPlugins.LoadAsync(host, new LesstructPluginOptions { DevelopmentMode = false }, new PluginFile(package.Id, package.ModulePath, package.ManifestPath), cancellationToken).ConfigureAwait(false),
                _ => await DriftlessPlugins.LoadAsync(host, new DriftlessPluginOptions(), new PluginFile(package.Id, package.ModulePath, null), cancellationToken).ConfigureAwait(false),
            };
            await loaded.DisposeAsync().ConfigureAwait(false);
            return null;
        }
        catch (Exception exception) when (exception is AirlockException or CliException or ModuleUnreadableException or PluginFileException or IOException)
        {
            return exception.Message;
        }
    }

    private static string? VersionOf(string tool)
    {
        string? path = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);
        if (path is null)
        {
            return null;
        }

        try
        {
            using var process = Process.Start(new ProcessStartInfo(path, tool == "go" ? "version" : "--version") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false });
            if (process is null)
            {
                return "found";
            }

            string first = process.StandardOutput.ReadLine() ?? string.Empty;
            if (!process.WaitForExit(5000))
            {
                process.Kill();
            }

            return first.Length == 0 ? "found" : first.Trim();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "found (cannot run)";
        }
    }

    private static void Write(CliConsole console, JsonObject report)
    {
        console.Out.WriteLine($".NET      {report["dotnet"]}");
        console.Out.WriteLine($"Wasmtime  {report["wasmtime"]}");
        console.Out.WriteLine($"plugins   {report["pluginsDirectory"]}{(report["pluginsDirectoryExists"]!.GetValue<bool>() ? string.Empty : " (does not exist yet)")}");
        console.Out.WriteLine($"data      {report["dataDirectory"]}");
        JsonArray plugins = report["plugins"]!.AsArray();
        if (plugins.Count == 0)
        {
            console.Out.WriteLine("No plugins installed (airlock install <source>).");
        }

        foreach (JsonNode? plugin in plugins)
        {
            bool loads = plugin!["loads"]!.GetValue<bool>();
            console.Out.MarkupLine($"  {(loads ? "[green]loads[/]  " : "[red]fails[/]  ")} {Markup.Escape($"{plugin["id"]} {plugin["version"]} ({plugin["profile"]})")}{(loads ? string.Empty : ": " + Markup.Escape(plugin["problem"]!.ToString()))}");
        }

        foreach (JsonNode? pending in report["pendingApprovals"]!.AsArray())
        {
            console.Out.MarkupLine($"  [yellow]pending approval[/] {Markup.Escape(pending!.ToString())}");
        }

        JsonObject cache = report["moduleCache"]!.AsObject();
        console.Out.WriteLine($"module cache  {cache["directory"]}: {cache["files"]} files, {Output.Size(cache["bytes"]!.GetValue<long>())} of {Output.Size(cache["budgetBytes"]!.GetValue<long>())}; this check: {cache["memoryHits"]} memory hits, {cache["diskHits"]} disk hits, {cache["compilations"]} compilations{(cache["hitRate"] is { } rate ? $" (hit rate {rate.GetValue<double>():P0})" : string.Empty)}");
        JsonObject total = cache["total"]!.AsObject();
        if (total["since"] is { } since)
        {
            console.Out.WriteLine($"              every run and doctor since {since.GetValue<DateTimeOffset>().UtcDateTime:yyyy-MM-dd HH:mm}Z: {total["memoryHits"]} memory hits, {total["diskHits"]} disk hits, {total["compilations"]} compilations{(total["hitRate"] is { } all ? $" (hit rate {all.GetValue<double>():P0})" : string.Empty)}");
        }
        console.Out.WriteLine("toolchains");
        foreach (JsonNode? tool in report["toolchains"]!.AsArray())
        {
            console.Out.MarkupLine($"  {Markup.Escape(tool!["tool"]!.ToString()),-9} {(tool["version"] is { } version ? Markup.Escape(version.ToString()) : "[grey]not found[/]")}  [grey]{Markup.Escape(tool["for"]!.ToString())}[/]");
        }
    }
}
