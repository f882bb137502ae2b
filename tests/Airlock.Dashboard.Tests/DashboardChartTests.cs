namespace Airlock.Dashboard.Tests;

/// <summary>
/// The live charts over real calls: the sample's main job calls the approved Chirp connectors, the host records
/// <c>airlock.plugin.calls</c> and <c>airlock.plugin.denials</c> on its meter, and the dashboard's listener buckets them.
/// Nothing here records a measurement itself.
/// </summary>
public sealed class DashboardChartTests
{
    [Fact]
    public async Task The_charts_count_the_main_jobs_calls_errors_and_denials_per_plugin()
    {
        await using DashboardServer server = await DashboardServer.StartAsync(noStoragePlugin: true);
        using HttpClient admin = await server.SignedInAsync("admin", DashboardServer.AdminPassword);
        Assert.Empty(await DashboardServer.ChartTotalsAsync(admin));

        await server.ApproveAllAsync(admin);

        Dictionary<string, (long Calls, long Errors, long Denials)> totals = [];
        await server.WaitForAsync(
            () =>
            {
                totals = DashboardServer.ChartTotalsAsync(admin).GetAwaiter().GetResult();
                return totals.TryGetValue(DashboardServer.ChirpC, out var c) && c.Calls >= 6 && c.Errors >= 1
                    && totals.TryGetValue(DashboardServer.NoStorage, out var n) && n.Denials >= 1;
            },
            "the job's calls on the charts");

        // Each round of the job is five calls of which one (the empty post) the plugin refuses; loading adds its own
        // calls (plugin_capabilities, the code exchange), all of them successful.
        (long calls, long errors, long denials) = totals[DashboardServer.ChirpC];
        Assert.InRange(errors, 1, calls / 5 + 1);
        Assert.Equal(0, denials);
        Assert.True(totals[DashboardServer.NoStorage].Calls > 0);
    }

    [BrowserFact]
    public async Task The_plugins_page_draws_a_chart_per_plugin_from_the_measurements()
    {
        await using DashboardServer server = await DashboardServer.StartAsync(noStoragePlugin: true);
        using (HttpClient admin = await server.SignedInAsync("admin", DashboardServer.AdminPassword))
        {
            await server.ApproveAllAsync(admin);
        }

        using Browser browser = Browser.Open(server.Address);
        browser.SignIn("admin", DashboardServer.AdminPassword);
        browser.Until(() => Total(browser, DashboardServer.ChirpC, "calls") >= 10 && Total(browser, DashboardServer.ChirpC, "errors") >= 2 && Total(browser, DashboardServer.NoStorage, "denials") >= 2, "the charts to show calls, errors and denials", seconds: 60);

        foreach (string plugin in (string[])[DashboardServer.ChirpC, DashboardServer.NoStorage])
        {
            OpenQA.Selenium.IWebElement card = browser.Driver.FindElement(OpenQA.Selenium.By.CssSelector($".chart-card[data-plugin='{plugin}']"));
            Assert.Equal(plugin, card.FindElement(OpenQA.Selenium.By.CssSelector(".chart-plugin")).Text);
            Assert.Equal(3, card.FindElements(OpenQA.Selenium.By.CssSelector("svg polyline")).Count);
        }

        Assert.Equal("loaded", browser.Driver.FindElement(OpenQA.Selenium.By.CssSelector($"#plugins tr[data-plugin='{DashboardServer.ChirpC}'] .state")).Text);
        browser.Screenshot("dashboard-plugins.png");
    }

    private static long Total(Browser browser, string plugin, string series)
    {
        IReadOnlyList<OpenQA.Selenium.IWebElement> keys = browser.Driver.FindElements(OpenQA.Selenium.By.CssSelector($".chart-card[data-plugin='{plugin}'] .key[data-series='{series}']"));
        return keys.Count == 0 ? -1 : long.Parse(keys[0].GetDomAttribute("data-total") ?? "-1", System.Globalization.CultureInfo.InvariantCulture);
    }
}
