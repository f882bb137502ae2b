using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Airlock.Abi;
using Airlock.Cli.Plugins;
using Airlock.Contracts.Driftless;
using Airlock.Contracts.Lesstruct;
using Airlock.Contracts.SocialScale;
using Airlock.Discovery;
using Airlock.Driftless;
using Airlock.Lesstruct;
using Airlock.Runtime;
using Airlock.Samuel;
using Airlock.Security;
using Airlock.Services;
using Airlock.SocialScale;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using Profile = Airlock.Cli.Plugins.Profile;

namespace Airlock.Cli.Commands;

/// <summary>
/// <c>airlock run</c>: calls one export of an installed or local plugin through the dynamic path (JSON in, JSON out,
/// every limit and check of a generated client), with the host functions its profile's services give under its
/// manifest's permissions, and prints the result and what the call cost.
/// </summary>
internal static class RunCommand
{
    public static Command Create(CliContext context)
    {
        var plugin = new Argument<string>("plugin") { Description = "An installed plugin's id, or a plugin folder or manifest." };
        var export = new Argument<string>("export") { Description = "The export to call." };
        var input = new Argument<string?>("input") { Description = "The JSON input, or @file to read it from a file (default {}).", Arity = ArgumentArity.ZeroOrOne };
        var timeout = new Option<int?>("--timeout-ms") { Description = "The call's deadline in milliseconds (default: the manifest's, capped by the host's 5000)." };
        var fuel = new Option<ulong?>("--fuel") { Description = "The call's fuel budget (instructions, roughly)." };
        var memory = new Option<int?>("--memory-mb") { Description = "The instance's memory limit in MiB." };
        var json = new Option<bool>("--json") { Description = "Write the result and the cost as one JSON object." };
        var command = new Command(
            "run",
            "Call one export of an installed or local plugin and print the result as pretty JSON, then the time, fuel and memory the call took. SocialScale and Samuel plugins are called through the dynamic path (the JSON exports of the packed ptr+len ABI); Lesstruct and Driftless plugins through their profile's own loader and typed contract (ILesstructPlugin's hooks, IDriftlessPlugin's registries and executions), the JSON input becoming the method's arguments through the contract's JSON context. Host functions come from the profile's services (AddAirlock's, with the data directory's stores) under the manifest's permissions; a SocialScale plugin that asks for permissions runs only under a stored approval of exactly them and its module.\n\n"
            + "Examples:\n  airlock run com.airlock.samples.chirp-c plugin_info\n  airlock run samples/plugins/samuel-hello-c greet '{\"name\":\"Ada\"}'\n  airlock run samples/plugins/lesstruct-redact-c hook_before_save '{\"title\":\"t\",\"customFields\":{\"note\":\"Darn it\"}}'\n  airlock run samples/plugins/driftless-rust execute_template_filter '{\"name\":\"slugify\",\"config\":{},\"value\":\"Hello World\",\"args\":[]}'\n  airlock run ./my-plugin transform @input.json --timeout-ms 200 --fuel 1000000\n\n"
            + "Exit codes: 0 the call returned, 1 the plugin answered an error or failed (trap, timeout, fuel, memory) or is not approved, 2 could not run it (unknown plugin or export, input that does not fit the export).")
        {
            plugin,
            export,
            input,
            timeout,
            fuel,
            memory,
            json,
        };
        command.SetAction((parsed, cancellationToken) => RunAsync(context, parsed, parsed.GetValue(plugin)!, parsed.GetValue(export)!, parsed.GetValue(input), new RunLimits(parsed.GetValue(timeout), parsed.GetValue(fuel), parsed.GetValue(memory)), parsed.GetValue(json), cancellationToken));
        return command;
    }

    /// <summary>The plugin <paramref name="text"/> names: a folder or manifest, else an installed plugin's id.</summary>
    public static PluginPackage Resolve(CliContext context, ParseResult parsed, string text, out InstalledPlugin? installed)
    {
        installed = null;
        if (Directory.Exists(text) || File.Exists(text))
        {
            return PluginPackage.Open(text);
        }

        string lockPath = context.LockPath(parsed);
        installed = PluginLockFile.Read(lockPath).FirstOrDefault(p => p.Name == text);
        if (installed is null)
        {
            throw new CliException(ExitCodes.CouldNot, $"No plugin '{text}' is installed in {context.PluginsPath(parsed)}, and there is no such folder or file; install it (airlock install <source>) or give its folder.");
        }

        return PluginPackage.Open(installed.Directory);
    }

