using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Airlock.Dashboard;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Dashboard.App;

/// <summary>
/// The sample's sign-in: two local accounts, <c>admin</c> (the dashboard's administrator role) and optionally
/// <c>viewer</c> (read-only), with passwords given at start, and an ASP.NET Core cookie. A real app uses its own
/// authentication (OpenID Connect, Windows, ...) and gives its administrators the role.
/// </summary>
internal sealed class LocalAccounts(DashboardAppSettings settings, string administratorRole)
{
    public const string Admin = "admin";
    public const string Viewer = "viewer";

    private const string LoginPolicy = "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public void Map(WebApplication app)
    {
        app.MapGet("/", () => Results.Redirect("/airlock/"));
        app.MapGet("/login", (HttpContext context, IAntiforgery antiforgery, string? returnUrl, string? failed) =>
        {
            context.Response.Headers.ContentSecurityPolicy = LoginPolicy;
            return Results.Content(LoginPage(antiforgery.GetAndStoreTokens(context), returnUrl, failed is not null), "text/html; charset=utf-8");
        });
        app.MapPost("/login", async (HttpContext context, IAntiforgery antiforgery) =>
        {
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                return Results.BadRequest("The sign-in form's anti-forgery token is missing or invalid: reload the page.");
            }

            IFormCollection form = await context.Request.ReadFormAsync();
            string user = form["user"].ToString();
            string? returnUrl = form["returnUrl"].ToString() is { Length: > 0 } url && IsLocal(url) ? url : null;
            string? role = Check(user, form["password"].ToString());
            if (role is null)
            {
                return Results.Redirect("/login?failed=1" + (returnUrl is null ? string.Empty : "&returnUrl=" + Uri.EscapeDataString(returnUrl)));
            }

            var claims = new List<Claim> { new(ClaimTypes.Name, user) };
            if (role.Length > 0)
            {
                claims.Add(new Claim(ClaimTypes.Role, role));
            }

            await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(new ClaimsIdentity(claims, CookieAuthenticationDefaults.AuthenticationScheme)));
            return Results.Redirect(returnUrl ?? "/airlock/");
        });
        app.MapPost("/logout", async (HttpContext context, IAntiforgery antiforgery) =>
        {
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                return Results.BadRequest();
            }

            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.Redirect("/login");
        });
    }

    // The administrator's role, "" for the viewer (signed in, no role), or null when the name or password is wrong.
    private string? Check(string user, string password)
    {
        if (user == Admin && SamePassword(password, settings.AdminPassword))
        {
            return administratorRole;
        }

        return user == Viewer && settings.ViewerPassword is { } viewer && SamePassword(password, viewer) ? string.Empty : null;
    }

    private static bool SamePassword(string given, string expected)
        => CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));

    // Only a path on this site: no scheme, no host, no protocol-relative "//".
    private static bool IsLocal(string url) => url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal);

    private static string LoginPage(AntiforgeryTokenSet tokens, string? returnUrl, bool failed)
    {
        HtmlEncoder encode = HtmlEncoder.Default;
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign in · Airlock</title>")
            .Append("<link rel=\"stylesheet\" href=\"/airlock/assets/dashboard.css\"></head><body><header class=\"top\"><span class=\"brand\">Airlock</span></header><main><section><h2>Sign in</h2>");
        if (failed)
        {
            html.Append("<p class=\"problem\" id=\"login-failed\">Wrong user name or password.</p>");
        }

        html.Append("<form method=\"post\" action=\"/login\" class=\"filters\"><input type=\"hidden\" name=\"").Append(encode.Encode(tokens.FormFieldName)).Append("\" value=\"")
            .Append(encode.Encode(tokens.RequestToken ?? string.Empty)).Append("\"><input type=\"hidden\" name=\"returnUrl\" value=\"").Append(encode.Encode(returnUrl ?? string.Empty))
            .Append("\"><label>User <input name=\"user\" id=\"user\" autocomplete=\"username\"></label><label>Password <input type=\"password\" name=\"password\" id=\"password\" autocomplete=\"current-password\"></label>")
            .Append("<button type=\"submit\" id=\"sign-in\">Sign in</button></form></section></main></body></html>");
        return html.ToString();
    }
}
