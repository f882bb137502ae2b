using Airlock.Auditing;
using Airlock.Security;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Airlock.Dashboard;

/// <summary>Maps the administrator's dashboard into an ASP.NET Core app.</summary>
public static class AirlockDashboardEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the dashboard under <paramref name="pattern"/>: the plugins page (live charts, plugins and their state,
    /// pending and stored approvals), the audit trail, the charts' JSON, its script and style sheet, and the approve,
    /// deny and revoke form posts.
    /// </summary>
    /// <remarks>
    /// <para>Closed by default: every endpoint requires <see cref="AirlockDashboardPolicies.Viewer"/> (an authenticated
    /// user), and approving, denying and revoking require <see cref="AirlockDashboardPolicies.Administrator"/> and a
    /// valid ASP.NET Core anti-forgery token; each decision is audited with the user's name. Add more conventions to
    /// the returned group (a stricter policy, rate limiting, a host filter) as for any route group.</para>
    /// <para>Needs <see cref="AirlockDashboardServiceCollectionExtensions.AddAirlockDashboard"/>, an
    /// <see cref="IAuditLog"/> service, and for approvals an <see cref="ApprovalQueue"/> service (both registered by
    /// <c>AddAirlock</c>), plus the app's authentication and <c>UseAuthentication</c>/<c>UseAuthorization</c>.</para>
    /// </remarks>
    /// <param name="endpoints">The app's endpoint builder.</param>
    /// <param name="pattern">Where to mount the dashboard. Default <c>/airlock</c>.</param>
    /// <returns>The dashboard's route group, for further conventions.</returns>
    /// <exception cref="InvalidOperationException"><c>AddAirlockDashboard</c> or an <see cref="IAuditLog"/> is missing.</exception>
    public static RouteGroupBuilder MapAirlockDashboard(this IEndpointRouteBuilder endpoints, string pattern = "/airlock")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pattern);
        IServiceProvider services = endpoints.ServiceProvider;
        AirlockDashboardOptions options = services.GetService<AirlockDashboardOptions>()
            ?? throw new InvalidOperationException("MapAirlockDashboard needs the dashboard's services: call services.AddAirlockDashboard() first.");
        if (services.GetService<IAuditLog>() is null)
        {
            throw new InvalidOperationException("MapAirlockDashboard needs an IAuditLog service (AddAirlock registers the SQLite audit log).");
        }

        // The charts count from the moment the dashboard is mapped, not from its first request.
        _ = services.GetRequiredService<PluginCallMetrics>();
        var endpointsOfDashboard = new DashboardEndpoints(options, DashboardAssets.Load(), pattern.TrimEnd('/'));

        RouteGroupBuilder group = endpoints.MapGroup(pattern.TrimEnd('/'));
        group.RequireAuthorization(AirlockDashboardPolicies.Viewer);
        group.AddEndpointFilter(async (context, next) =>
        {
            DashboardEndpoints.SecureHeaders(context.HttpContext.Response);
            return await next(context).ConfigureAwait(false);
        });
        group.MapGet("/", endpointsOfDashboard.PluginsAsync);
        group.MapGet("/audit", endpointsOfDashboard.AuditAsync);
        group.MapGet("/api/metrics", endpointsOfDashboard.Metrics);
        // The script and style sheet hold no data; the sign-in page of an app may use the style sheet too.
        group.MapGet("/assets/{name}", endpointsOfDashboard.Asset).AllowAnonymous();
        group.MapPost("/approvals/{id}/approve", endpointsOfDashboard.ApproveAsync).RequireAuthorization(AirlockDashboardPolicies.Administrator);
        group.MapPost("/approvals/{id}/deny", endpointsOfDashboard.DenyAsync).RequireAuthorization(AirlockDashboardPolicies.Administrator);
        group.MapPost("/plugins/{id}/revoke", endpointsOfDashboard.RevokeAsync).RequireAuthorization(AirlockDashboardPolicies.Administrator);
        return group;
    }
}
