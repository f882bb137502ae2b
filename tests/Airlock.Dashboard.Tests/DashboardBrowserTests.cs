using Airlock.Auditing;
using Airlock.Dashboard;
using OpenQA.Selenium;

namespace Airlock.Dashboard.Tests;

/// <summary>The dashboard in a real browser: headless Chromium against the sample app on a loopback Kestrel socket.</summary>
public sealed class DashboardBrowserTests
{
    private const string Paging = "com.example.paging";

    [BrowserFact]
    public async Task An_administrator_signs_in_approves_a_pending_plugin_and_sees_the_audit_row_with_their_name()
    {
        await using DashboardServer server = await DashboardServer.StartAsync();
        using Browser browser = Browser.Open(server.Address);
        browser.SignIn("admin", DashboardServer.AdminPassword);

        IWebElement request = browser.Driver.FindElement(By.CssSelector($"#pending article[data-plugin='{DashboardServer.ChirpC}']"));
        Assert.Contains("Chirp Connector (C)", request.FindElement(By.TagName("h3")).Text, StringComparison.Ordinal);
        Assert.Contains("credential_access: chirp", request.Text, StringComparison.Ordinal);
        Assert.Contains("Never approved before", request.Text, StringComparison.Ordinal);
        browser.Screenshot("dashboard-approvals.png");

        request.FindElement(By.CssSelector("button.approve")).Click();
        browser.Until(() => browser.Driver.FindElement(By.CssSelector("p.notice")).Text.StartsWith("Approved.", StringComparison.Ordinal), "the approval notice");
        await server.WaitForAsync(() => server.Board.Find(DashboardServer.ChirpC)?.State == PluginState.Loaded, "the approved plugin to load");
        browser.Go("/airlock/");
        Assert.Equal("loaded", browser.Driver.FindElement(By.CssSelector($"#plugins tr[data-plugin='{DashboardServer.ChirpC}'] .state")).Text);
        Assert.Empty(browser.Driver.FindElements(By.CssSelector("#pending article")));

        browser.Driver.FindElement(By.LinkText("Audit trail")).Click();
        browser.Driver.FindElement(By.Id("filter-plugin")).SendKeys(DashboardServer.ChirpC);
        browser.Driver.FindElement(By.Id("filter-action")).SendKeys("approval");
        browser.Driver.FindElement(By.CssSelector("#filter-outcome option[value='allowed']")).Click();
        browser.Driver.FindElement(By.Id("filter-apply")).Click();
        browser.Until(() => browser.Driver.Url.Contains("outcome=allowed", StringComparison.Ordinal), "the filtered audit trail");
        IReadOnlyList<IWebElement> rows = browser.Driver.FindElements(By.CssSelector("#audit-table tbody tr"));
        Assert.Contains(rows, row => row.FindElement(By.CssSelector(".detail")).Text == "approved by admin" && row.Text.Contains(DashboardServer.ChirpC, StringComparison.Ordinal));
        Assert.All(rows, row => Assert.Equal("allowed", row.FindElement(By.CssSelector(".outcome")).Text));
        browser.Screenshot("dashboard-audit.png");
    }

    [BrowserFact]
    public async Task A_user_without_the_administrator_role_gets_no_buttons_and_a_post_from_the_page_is_refused()
    {
        await using DashboardServer server = await DashboardServer.StartAsync();
        using Browser browser = Browser.Open(server.Address);
        browser.SignIn("viewer", DashboardServer.ViewerPassword);

        Assert.Equal("read-only", browser.Driver.FindElement(By.CssSelector(".who .role")).Text);
        Assert.NotNull(browser.Driver.FindElement(By.CssSelector($"#pending article[data-plugin='{DashboardServer.ChirpC}']")));
        Assert.Empty(browser.Driver.FindElements(By.CssSelector("button")));
        Assert.Empty(browser.Driver.FindElements(By.CssSelector("form[method='post']")));

        // A script in the viewer's own session posts the decision anyway, with the viewer's cookies.
        string id = server.Queue.Pending.Single().Id;
        object? status = browser.Driver.ExecuteAsyncScript(
            "var done = arguments[arguments.length - 1];" +
            "fetch('/airlock/approvals/' + arguments[0] + '/approve', { method: 'POST', credentials: 'same-origin', body: new URLSearchParams() })" +
            ".then(function (r) { done(r.status); }, function (e) { done(String(e)); });",
            id);
        Assert.Equal(403L, status);
        Assert.Single(server.Queue.Pending);
        Assert.Empty(server.Queue.Approved);
    }

