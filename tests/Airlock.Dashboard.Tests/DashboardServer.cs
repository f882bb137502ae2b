using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Airlock.Auditing;
using Airlock.Dashboard;
using Airlock.Security;
using Dashboard.App;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Airlock.Dashboard.Tests;

/// <summary>
/// samples/Dashboard.App on a real Kestrel socket on a loopback port, over a fresh data directory (real SQLite audit
/// log and approvals) and a plugins folder with the real Chirp connectors, plus a copy of the C connector whose
/// manifest carries hostile text.
/// </summary>
internal sealed partial class DashboardServer : IAsyncDisposable
{
    public const string AdminPassword = "admin-secret-for-tests";
    public const string ViewerPassword = "viewer-secret-for-tests";
    public const string ChirpC = "com.airlock.samples.chirp-c";
    public const string Hostile = "com.example.hostile";

    public const string ChirpRust = "com.airlock.samples.chirp-rust";

    /// <summary>Markup a plugin puts in its display name and author: shown as text or it is a hole.</summary>
    public const string HostileName = "<img src=x onerror=alert('name')><script>alert('name2')</script>";

    private readonly string _root;

    private DashboardServer(WebApplication app, string root, Uri address)
    {
        App = app;
        _root = root;
        Address = address;
    }

    public WebApplication App { get; }

    public Uri Address { get; }

    public IAuditLog Audit => App.Services.GetRequiredService<IAuditLog>();

    public ApprovalQueue Queue => App.Services.GetRequiredService<ApprovalQueue>();

    public PluginStatusBoard Board => App.Services.GetRequiredService<PluginStatusBoard>();

    /// <summary>Starts the app over the C connector (and, with <paramref name="hostilePlugin"/>, a copy whose manifest carries markup).</summary>
    /// <param name="hostilePlugin">Add a copy of the C connector whose manifest's name and author are markup.</param>
    /// <param name="noStorage">Ask for the C connector without storage_access (each of its key-value calls is then denied), and add the Rust connector.</param>
    public static async Task<DashboardServer> StartAsync(bool hostilePlugin = false, bool noStorage = false)
    {
        string root = Path.Combine(Path.GetTempPath(), "airlock-dashboard-tests-" + Guid.NewGuid().ToString("N"));
        string plugins = Path.Combine(root, "plugins");
        // A plugin reports its own id (plugin_init), which must match its manifest's: a copy keeps the C connector's id.
        CopyPlugin("chirp-c", Path.Combine(plugins, "chirp-c"), noStorage ? manifest => ((JsonObject)manifest["permissions"]!).Remove("storage_access") : null);
        if (noStorage)
        {
            CopyPlugin("chirp-rust", Path.Combine(plugins, "chirp-rust"), null);
        }

        if (hostilePlugin)
        {
            CopyPlugin("chirp-c", Path.Combine(plugins, "hostile"), manifest =>
            {
                manifest["id"] = Hostile;
                manifest["name"] = HostileName;
                manifest["author"] = "\"><svg onload=alert('author')>";
            });
        }

        var settings = new DashboardAppSettings
        {
            DataDirectory = Path.Combine(root, "data"),
            PluginsDirectory = plugins,
            Urls = "http://127.0.0.1:0",
            AdminPassword = AdminPassword,
            ViewerPassword = ViewerPassword,
            JobInterval = TimeSpan.FromMilliseconds(500),
            ChartInterval = TimeSpan.FromSeconds(1),
        };
        WebApplication app = await DashboardApp.BuildAsync(settings, logging => logging.AddConsole().SetMinimumLevel(LogLevel.Error));
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var server = new DashboardServer(app, root, new Uri(address));
        try
        {
            int asking = 1 + (hostilePlugin ? 1 : 0) + (noStorage ? 1 : 0);
            await server.WaitForAsync(() => server.Queue.Pending.Count == asking, "the plugins to ask for approval");
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public async Task WaitForAsync(Func<bool> condition, string what, int seconds = 30)
    {
        DateTime until = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"Waited {seconds} s for {what}.");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>A client with its own cookies, that does not follow redirects (so tests see 302, 401 and 403 as they are).</summary>
    public HttpClient Client() => new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer(), UseCookies = true }) { BaseAddress = Address };

    /// <summary>A client signed in as <paramref name="user"/> through the sample's sign-in form.</summary>
    public async Task<HttpClient> SignedInAsync(string user, string password)
    {
        HttpClient client = Client();
        string login = await client.GetStringAsync("/login");
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = TokenIn(login),
            ["user"] = user,
            ["password"] = password,
        });
        using HttpResponseMessage response = await client.PostAsync("/login", form);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/airlock/", response.Headers.Location?.OriginalString);
        return client;
    }

    /// <summary>Approves every waiting request as an administrator would: through the dashboard's form posts.</summary>
    public async Task ApproveAllAsync(HttpClient admin)
    {
        foreach (PendingApproval pending in Queue.Pending)
        {
            string page = await admin.GetStringAsync("/airlock/");
            using HttpResponseMessage response = await admin.PostAsync($"/airlock/approvals/{pending.Id}/approve", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = TokenIn(page) }));
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        }
    }

    /// <summary>The charts' JSON: per plugin, the totals of calls, errors and denials in the window.</summary>
    public static async Task<Dictionary<string, (long Calls, long Errors, long Denials)>> ChartTotalsAsync(HttpClient client)
    {
        using JsonDocument document = JsonDocument.Parse(await client.GetStringAsync("/airlock/api/metrics"));
        return document.RootElement.GetProperty("plugins").EnumerateArray().ToDictionary(
            p => p.GetProperty("plugin").GetString()!,
            p => (Sum(p, "calls"), Sum(p, "errors"), Sum(p, "denials")));

        static long Sum(JsonElement plugin, string series) => plugin.GetProperty(series).EnumerateArray().Sum(v => v.GetInt64());
    }

    public static string TokenIn(string html) => TokenPattern().Match(html) is { Success: true } match ? WebUtility.HtmlDecode(match.Groups[1].Value) : throw new InvalidOperationException("The page has no anti-forgery field.");

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static void CopyPlugin(string name, string to, Action<JsonObject>? edit)
    {
        string from = Path.Combine(AppContext.BaseDirectory, "plugins", name);
        Directory.CreateDirectory(to);
        File.Copy(Path.Combine(from, "chirp.wasm"), Path.Combine(to, "chirp.wasm"));
        var manifest = (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(from, "plugin.json")))!;
        edit?.Invoke(manifest);
        File.WriteAllText(Path.Combine(to, "plugin.json"), manifest.ToJsonString());
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
