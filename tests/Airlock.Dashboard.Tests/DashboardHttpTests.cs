using System.Net;
using Airlock.Auditing;
using Airlock.Dashboard;
using Airlock.Security;

namespace Airlock.Dashboard.Tests;

/// <summary>The dashboard's security at the HTTP level: a real Kestrel socket, a real HttpClient, real SQLite stores and real plugins.</summary>
public sealed class DashboardHttpTests
{
    [Fact]
    public async Task Anonymous_requests_are_sent_to_sign_in_or_refused_and_change_nothing()
    {
        await using DashboardServer server = await DashboardServer.StartAsync();
        using HttpClient anonymous = server.Client();
        string id = server.Queue.Pending.Single().Id;

        using HttpResponseMessage page = await anonymous.GetAsync("/airlock/");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/login", page.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        using HttpResponseMessage metrics = await anonymous.GetAsync("/airlock/api/metrics");
        Assert.Equal(HttpStatusCode.Unauthorized, metrics.StatusCode);
        using HttpResponseMessage audit = await anonymous.GetAsync("/airlock/audit");
        Assert.Equal(HttpStatusCode.Redirect, audit.StatusCode);
        using HttpResponseMessage approve = await anonymous.PostAsync($"/airlock/approvals/{id}/approve", new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.Unauthorized, approve.StatusCode);

        Assert.Single(server.Queue.Pending);
        Assert.Empty(server.Queue.Approved);
    }

