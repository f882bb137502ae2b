using Airlock.Dashboard;

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
        await using DashboardServer server = await DashboardServer.StartAsync(noStorage: true);
        using HttpClient admin = await server.SignedInAsync("admin", DashboardServer.AdminPassword);
        // Before any approval, each plugin's load was refused once: a denial of its approval, and no call.
        await server.WaitForAsync(() => DashboardServer.ChartTotalsAsync(admin).GetAwaiter().GetResult().Count == 2, "the refused loads on the charts");
        Dictionary<string, (long Calls, long Errors, long Denials)> before = await DashboardServer.ChartTotalsAsync(admin);
        Assert.Equal((0, 0, 1), before[DashboardServer.ChirpC]);
        Assert.Equal((0, 0, 1), before[DashboardServer.ChirpRust]);

        await server.ApproveAllAsync(admin);

        Dictionary<string, (long Calls, long Errors, long Denials)> totals = [];
        await server.WaitForAsync(
            () =>
            {
                totals = DashboardServer.ChartTotalsAsync(admin).GetAwaiter().GetResult();
                return totals.TryGetValue(DashboardServer.ChirpRust, out var rust) && rust.Calls >= 6 && rust.Errors >= 1
                    && totals.TryGetValue(DashboardServer.ChirpC, out var c) && c.Calls >= 6 && c.Denials >= 3;
            },
            "the job's calls on the charts");
        Assert.True(totals.Count == 2, string.Join("; ", totals.Select(t => $"{t.Key}: {t.Value}")));

        // Each round of the job is five calls of which one (the empty post) the plugin refuses; loading adds its own
        // calls (plugin_capabilities, the code exchange), all of them successful. The Rust connector asks only for
        // what it uses: its one denial is its first, unapproved load. The C connector, denied storage, is denied
        // on each round.
        (long calls, long errors, long denials) = totals[DashboardServer.ChirpRust];
        Assert.InRange(errors, 1, calls / 5 + 1);
        Assert.Equal(1, denials);
    }

    [BrowserFact]
    public async Task The_plugins_page_draws_a_chart_per_plugin_from_the_measurements()
    {
        await using DashboardServer server = await DashboardServer.StartAsync(noStorage: true);
        using (HttpClient admin = await server.SignedInAsync("admin", DashboardServer.AdminPassword))
        {
            await server.ApproveAllAsync(admin);
        }

        await server.WaitForAsync(() => server.Board.Plugins.Count(p => p.State == PluginState.Loaded) == 2, "both plugins to load");
        using Browser browser = Browser.Open(server.Address);
        browser.SignIn("admin", DashboardServer.AdminPassword);
        browser.Until(() => Total(browser, DashboardServer.ChirpRust, "calls") >= 10 && Total(browser, DashboardServer.ChirpRust, "errors") >= 2 && Total(browser, DashboardServer.ChirpC, "denials") >= 3, "the charts to show calls, errors and denials", seconds: 60);

        foreach (string plugin in (string[])[DashboardServer.ChirpC, DashboardServer.ChirpRust])
        {
            OpenQA.Selenium.IWebElement card = browser.Driver.FindElement(OpenQA.Selenium.By.CssSelector($".chart-card[data-plugin='{plugin}']"));
            Assert.Equal(plugin, card.FindElement(OpenQA.Selenium.By.CssSelector(".chart-plugin")).Text);
            Assert.Equal(3, card.FindElements(OpenQA.Selenium.By.CssSelector("svg polyline")).Count);
        }

        foreach (string plugin in (string[])[DashboardServer.ChirpC, DashboardServer.ChirpRust])
        {
            Assert.Equal("loaded", browser.Driver.FindElement(OpenQA.Selenium.By.CssSelector($"#plugins tr[data-plugin='{plugin}'] .state")).Text);
        }

        browser.Screenshot("dashboard-plugins.png");
    }

    private static long Total(Browser browser, string plugin, string series)
    {
        IReadOnlyList<OpenQA.Selenium.IWebElement> keys = browser.Driver.FindElements(OpenQA.Selenium.By.CssSelector($".chart-card[data-plugin='{plugin}'] .key[data-series='{series}']"));
        return keys.Count == 0 ? -1 : long.Parse(keys[0].GetDomAttribute("data-total") ?? "-1", System.Globalization.CultureInfo.InvariantCulture);
    }
}
