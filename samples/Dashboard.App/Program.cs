using System.Security.Cryptography;
using Dashboard.App;

// The administrator's dashboard, with the main job (the SocialScale Chirp connectors) running beside it so it can be
// watched: dotnet run --project samples/Dashboard.App [-- --data DIR --urls URL --admin-password PW --viewer-password PW]
string? Option(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

string data = Option("--data") ?? Environment.GetEnvironmentVariable("AIRLOCK_DATA") ?? Path.Combine(Path.GetTempPath(), "airlock-dashboard");
string? password = Option("--admin-password") ?? Environment.GetEnvironmentVariable("AIRLOCK_DASHBOARD_ADMIN_PASSWORD");
bool generated = password is null;
password ??= Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_');
var settings = new DashboardAppSettings
{
    DataDirectory = Path.GetFullPath(data),
    PluginsDirectory = Path.GetFullPath(Option("--plugins") ?? Path.Combine(AppContext.BaseDirectory, "plugins")),
    Urls = Option("--urls") ?? "http://127.0.0.1:5080",
    AdminPassword = password,
    ViewerPassword = Option("--viewer-password") ?? Environment.GetEnvironmentVariable("AIRLOCK_DASHBOARD_VIEWER_PASSWORD"),
};

await using WebApplication app = await DashboardApp.BuildAsync(settings);
await app.StartAsync();
Console.WriteLine($"Airlock dashboard: {settings.Urls.Split(';')[0].TrimEnd('/')}/airlock/ (data: {settings.DataDirectory}; plugins: {settings.PluginsDirectory})");
Console.WriteLine(generated
    ? $"Sign in as 'admin' with the password {password} (generated for this run; set --admin-password or AIRLOCK_DASHBOARD_ADMIN_PASSWORD to choose one)."
    : "Sign in as 'admin' with the password you gave.");
Console.WriteLine("New plugins wait for approval on the dashboard's Plugins page. Press Ctrl+C to stop.");
await app.WaitForShutdownAsync();
