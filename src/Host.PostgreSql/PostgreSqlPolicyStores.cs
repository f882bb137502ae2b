using Airlock.Auditing;
using Airlock.Security;
using Airlock.Services;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Airlock.PostgreSql;

/// <summary>
/// The policy state of every instance in one PostgreSQL database: set as <see cref="AirlockOptions.PolicyStores"/>
/// (<see cref="PostgreSqlAirlockOptionsExtensions.UsePostgreSql(AirlockOptions, string, Action{PostgreSqlStoreOptions}?)"/> does).
/// </summary>
/// <param name="options">The database and its timeouts.</param>
public sealed class PostgreSqlPolicyStores(PostgreSqlStoreOptions options) : IPolicyStores
{
    /// <summary>The database and its timeouts.</summary>
    public PostgreSqlStoreOptions Options { get; } = (options ?? throw new ArgumentNullException(nameof(options))).Validated();

    /// <inheritdoc/>
    /// <remarks>
    /// The schema is created or migrated when the first store is resolved (the <see cref="PostgreSqlPolicyDatabase"/>
    /// singleton); resolve one at start-up to fail fast on a database that cannot be reached.
    /// </remarks>
    public void Register(IServiceCollection services, AirlockOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(provider => new PostgreSqlPolicyDatabase(Options, Loggers(provider).CreateLogger("Airlock.PostgreSql")));
        services.AddSingleton<IApprovalStore>(provider => new PostgreSqlApprovalStore(provider.GetRequiredService<PostgreSqlPolicyDatabase>()));
        services.AddSingleton<IPluginKeyValueStore>(provider => new PostgreSqlKeyValueStore(provider.GetRequiredService<PostgreSqlPolicyDatabase>(), options.KeyValue, provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IAuditLog>(provider => new PostgreSqlAuditLog(provider.GetRequiredService<PostgreSqlPolicyDatabase>(), options.Audit, Loggers(provider).CreateLogger("Airlock.Audit"), provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IPluginRateLimiter>(provider => new PostgreSqlRateLimiter(provider.GetRequiredService<PostgreSqlPolicyDatabase>()));
    }

    private static ILoggerFactory Loggers(IServiceProvider provider) => provider.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
}

/// <summary>Selects PostgreSQL as the policy state Airlock's instances share.</summary>
public static class PostgreSqlAirlockOptionsExtensions
{
    /// <summary>
    /// Keeps approvals, the audit log, the key-value store and the rate limits in the PostgreSQL database
    /// <paramref name="connectionString"/> names, shared by every instance that names it; the schema is created and
    /// migrated on start. <see cref="AirlockOptions.DataDirectory"/> is then not needed.
    /// </summary>
    /// <param name="options">The Airlock options.</param>
    /// <param name="connectionString">The Npgsql connection string.</param>
    /// <param name="configure">Sets the schema, timeouts and default rate limit; <see langword="null"/> for the defaults.</param>
    /// <returns><paramref name="options"/>.</returns>
    public static AirlockOptions UsePostgreSql(this AirlockOptions options, string connectionString, Action<PostgreSqlStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var store = new PostgreSqlStoreOptions { ConnectionString = connectionString };
        configure?.Invoke(store);
        options.PolicyStores = new PostgreSqlPolicyStores(store);
        return options;
    }
}
