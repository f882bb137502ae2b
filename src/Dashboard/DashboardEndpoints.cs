using System.Security.Claims;
using Airlock.Auditing;
using Airlock.Security;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Airlock.Dashboard;

/// <summary>The dashboard's request handlers.</summary>
internal sealed class DashboardEndpoints(AirlockDashboardOptions options, DashboardAssets assets, string prefix)
{
    private const string Html = "text/html; charset=utf-8";

    // Nothing inline may run or style: the script and style sheet come from the dashboard itself.
    private const string ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static void SecureHeaders(HttpResponse response)
    {
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.XFrameOptions = "DENY";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers["Cross-Origin-Opener-Policy"] = "same-origin";
    }

    public async Task<IResult> PluginsAsync(HttpContext context, PluginStatusBoard board, string? notice = null)
    {
        DashboardPage page = await PageAsync(context).ConfigureAwait(false);
        string html = PluginsPage.Render(page, board.Plugins, context.RequestServices.GetService<ApprovalQueue>(), Notice(notice));
        return Page(context, html);
    }

    public async Task<IResult> AuditAsync(HttpContext context, IAuditLog audit)
    {
        DashboardPage page = await PageAsync(context).ConfigureAwait(false);
        return Page(context, AuditTrailPage.Render(page, audit, context.Request.Query, options.AuditPageSize));
    }

    public IResult Metrics(HttpContext context, PluginCallMetrics metrics)
    {
        context.Response.Headers.CacheControl = "no-store";
        return Results.Json(MetricsDocument.From(metrics.Snapshot()), DashboardJson.Default.MetricsDocument);
    }

    public IResult Asset(HttpContext context, string name)
    {
        (byte[] bytes, string type) = name switch
        {
            "dashboard.js" => (assets.Script, "text/javascript; charset=utf-8"),
            "dashboard.css" => (assets.Styles, "text/css; charset=utf-8"),
            _ => (Array.Empty<byte>(), string.Empty),
        };
        if (type.Length == 0)
        {
            return Results.NotFound();
        }

        context.Response.Headers.CacheControl = "no-cache";
        return Results.Bytes(bytes, type, entityTag: new Microsoft.Net.Http.Headers.EntityTagHeaderValue("\"" + assets.Version + "\""));
    }

    public Task<IResult> ApproveAsync(HttpContext context, string id, ApprovalQueue queue)
        => DecideAsync(context, decidedBy => queue.Approve(id, decidedBy) is not null ? "approved" : "gone");

    public Task<IResult> DenyAsync(HttpContext context, string id, ApprovalQueue queue)
        => DecideAsync(context, decidedBy => queue.Deny(id, decidedBy) ? "denied" : "gone");

    public Task<IResult> RevokeAsync(HttpContext context, string id, ApprovalQueue queue)
        => DecideAsync(context, decidedBy =>
        {
            queue.Revoke(id, decidedBy);
            return "revoked";
        });

    private async Task<IResult> DecideAsync(HttpContext context, Func<string, string> decide)
    {
        IAntiforgery antiforgery = context.RequestServices.GetRequiredService<IAntiforgery>();
        try
        {
            await antiforgery.ValidateRequestAsync(context).ConfigureAwait(false);
        }
        catch (AntiforgeryValidationException)
        {
            return Results.Text("The form's anti-forgery token is missing or does not match: reload the dashboard and try again. Nothing was changed.", "text/plain; charset=utf-8", statusCode: StatusCodes.Status400BadRequest);
        }

        string notice = decide(UserName(context.User));
        return Results.Redirect(BasePath(context) + "/?notice=" + notice, permanent: false, preserveMethod: false);
    }

    private async Task<DashboardPage> PageAsync(HttpContext context)
    {
        IAuthorizationService authorization = context.RequestServices.GetRequiredService<IAuthorizationService>();
        AuthorizationResult admin = await authorization.AuthorizeAsync(context.User, AirlockDashboardPolicies.Administrator).ConfigureAwait(false);
        AntiforgeryTokenSet tokens = context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context);
        return new DashboardPage(BasePath(context), UserName(context.User), admin.Succeeded, tokens);
    }

    private string BasePath(HttpContext context) => context.Request.PathBase.Add(new PathString(prefix)).Value ?? string.Empty;

    private static IResult Page(HttpContext context, string html)
    {
        context.Response.Headers.CacheControl = "no-store";
        return Results.Content(html, Html);
    }

    // Who decided, as the audit records it: the authenticated name, or the name identifier when the scheme gives no name.
    private static string UserName(ClaimsPrincipal user)
        => user.Identity?.Name is { Length: > 0 } name ? name
            : user.FindFirst(ClaimTypes.NameIdentifier)?.Value is { Length: > 0 } id ? id
            : "(an authenticated user without a name)";

    private static string? Notice(string? code) => code switch
    {
        "approved" => "Approved. The host loads the plugin the next time it loads plugins.",
        "denied" => "Denied. The plugin stays unapproved.",
        "revoked" => "Revoked. The plugin must be approved again before it runs.",
        "gone" => "That request was already decided or is no longer waiting.",
        _ => null,
    };
}
