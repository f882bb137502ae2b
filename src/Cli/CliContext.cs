using System.CommandLine;
using Airlock.Auditing;
using Airlock.Security;
using Microsoft.Extensions.DependencyInjection;

namespace Airlock.Cli;

/// <summary>What every command shares: the console and the plugins and data directories.</summary>
internal sealed class CliContext
{
    /// <summary>The plugins directory when neither the option nor <c>AIRLOCK_PLUGINS_DIR</c> names one.</summary>
    public const string DefaultPluginsDirectory = "plugins";

    /// <summary>The data directory when neither the option nor <c>AIRLOCK_DATA_DIR</c> names one.</summary>
    public const string DefaultDataDirectory = "airlock-data";

    /// <summary>The fuel budget of a call when neither the manifest nor <c>--fuel</c> sets one: metered, so its cost is known.</summary>
    public const ulong MeteredFuel = 10_000_000_000;

    /// <summary>The lock file of a plugins directory.</summary>
    public const string LockFileName = "airlock.lock.json";

    public CliContext(CliConsole console)
    {
        Console = console;
    }

    public CliConsole Console { get; }

    /// <summary><c>--plugins-dir</c>: where installed plugins live, one folder each, with the lock file.</summary>
    public Option<string?> PluginsDirectory { get; } = new("--plugins-dir")
    {
        Description = $"The plugins directory (default: $AIRLOCK_PLUGINS_DIR, else ./{DefaultPluginsDirectory}).",
        Recursive = true,
    };

    /// <summary><c>--data-dir</c>: the approvals, audit log and key-value store (the files AddAirlock keeps).</summary>
    public Option<string?> DataDirectory { get; } = new("--data-dir")
    {
        Description = $"Where approvals.db, audit.db and kv.db live, as AddAirlock's DataDirectory (default: $AIRLOCK_DATA_DIR, else ./{DefaultDataDirectory}).",
        Recursive = true,
    };

    public string PluginsPath(ParseResult parsed)
        => Path.GetFullPath(parsed.GetValue(PluginsDirectory) ?? Environment.GetEnvironmentVariable("AIRLOCK_PLUGINS_DIR") ?? DefaultPluginsDirectory);

    public string DataPath(ParseResult parsed)
        => Path.GetFullPath(parsed.GetValue(DataDirectory) ?? Environment.GetEnvironmentVariable("AIRLOCK_DATA_DIR") ?? DefaultDataDirectory);

    public string LockPath(ParseResult parsed) => Path.Combine(PluginsPath(parsed), LockFileName);

    /// <summary>The approvals store AddAirlock uses (<c>approvals.db</c> in the data directory).</summary>
    public SqliteApprovalStore OpenApprovals(ParseResult parsed)
    {
        string data = DataPath(parsed);
        Directory.CreateDirectory(data);
        return new SqliteApprovalStore(Path.Combine(data, "approvals.db"));
    }

    /// <summary>The audit log AddAirlock uses (<c>audit.db</c> in the data directory).</summary>
    public SqliteAuditLog OpenAudit(ParseResult parsed)
    {
        string data = DataPath(parsed);
        Directory.CreateDirectory(data);
        return new SqliteAuditLog(Path.Combine(data, "audit.db"));
    }

    /// <summary>The folder of the compiled-module cache the command's host keeps in the data directory.</summary>
    public string ModuleCachePath(ParseResult parsed) => Path.Combine(DataPath(parsed), "module-cache");

    /// <summary>The module cache's lookups summed over the commands that used this data directory (<see cref="ModuleCacheTally"/>).</summary>
    public string ModuleCacheTallyPath(ParseResult parsed) => Path.Combine(DataPath(parsed), ModuleCacheTally.FileName);

    /// <summary>
    /// Airlock's services as an application that calls AddAirlock with this data directory has them (the same stores,
    /// host functions and loaders), with nothing approved that is not stored and the module cache in the data directory.
    /// </summary>
    public ServiceProvider CreateServices(ParseResult parsed)
    {
        string data = DataPath(parsed);
        var services = new ServiceCollection();
        services.AddAirlock(options =>
        {
            options.DataDirectory = data;
            options.ApprovalPolicy = new DenyAllPolicy();
            options.Host.ModuleCache = new ModuleCacheOptions { Directory = ModuleCachePath(parsed) };
            // Fuel is metered (with a budget no ordinary call reaches) so that a call's cost can be reported.
            options.Host.DefaultLimits = PluginLimits.Default with { FuelPerCall = PluginLimits.Default.FuelPerCall ?? MeteredFuel };
        });
        // Disposed before the host (created after it), adding this command's module cache lookups to the tally.
        string tally = ModuleCacheTallyPath(parsed);
        services.AddSingleton(provider => new ModuleCacheTally(tally, provider.GetRequiredService<PluginHost>()));
        ServiceProvider built = services.BuildServiceProvider();
        built.GetRequiredService<ModuleCacheTally>();
        return built;
    }
}