    [Fact]
    public async Task A_wrong_password_does_not_sign_in()
    {
        await using DashboardServer server = await DashboardServer.StartAsync();
        using HttpClient client = server.Client();
        string login = await client.GetStringAsync("/login");
        using HttpResponseMessage response = await client.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = DashboardServer.TokenIn(login),
            ["user"] = "admin",
            ["password"] = "not-the-password",
        }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/login?failed=1", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
        using HttpResponseMessage page = await client.GetAsync("/airlock/");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
    }

    [Fact]
    public async Task A_user_without_the_administrator_role_sees_no_buttons_and_a_forged_post_is_refused()
    {
        await using DashboardServer server = await DashboardServer.StartAsync();
        using HttpClient viewer = await server.SignedInAsync("viewer", DashboardServer.ViewerPassword);
        string id = server.Queue.Pending.Single().Id;

        string page = await viewer.GetStringAsync("/airlock/");
        Assert.Contains("read-only", page, StringComparison.Ordinal);
        Assert.Contains(DashboardServer.ChirpC, page, StringComparison.Ordinal);
        Assert.DoesNotContain("<form method=\"post\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("/approve", page, StringComparison.Ordinal);

        // The viewer forges the form an administrator would post, with a token from a page it may see.
        string token = DashboardServer.TokenIn(await viewer.GetStringAsync("/login"));
        foreach (string action in (string[])[$"/airlock/approvals/{id}/approve", $"/airlock/approvals/{id}/deny", $"/airlock/plugins/{DashboardServer.ChirpC}/revoke"])
        {
            using HttpResponseMessage forged = await viewer.PostAsync(action, new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
            Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        }

        Assert.Single(server.Queue.Pending);
        Assert.Empty(server.Queue.Approved);
        Assert.DoesNotContain(server.Audit.Query(DashboardServer.ChirpC), e => e.Detail?.Contains("viewer", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task An_administrator_post_without_a_valid_antiforgery_token_is_refused_and_changes_nothing()
    {
        await using DashboardServer server = await DashboardServer.StartAsync();
        using HttpClient admin = await server.SignedInAsync("admin", DashboardServer.AdminPassword);
        using HttpClient other = await server.SignedInAsync("admin", DashboardServer.AdminPassword);
        string id = server.Queue.Pending.Single().Id;

        // No token at all.
        using HttpResponseMessage missing = await admin.PostAsync($"/airlock/approvals/{id}/approve", new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("anti-forgery", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // A token of another session (what a cross-site page could have obtained elsewhere) does not match this session's cookie.
        string foreign = DashboardServer.TokenIn(await other.GetStringAsync("/airlock/"));
        _ = await admin.GetStringAsync("/airlock/");
        using HttpResponseMessage mismatched = await admin.PostAsync($"/airlock/approvals/{id}/approve", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = foreign }));
        Assert.Equal(HttpStatusCode.BadRequest, mismatched.StatusCode);

        using HttpResponseMessage revoke = await admin.PostAsync($"/airlock/plugins/{DashboardServer.ChirpC}/revoke", new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.BadRequest, revoke.StatusCode);

        Assert.Single(server.Queue.Pending);
        Assert.Empty(server.Queue.Approved);
        Assert.DoesNotContain(server.Audit.Query(DashboardServer.ChirpC), e => e.Detail?.Contains("by admin", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task An_administrator_approves_the_plugin_loads_and_the_decision_is_audited_with_the_name()
    {
        await using DashboardServer server = await DashboardServer.StartAsync();
        using HttpClient admin = await server.SignedInAsync("admin", DashboardServer.AdminPassword);
        string page = await admin.GetStringAsync("/airlock/");
        string id = server.Queue.Pending.Single().Id;
        Assert.Contains($"/airlock/approvals/{id}/approve", page, StringComparison.Ordinal);
        Assert.Contains("Never approved before", page, StringComparison.Ordinal);

        using HttpResponseMessage approved = await admin.PostAsync($"/airlock/approvals/{id}/approve", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = DashboardServer.TokenIn(page) }));
        Assert.Equal(HttpStatusCode.Redirect, approved.StatusCode);
        Assert.Equal("/airlock/?notice=approved", approved.Headers.Location!.OriginalString);

        ApprovalRecord record = Assert.Single(server.Queue.Approved);
        Assert.Equal("admin", record.ApprovedBy);
        AuditEntry decision = Assert.Single(server.Audit.Search(new AuditQuery { PluginId = DashboardServer.ChirpC, Action = "approval", Allowed = true }).Entries, e => e.Detail == "approved by admin");
        Assert.Contains(record.ModuleSha256, decision.Target, StringComparison.Ordinal);

        await server.WaitForAsync(() => server.Board.Find(DashboardServer.ChirpC)?.State == PluginState.Loaded, "the approved plugin to load");
        PluginStatus status = server.Board.Find(DashboardServer.ChirpC)!;
        Assert.Equal(record.ModuleSha256, status.ModuleSha256);
        Assert.Equal(32L * 1024 * 1024, status.Limits!.MemoryBytes);
        string after = await admin.GetStringAsync("/airlock/audit?plugin=" + DashboardServer.ChirpC + "&action=approval");
        Assert.Contains("approved by admin", after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revoking_unloads_the_plugin_and_a_new_request_shows_what_changed()
    {
        await using DashboardServer server = await DashboardServer.StartAsync();
        using HttpClient admin = await server.SignedInAsync("admin", DashboardServer.AdminPassword);
        string page = await admin.GetStringAsync("/airlock/");
        await admin.PostAsync($"/airlock/approvals/{server.Queue.Pending.Single().Id}/approve", Form(page));
        await server.WaitForAsync(() => server.Board.Find(DashboardServer.ChirpC)?.State == PluginState.Loaded, "the approved plugin to load");

        page = await admin.GetStringAsync("/airlock/");
        using HttpResponseMessage revoked = await admin.PostAsync($"/airlock/plugins/{DashboardServer.ChirpC}/revoke", Form(page));
        Assert.Equal("/airlock/?notice=revoked", revoked.Headers.Location!.OriginalString);
        Assert.Empty(server.Queue.Approved);
        Assert.Single(server.Audit.Search(new AuditQuery { PluginId = DashboardServer.ChirpC, Action = "approval.revoke" }).Entries, e => e.Detail == "revoked by admin" && !e.Allowed);
        await server.WaitForAsync(() => server.Board.Find(DashboardServer.ChirpC)?.State == PluginState.Unloaded, "the revoked plugin to unload");
        Assert.Contains("revoked by admin", server.Board.Find(DashboardServer.ChirpC)!.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_page_carries_a_strict_content_security_policy_and_assets_come_from_the_assembly()
    {
        await using DashboardServer server = await DashboardServer.StartAsync();
        using HttpClient admin = await server.SignedInAsync("admin", DashboardServer.AdminPassword);
        foreach (string path in (string[])["/airlock/", "/airlock/audit", "/airlock/api/metrics", "/airlock/assets/dashboard.js"])
        {
            using HttpResponseMessage response = await admin.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            string policy = string.Join(' ', response.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
            Assert.Contains("default-src 'none'", policy, StringComparison.Ordinal);
            Assert.DoesNotContain("unsafe", policy, StringComparison.Ordinal);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        }

        string html = await admin.GetStringAsync("/airlock/");
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain(" style=", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", html.Replace(server.Address.ToString(), string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        string script = await admin.GetStringAsync("/airlock/assets/dashboard.js");
        Assert.Contains("textContent", script, StringComparison.Ordinal);
        Assert.DoesNotContain("innerHTML", script, StringComparison.Ordinal);
        using HttpResponseMessage unknown = await admin.GetAsync("/airlock/assets/other.js");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Plugin_controlled_text_is_html_encoded_in_every_page()
    {
        await using DashboardServer server = await DashboardServer.StartAsync(hostilePlugin: true);
        const string Url = "https://evil.example/\"><script>alert('url')</script>";
        const string Log = "</td><img src=x onerror=alert('log')>";
        server.Audit.Record(new AuditEntry(DateTimeOffset.UtcNow, DashboardServer.Hostile, "1.0.0", "socialscale.http_request", Url, false, Log));
        using HttpClient admin = await server.SignedInAsync("admin", DashboardServer.AdminPassword);

        string plugins = await admin.GetStringAsync("/airlock/");
        string audit = await admin.GetStringAsync("/airlock/audit?plugin=" + DashboardServer.Hostile);
        foreach (string html in (string[])[plugins, audit])
        {
            Assert.DoesNotContain("<img src=x", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<script>alert", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<svg", html, StringComparison.Ordinal);
        }

        Assert.Contains("&lt;img src=x onerror=alert(&#x27;name&#x27;)&gt;", plugins, StringComparison.Ordinal);
        Assert.Contains("&quot;&gt;&lt;svg onload=alert(&#x27;author&#x27;)&gt;", plugins, StringComparison.Ordinal);
        Assert.Contains("https://evil.example/&quot;&gt;&lt;script&gt;alert(&#x27;url&#x27;)&lt;/script&gt;", audit, StringComparison.Ordinal);
        Assert.Contains("&lt;/td&gt;&lt;img src=x onerror=alert(&#x27;log&#x27;)&gt;", audit, StringComparison.Ordinal);
    }

    private static FormUrlEncodedContent Form(string page) => new(new Dictionary<string, string> { ["__RequestVerificationToken"] = DashboardServer.TokenIn(page) });
}
