using System.Diagnostics.Metrics;
using Airlock.Auditing;
using Airlock.Diagnostics;
using Airlock.Security;
using Airlock.Services;
using Airlock.SocialScale;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Airlock;

/// <summary>What <see cref="AirlockServiceCollectionExtensions.AddAirlock"/> sets up.</summary>
public sealed class AirlockOptions
{
    /// <summary>
    /// Where the audit log, approvals and key-value store live (created if missing). Required unless
    /// <see cref="PolicyStores"/> keeps them elsewhere.
    /// </summary>
    public string DataDirectory { get; set; } = string.Empty;

    /// <summary>
    /// Where the policy state lives when several instances of the application share it: the approvals, the audit
    /// log, the key-value store and the rate limits. <see langword="null"/> (the default) keeps them in SQLite files
    /// under <see cref="DataDirectory"/>, for one process. The <c>Airlock.Host.PostgreSql</c> package sets it with
    /// <c>options.UsePostgreSql(connectionString)</c>.
    /// </summary>
    public IPolicyStores? PolicyStores { get; set; }

    /// <summary>Who approves new permission requests. Nothing is approved by default: set a prompt, a file or, in tests, <see cref="AutoApprovePolicy"/>.</summary>
    public IApprovalPolicy ApprovalPolicy { get; set; } = new DenyAllPolicy();

    /// <summary>
    /// When <see langword="true"/>, requests no stored approval covers wait in the <see cref="Security.ApprovalQueue"/>
    /// service for an administrator (for example in the Airlock dashboard) instead of going to
    /// <see cref="ApprovalPolicy"/>: the plugin is refused until approved there. Default <see langword="false"/>.
    /// </summary>
    public bool UseApprovalQueue { get; set; }

    /// <summary>The engine's settings and default limits.</summary>
    public PluginHostOptions Host { get; set; } = new();

    /// <summary>The administrator's limits: defaults, maximums a manifest may ask for, and per-plugin overrides.</summary>
    public PluginLimitPolicy Limits { get; set; } = new();

    /// <summary>Outbound HTTP for plugins: response caps, private-network rules, upstream overrides.</summary>
    public PluginHttpOptions Http { get; set; } = new();

    /// <summary>Limits of each plugin's key-value namespace.</summary>
    public KeyValueLimits KeyValue { get; set; } = new();

    /// <summary>The bounded event bus's settings.</summary>
    public PluginEventBusOptions Events { get; set; } = new();

    /// <summary>
    /// How the audit log bounds each plugin's records and batches its writes: allowed host calls aggregated per
    /// second, 120 records per plugin per minute, denials always recorded one by one and committed at once.
    /// </summary>
    public AuditLogOptions Audit { get; set; } = new();

    /// <summary>The per-plugin limit of plugin log lines: 10 a second with bursts of 50 by default.</summary>
    public LogRateLimiterOptions Logs { get; set; } = new();

    /// <summary>OAuth tokens by platform; an in-memory store by default.</summary>
    public ICredentialStore Credentials { get; set; } = new InMemoryCredentialStore();
}