    // The limits as given: each profile's loader starts from its own defaults (Driftless from plugins.toml's).
    private sealed record RunLimits(int? TimeoutMs, ulong? Fuel, int? MemoryMb)
    {
        public PluginLimits? ToPluginLimits()
        {
            if (TimeoutMs is null && Fuel is null && MemoryMb is null)
            {
                return null;
            }

            if (TimeoutMs <= 0 || MemoryMb <= 0)
            {
                throw new CliException(ExitCodes.CouldNot, "--timeout-ms and --memory-mb must be positive.");
            }

            PluginLimits defaults = PluginLimits.Default;
            return defaults with
            {
                Timeout = TimeoutMs is { } ms ? TimeSpan.FromMilliseconds(ms) : defaults.Timeout,
                FuelPerCall = Fuel ?? defaults.FuelPerCall ?? CliContext.MeteredFuel,
                MemoryBytes = MemoryMb is { } mb ? mb * 1024L * 1024 : defaults.MemoryBytes,
            };
        }

        public DriftlessSecurity ToDriftless(DriftlessSecurity security)
        {
            _ = ToPluginLimits();
            return security with
            {
                ExecutionTimeout = TimeoutMs is { } ms ? TimeSpan.FromMilliseconds(ms) : security.ExecutionTimeout,
                FuelLimit = Fuel ?? security.FuelLimit,
                MaxMemory = MemoryMb is { } mb ? mb * 1024L * 1024 : security.MaxMemory,
            };
        }
    }

    private static JsonElement ReadInput(string? text)
    {
        string json = text ?? "{}";
        if (json.StartsWith('@'))
        {
            string path = json[1..];
            try
            {
                json = File.ReadAllText(path);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                throw new CliException(ExitCodes.CouldNot, $"The input file '{path}' cannot be read: {exception.Message}");
            }
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            JsonElement input = document.RootElement.Clone();

            // JSON allows escapes of lone surrogates ("\ud800"), which no UTF-8 text a plugin reads can hold.
            using (var check = new Utf8JsonWriter(Stream.Null))
            {
                input.WriteTo(check);
            }

            return input;
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            throw new CliException(ExitCodes.CouldNot, $"The input is not valid JSON text ({(exception.InnerException ?? exception).Message}); pass a JSON value of valid Unicode text, or @file to read one from a file.");
        }
    }

