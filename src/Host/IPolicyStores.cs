using Microsoft.Extensions.DependencyInjection;

namespace Airlock;

/// <summary>
/// Where the policy state of an application lives when it is not the SQLite files of one process: a store that
/// several instances share (the <c>Airlock.Host.PostgreSql</c> package provides one). Set it as
/// <see cref="AirlockOptions.PolicyStores"/>.
/// </summary>
public interface IPolicyStores
{
    /// <summary>
    /// Registers the shared <see cref="Auditing.IAuditLog"/>, <see cref="Security.IApprovalStore"/>,
    /// <see cref="Services.IPluginKeyValueStore"/> and <see cref="Services.IPluginRateLimiter"/> as singletons.
    /// <see cref="AirlockServiceCollectionExtensions.AddAirlock"/> calls it instead of registering its SQLite files.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="options">The application's Airlock options (limits, audit batching, key-value limits).</param>
    void Register(IServiceCollection services, AirlockOptions options);
}