/// <summary>Registers Airlock's host and its capability-checked services with dependency injection.</summary>
public static class AirlockServiceCollectionExtensions
{
    /// <summary>
    /// Adds a <see cref="PluginHost"/>, the SQLite audit log, approvals and key-value store under
    /// <see cref="AirlockOptions.DataDirectory"/>, an <see cref="ApprovalQueue"/> over them, the event bus, rate limiters, plugin HTTP, and a
    /// <see cref="SocialScalePluginLoader"/> that loads plugins only with approved permissions.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options; <see cref="AirlockOptions.DataDirectory"/> is required.</param>
    public static IServiceCollection AddAirlock(this IServiceCollection services, Action<AirlockOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new AirlockOptions();
        configure(options);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        // One meter per container when it has a meter factory (AddMetrics, or any generic host); else the process-wide one.
        services.TryAddSingleton(provider => AirlockInstruments.For(provider.GetService<IMeterFactory>()));
        services.AddSingleton(provider => new PluginHost(options.Host, Loggers(provider), provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<AirlockInstruments>()));
        if (options.PolicyStores is { } shared)
        {
            shared.Register(services, options);
        }
        else
        {
            AddSqliteStores(services, options, configure);
        }

        services.AddSingleton(provider => new ApprovalQueue(provider.GetRequiredService<IApprovalStore>(), provider.GetRequiredService<IAuditLog>(), provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton(provider => new PluginApprovals(
            provider.GetRequiredService<IApprovalStore>(),
            options.UseApprovalQueue ? provider.GetRequiredService<ApprovalQueue>() : options.ApprovalPolicy,
            provider.GetRequiredService<IAuditLog>(),
            provider.GetRequiredService<TimeProvider>())
        {
            MaxModuleBytes = options.Host.MaxModuleBytes,
            Instruments = provider.GetRequiredService<AirlockInstruments>(),
        });
        services.AddSingleton(options.Limits);
        services.AddSingleton(options.Credentials);
        services.AddSingleton(provider => new PluginEventBus(options.Events, Loggers(provider).CreateLogger<PluginEventBus>(), provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton(provider => new PluginRateLimiter(new PluginRateLimiterOptions(), provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton(provider => new LogRateLimiter(options.Logs, provider.GetRequiredService<TimeProvider>()) { Instruments = provider.GetRequiredService<AirlockInstruments>() });
        services.AddSingleton(_ => new PluginHttpClient(options.Http));
        services.AddSingleton(provider => new SocialScaleServices(provider.GetRequiredService<PluginHttpClient>(), provider.GetRequiredService<IPluginRateLimiter>(), provider.GetRequiredService<LogRateLimiter>())
        {
            Approvals = provider.GetRequiredService<IApprovalStore>(),
            KeyValueStore = provider.GetRequiredService<IPluginKeyValueStore>(),
            Events = provider.GetRequiredService<PluginEventBus>(),
            Credentials = provider.GetRequiredService<ICredentialStore>(),
            Audit = provider.GetRequiredService<IAuditLog>(),
            LoggerFactory = Loggers(provider),
            TimeProvider = provider.GetRequiredService<TimeProvider>(),
            Instruments = provider.GetRequiredService<AirlockInstruments>(),
        });
        services.AddSingleton(provider => new SocialScalePluginLoader(
            provider.GetRequiredService<PluginHost>(),
            provider.GetRequiredService<PluginApprovals>(),
            provider.GetRequiredService<PluginLimitPolicy>(),
            provider.GetRequiredService<SocialScaleServices>()));
        return services;
    }

    // One process's policy state: SQLite files under the data directory, and the rate limits in memory.
    private static void AddSqliteStores(IServiceCollection services, AirlockOptions options, Action<AirlockOptions> configure)
    {
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            throw new ArgumentException("AirlockOptions.DataDirectory is required: the audit log, approvals and key-value store are kept there.", nameof(configure));
        }

        string data = Path.GetFullPath(options.DataDirectory);
        services.AddSingleton<IAuditLog>(provider =>
        {
            Directory.CreateDirectory(data);
            return new SqliteAuditLog(Path.Combine(data, "audit.db"), options.Audit, Loggers(provider).CreateLogger("Airlock.Audit"), provider.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton<IApprovalStore>(_ =>
        {
            Directory.CreateDirectory(data);
            return new SqliteApprovalStore(Path.Combine(data, "approvals.db"));
        });
        services.AddSingleton<IPluginKeyValueStore>(_ =>
        {
            Directory.CreateDirectory(data);
            return new SqliteKeyValueStore(Path.Combine(data, "kv.db"), options.KeyValue);
        });
        services.AddSingleton<IPluginRateLimiter>(provider => provider.GetRequiredService<PluginRateLimiter>());
    }

    private static ILoggerFactory Loggers(IServiceProvider provider) => provider.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
}