    private static async Task<int> RunAsync(CliContext context, ParseResult parsed, string pluginText, string export, string? inputText, RunLimits given, bool json, CancellationToken cancellationToken)
    {
        PluginPackage package = Resolve(context, parsed, pluginText, out InstalledPlugin? installed);
        JsonElement input = ReadInput(inputText);
        PluginLimits? limits = given.ToPluginLimits();
        var costs = new List<PluginCallCost>();
        void Observe(PluginCallCost cost)
        {
            lock (costs)
            {
                costs.Add(cost);
            }
        }

        await using ServiceProvider provider = context.CreateServices(parsed);
        PluginHost host = provider.GetRequiredService<PluginHost>();
        JsonElement result;
        long started;
        TimeSpan elapsed;
        switch (package.Profile)
        {
            case Profile.SocialScale:
            {
                PluginManifest manifest = package.SocialScale!;
                ModuleFile module = InspectCommand.Read(package.ModulePath);
                ApprovalRecord? approval = null;
                if (package.Permissions.Count > 0)
                {
                    approval = provider.GetRequiredService<IApprovalStore>().Find(manifest.Id, manifest.Version, package.Fingerprint, module.Sha256)
                        ?? throw new CliException(ExitCodes.No, $"Plugin '{manifest.Id}' {manifest.Version} asks for {manifest.Permissions} with module {module.Sha256}, and no stored approval covers exactly that; approve it first (airlock approvals approve {pluginText}), then run it.");
                }

                SocialScaleServices socialScale = provider.GetRequiredService<SocialScaleServices>();
                var hostFunctions = new SocialScaleHostServices(manifest.Id, manifest.Version, manifest.Permissions, socialScale);
                var contract = new DynamicContract("socialscale:" + manifest.Id, [export]) { HostModules = [WasmHostModule.Of<ISocialScaleHost>()] };
                var options = new PluginLoadOptions
                {
                    Limits = limits,
                    Approval = approval,
                    HostResults = manifest.HostResults,
                    Configuration = manifest.Configuration,
                    ExpectedModuleSha256 = installed?.Sha256 ?? approval?.ModuleSha256,
                    Wasi = manifest.Wasi == false ? WasiPolicy.None : null,
                    LogLimiter = socialScale.LogLimiter,
                    CallObserver = Observe,
                }.AddImports<ISocialScaleHost>(hostFunctions);

                // The seed's exports that take no input (plugin_init, plugin_capabilities) through the typed contract;
                // every export that takes JSON through the dynamic path, which prints the plugin's answer as it is.
                TypedExports exports = TypedExports.Of(typeof(ISocialScalePlugin));
                if (exports.Binds(export) && exports.Find(module, manifest.Id, "SocialScale", export) is { } typed
                    && typed.Method.GetParameters().All(p => p.ParameterType == typeof(CancellationToken)))
                {
                    await using ISocialScalePlugin typedPlugin = await host.LoadFileAsync<ISocialScalePlugin>(manifest.Id, manifest.Version, package.ModulePath, manifest.ManifestPath, options, cancellationToken).ConfigureAwait(false);
                    started = Stopwatch.GetTimestamp();
                    result = await exports.InvokeAsync([typedPlugin], typed, input, cancellationToken).ConfigureAwait(false);
                    elapsed = Stopwatch.GetElapsedTime(started);
                    break;
                }

                await using DynamicPlugin plugin = await host.LoadDynamicAsync(contract, manifest.Id, manifest.Version, package.ModulePath, manifest.ManifestPath, options, cancellationToken).ConfigureAwait(false);
                started = Stopwatch.GetTimestamp();
                result = await plugin.InvokeAsync(export, input, cancellationToken).ConfigureAwait(false);
                elapsed = Stopwatch.GetElapsedTime(started);
                break;
            }

            case Profile.Samuel:
            {
                var samuelServices = new SamuelServices(provider.GetRequiredService<PluginHttpClient>(), provider.GetRequiredService<IPluginRateLimiter>(), provider.GetRequiredService<LogRateLimiter>())
                {
                    Audit = provider.GetRequiredService<Auditing.IAuditLog>(),
                };
                var loader = new SamuelPlugins(host, samuelServices, new SamuelPluginOptions { Limits = limits, LockFileName = CliContext.LockFileName, CallObserver = Observe });
                await using SamuelPlugin plugin = await loader.LoadAsync(package.ManifestPath!, cancellationToken).ConfigureAwait(false);
                started = Stopwatch.GetTimestamp();
                result = await plugin.InvokeAsync(export, input, cancellationToken).ConfigureAwait(false);
                elapsed = Stopwatch.GetElapsedTime(started);
                break;
            }

            case Profile.Lesstruct:
            {
                // Lesstruct's own loader: the manifest's host functions, hook_on_plugin_loaded before it serves.
                TypedExports exports = TypedExports.Of(typeof(ILesstructPlugin));
                TypedExport typed = exports.Find(InspectCommand.Read(package.ModulePath), package.Id, "Lesstruct", export);
                var options = new LesstructPluginOptions
                {
                    DevelopmentMode = false,
                    Limits = limits,
                    Services = new LesstructServicesOptions { Audit = provider.GetRequiredService<Auditing.IAuditLog>() },
                    CallObserver = Observe,
                };
                await using ILesstructPlugin plugin = await LesstructPlugins.LoadAsync(host, options, new PluginFile(package.Id, package.ModulePath, package.ManifestPath), cancellationToken).ConfigureAwait(false);
                started = Stopwatch.GetTimestamp();
                result = await exports.InvokeAsync([plugin], typed, input, cancellationToken).ConfigureAwait(false);
                elapsed = Stopwatch.GetElapsedTime(started);
                break;
            }

            default:
            {
                // Driftless's own loader: its import rules, the contract of the module's convention, the registries read
                // at load; executions go through DriftlessPlugin, which checks the name and the configuration's schema.
                TypedExports exports = TypedExports.Of(typeof(IDriftlessPlugin));
                TypedExport typed = exports.Find(InspectCommand.Read(package.ModulePath), package.Id, "Driftless", export);
                var options = new DriftlessPluginOptions { Settings = DriftlessSettings.Default with { Security = given.ToDriftless(DriftlessSecurity.Default) }, CallObserver = Observe };
                await using DriftlessPlugin plugin = await DriftlessPlugins.LoadAsync(host, options, new PluginFile(package.Id, package.ModulePath, null), cancellationToken).ConfigureAwait(false);
                started = Stopwatch.GetTimestamp();
                result = await exports.InvokeAsync([plugin, plugin.Exports], typed, input, cancellationToken).ConfigureAwait(false);
                elapsed = Stopwatch.GetElapsedTime(started);
                break;
            }
        }

        PluginCallCost? cost;
        lock (costs)
        {
            cost = costs.LastOrDefault(c => c.Export == export) is { Export: not null } last ? last : null;
        }

        if (json)
        {
            Output.Json(context.Console, new JsonObject
            {
                ["plugin"] = package.Id,
                ["export"] = export,
                ["result"] = JsonNode.Parse(result.GetRawText()),
                ["elapsedMs"] = Math.Round(elapsed.TotalMilliseconds, 3),
                ["fuel"] = cost?.FuelConsumed,
                ["memoryBytes"] = cost?.MemoryBytes,
            });
        }
        else
        {
            Output.Json(context.Console, result);
            context.Console.Error.MarkupLine($"[grey]{Markup.Escape(package.Id)} {Markup.Escape(export)}: {elapsed.TotalMilliseconds:0.###} ms, fuel {(cost?.FuelConsumed is { } f ? f.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) : "not metered")}, memory {(cost is { } c ? Output.Size(c.MemoryBytes) : "unknown")}[/]");
        }

        return ExitCodes.Ok;
    }
}
