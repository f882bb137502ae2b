using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Airlock.Dashboard;

/// <summary>Registers the dashboard's services.</summary>
public static class AirlockDashboardServiceCollectionExtensions
{
    /// <summary>
    /// Adds what <see cref="AirlockDashboardEndpointRouteBuilderExtensions.MapAirlockDashboard"/> needs: its options,
    /// the <see cref="PluginStatusBoard"/> the host reports plugins to, the <see cref="PluginCallMetrics"/> that listens
    /// to Airlock's meter, ASP.NET Core anti-forgery, and the <see cref="AirlockDashboardPolicies"/> authorization
    /// policies. Authentication is the application's: add a scheme (cookies, OpenID Connect, ...) of your own.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options (the administrator role, the chart window); optional.</param>
    public static IServiceCollection AddAirlockDashboard(this IServiceCollection services, Action<AirlockDashboardOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new AirlockDashboardOptions();
        configure?.Invoke(options);
        options.Validate();
        services.AddSingleton(options);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(provider => new PluginStatusBoard(provider.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(provider => new PluginCallMetrics(options, provider.GetRequiredService<TimeProvider>(), provider.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddAntiforgery();
        services.AddAuthorizationBuilder()
            .AddPolicy(AirlockDashboardPolicies.Viewer, policy =>
            {
                policy.RequireAuthenticatedUser();
                if (options.ViewerRole is { } viewer)
                {
                    policy.RequireRole(viewer, options.AdministratorRole);
                }
            })
            .AddPolicy(AirlockDashboardPolicies.Administrator, policy => policy.RequireAuthenticatedUser().RequireRole(options.AdministratorRole));
        return services;
    }
}