    [BrowserFact]
    public async Task Hostile_plugin_names_log_text_and_urls_are_shown_as_text()
    {
        await using DashboardServer server = await DashboardServer.StartAsync(hostilePlugin: true);
        const string Url = "javascript:alert('url')//\"><img src=x onerror=alert('url2')>";
        const string Log = "<script>alert('log')</script><b id=injected>bold</b>";
        server.Audit.Record(new AuditEntry(DateTimeOffset.UtcNow, DashboardServer.Hostile, "1.0.0", "socialscale.http_request", Url, false, Log));
        using Browser browser = Browser.Open(server.Address);
        browser.SignIn("admin", DashboardServer.AdminPassword);

        IWebElement request = browser.Driver.FindElement(By.CssSelector($"#pending article[data-plugin='{DashboardServer.Hostile}']"));
        Assert.StartsWith(DashboardServer.HostileName, request.FindElement(By.TagName("h3")).Text, StringComparison.Ordinal);
        Assert.Contains("\"><svg onload=alert('author')>", request.Text, StringComparison.Ordinal);
        Assert.Contains(DashboardServer.HostileName, browser.Driver.FindElement(By.CssSelector($"#plugins tr[data-plugin='{DashboardServer.Hostile}'] .name")).Text, StringComparison.Ordinal);
        Assert.Empty(browser.Driver.FindElements(By.CssSelector("main img, main script, #pending svg, #plugins svg")));
        browser.AssertNoAlert();

        browser.Go("/airlock/audit?plugin=" + DashboardServer.Hostile + "&outcome=denied&action=socialscale");
        IWebElement row = browser.Driver.FindElement(By.CssSelector("#audit-table tbody tr"));
        Assert.Equal(Url, row.FindElement(By.CssSelector(".target")).Text);
        Assert.Equal(Log, row.FindElement(By.CssSelector(".detail")).Text);
        Assert.Empty(browser.Driver.FindElements(By.CssSelector("main img, main script, #injected")));
        Assert.Empty(browser.Driver.FindElements(By.CssSelector("#audit-table a")));
        browser.AssertNoAlert();
    }

    [BrowserFact]
    public async Task The_audit_trail_filters_by_plugin_time_action_and_outcome_and_pages()
    {
        await using DashboardServer server = await DashboardServer.StartAsync();
        var start = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
        for (int i = 0; i < 130; i++)
        {
            server.Audit.Record(new AuditEntry(start.AddMinutes(i), Paging, "2.0.0", i % 2 == 0 ? "paging.read" : "paging.write", "key-" + i, i % 3 != 0, i % 3 == 0 ? "denied for the test" : null));
        }

        using Browser browser = Browser.Open(server.Address);
        browser.SignIn("admin", DashboardServer.AdminPassword);
        browser.Go("/airlock/audit");
        browser.Driver.FindElement(By.Id("filter-plugin")).SendKeys(Paging);
        browser.Driver.FindElement(By.Id("filter-apply")).Click();
        browser.Until(() => Count(browser) == "130 entries, page 1 of 3", "the first page of the plugin's entries");
        Assert.Equal(50, Rows(browser).Count);
        Assert.Equal("key-129", Rows(browser)[0].FindElement(By.CssSelector(".target")).Text);

        browser.Driver.FindElement(By.Id("page-next")).Click();
        browser.Until(() => Count(browser) == "130 entries, page 2 of 3", "the second page");
        Assert.Equal("key-79", Rows(browser)[0].FindElement(By.CssSelector(".target")).Text);
        browser.Driver.FindElement(By.Id("page-next")).Click();
        browser.Until(() => Count(browser) == "130 entries, page 3 of 3", "the last page");
        Assert.Equal(30, Rows(browser).Count);
        Assert.Empty(browser.Driver.FindElements(By.Id("page-next")));
        browser.Driver.FindElement(By.Id("page-prev")).Click();
        browser.Until(() => Count(browser) == "130 entries, page 2 of 3", "back to the second page");

        browser.Driver.FindElement(By.CssSelector("#filter-outcome option[value='denied']")).Click();
        browser.Driver.FindElement(By.Id("filter-apply")).Click();
        browser.Until(() => Count(browser) == "44 entries, page 1 of 1", "only the denials");
        Assert.All(Rows(browser), row => Assert.Equal("denied", row.FindElement(By.CssSelector(".outcome")).Text));

        browser.Go($"/airlock/audit?plugin={Paging}&action=paging.write");
        Assert.Equal("65 entries, page 1 of 2", Count(browser));
        browser.Go($"/airlock/audit?plugin={Paging}&from=2020-01-01T00:10&to=2020-01-01T00:20");
        Assert.Equal("10 entries, page 1 of 1", Count(browser));
        Assert.Equal("key-19", Rows(browser)[0].FindElement(By.CssSelector(".target")).Text);
        browser.Go($"/airlock/audit?plugin={Paging}&from=yesterday");
        Assert.Contains("From must be a date and time", browser.Driver.FindElement(By.CssSelector("#audit p.problem")).Text, StringComparison.Ordinal);
    }

    private static string Count(Browser browser) => browser.Driver.FindElement(By.Id("audit-count")).Text;

    private static IReadOnlyList<IWebElement> Rows(Browser browser) => browser.Driver.FindElements(By.CssSelector("#audit-table tbody tr"));
}
