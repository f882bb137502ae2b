using System.Text.Json;
using Airlock;
using Airlock.Contracts.Driftless;
using Airlock.Discovery;
using Airlock.Driftless;
using Microsoft.Extensions.Logging;

// A Driftless task runner over Airlock: the plugins directory holds confkit (Rust, #[wasm_bindgen]) and
// logkit (C, plain ptr+len functions); plugins.toml sets their limits.
string plugins = Path.Combine(AppContext.BaseDirectory, "plugins");
using ILoggerFactory logs = LoggerFactory.Create(builder => builder.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
var options = new DriftlessPluginOptions
{
    DirectoryPath = plugins,
    Settings = DriftlessSettings.Load(Path.Combine(AppContext.BaseDirectory, "plugins.toml")),
    LoggerFactory = logs,
};

await using var host = new PluginHost();
await using PluginDirectory<DriftlessPlugin> directory = await DriftlessPlugins.OpenAsync(host, options);
foreach (PluginLoadFailure failure in directory.Failures)
{
    Console.WriteLine($"not loaded: {failure.Name}: {failure.Error.Message}");
}

using PluginLease<DriftlessPlugin> lease = directory.Acquire();
foreach (DriftlessPlugin plugin in lease.Plugins)
{
    Console.WriteLine($"{plugin.Info.Id} ({plugin.Info.Abi}, {plugin.Info.Limits.Timeout.TotalSeconds:0} s, {plugin.Info.Limits.MemoryBytes / (1024 * 1024)} MiB): {plugin.Registered.Describe()}");
}

DriftlessPlugin confkit = lease.Plugins.Single(p => p.Info.Id == "confkit");
DriftlessPlugin logkit = lease.Plugins.Single(p => p.Info.Id == "logkit");

// A task with a valid configuration, then with an invalid one: the second never reaches the plugin.
using JsonDocument valid = JsonDocument.Parse("""{"path":"/etc/hosts","content":"127.0.0.1 localhost\n","line":"10.0.0.5 db.internal"}""");
DriftlessTaskResult task = await confkit.ExecuteTaskAsync("line_in_file", valid.RootElement);
Console.WriteLine($"line_in_file: changed={task.Changed}, {task.Message}");
using JsonDocument invalid = JsonDocument.Parse("""{"path":"","content":42}""");
try
{
    await confkit.ExecuteTaskAsync("line_in_file", invalid.RootElement);
}
catch (DriftlessConfigException exception)
{
    Console.WriteLine($"line_in_file refused before it ran: {string.Join("; ", exception.Violations.Select(v => $"{(v.Path.Length == 0 ? "/" : v.Path)}: {v.Message}"))}");
}

// A template filter.
using JsonDocument empty = JsonDocument.Parse("{}");
using JsonDocument title = JsonDocument.Parse("\"Release Notes: Airlock 1.0!\"");
using JsonDocument noArgs = JsonDocument.Parse("[]");
DriftlessValueResult slug = await confkit.ExecuteTemplateFilterAsync("slugify", empty.RootElement, title.RootElement, noArgs.RootElement);
Console.WriteLine($"{{{{ \"Release Notes: Airlock 1.0!\" | slugify }}}} = {slug.Value}");

// Log lines: logkit's heartbeat source -> confkit's logfmt parser -> logkit's level filter -> logkit's text output.
using JsonDocument source = JsonDocument.Parse("""{"service":"web","count":4,"levels":["debug","info","warn","error"]}""");
using JsonDocument atLeastWarn = JsonDocument.Parse("""{"min_level":"warn"}""");
foreach (string line in (await logkit.ExecuteLogSourceAsync("heartbeat", source.RootElement)).Lines)
{
    DriftlessLogEntry entry = (await confkit.ExecuteLogParserAsync("logfmt", empty.RootElement, line)).Entry;
    if ((await logkit.ExecuteLogFilterAsync("level_at_least", atLeastWarn.RootElement, entry)).Keep)
    {
        Console.WriteLine("log: " + (await logkit.ExecuteLogOutputAsync("text", empty.RootElement, entry)).Output.TrimEnd());
    }
}
