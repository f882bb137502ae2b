using System.Text.Json.Nodes;
using Airlock;
using Airlock.Auditing;
using Airlock.Contracts.SocialScale;
using Airlock.Security;
using Airlock.Services;
using Airlock.SocialScale;
using Chirp.Sandbox;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

// Loads a SocialScale connector plugin (C by default, or "rust") by its manifest the secure way —
// approved permissions, capability-checked host services, everything audited — and drives it through
// the typed methods Airlock generates for ISocialScalePlugin. The Chirp platform is a local stand-in
// that the host reaches for api.chirp.example.
string language = args.Length > 0 ? args[0] : "c";
string manifest = Path.Combine(AppContext.BaseDirectory, "plugins", "chirp-" + language, "plugin.json");
string data = Path.Combine(Path.GetTempPath(), "airlock-socialscale-" + Environment.ProcessId);

await using FakeChirpApi chirp = await FakeChirpApi.StartAsync();
var approvals = new ApprovalFilePolicy(Path.Combine(AppContext.BaseDirectory, "approvals.json"));
await using ServiceProvider provider = new ServiceCollection()
    .AddLogging(builder => builder.AddSimpleConsole(options => options.SingleLine = true).SetMinimumLevel(LogLevel.Warning))
    .AddAirlock(options =>
    {
        options.DataDirectory = data;
        options.ApprovalPolicy = new DelegateApprovalPolicy("the administrator's approvals file", async (request, token) =>
        {
            Console.WriteLine($"Approval requested: {request.PluginName} {request.Version} asks for {string.Join("; ", request.Requested.Describe())}");
            bool approved = await approvals.ApproveAsync(request, token);
            Console.WriteLine(approved ? "  approved (approvals.json covers it)" : "  refused");
            return approved;
        });
        options.Http.Upstreams["api.chirp.example"] = chirp.BaseAddress;
    })
    .BuildServiceProvider();

PluginEventBus events = provider.GetRequiredService<PluginEventBus>();
using PluginEventSubscription subscription = events.Subscribe((e, _) =>
{
    Console.WriteLine($"  [event bus] {e.PluginId}: {e.Payload.GetProperty("type").GetString()}");
    return ValueTask.CompletedTask;
}, "sample console");

SocialScalePluginLoader loader = provider.GetRequiredService<SocialScalePluginLoader>();
await using ISocialScalePlugin plugin = await loader.LoadAsync(manifest);
Console.WriteLine($"Loaded {plugin.Info} from {Path.GetRelativePath(AppContext.BaseDirectory, manifest)} (sha256 {plugin.Info.ModuleSha256[..12]}…)");

PluginCapabilities capabilities = await plugin.GetCapabilitiesAsync();
Console.WriteLine($"Capabilities: platforms [{string.Join(", ", capabilities.Platforms)}], domains [{string.Join(", ", capabilities.RequiredNetworkDomains)}]");

OAuthTokenResult token = await plugin.ExchangeCodeAsync("sample-code", "https://app.example/callback");
Console.WriteLine($"Exchanged an OAuth code: {token.TokenType} token, expires in {token.ExpiresIn} s");

// The host keeps the platform's tokens; a plugin approved for credential_access reads them from there.
provider.GetRequiredService<ICredentialStore>().Set("chirp", new PluginCredential(token.AccessToken, token.RefreshToken, DateTimeOffset.UtcNow.AddSeconds(token.ExpiresIn ?? 3600)));

PublishResult published = await plugin.PublishAsync("Hello from Airlock", hashtags: ["wasm", "dotnet"], metadata: new JsonObject { ["campaign"] = "launch" });
Console.WriteLine($"Published post {published.PostId} at {published.Url}");

FetchCommentsResult page = await plugin.FetchCommentsAsync(published.PostId);
while (true)
{
    foreach (Comment comment in page.Comments)
    {
        Console.WriteLine($"  comment {comment.Id} by {comment.Author}: {comment.Text}");
    }

    if (page.NextCursor is null)
    {
        break;
    }

    page = await plugin.FetchCommentsAsync(published.PostId, page.NextCursor);
}

ReplyCommentResult reply = await plugin.ReplyCommentAsync("cm-1", "Thank you!");
Console.WriteLine($"Replied to cm-1 with {reply.ReplyId}");

FetchPostMetricsResult metrics = await plugin.FetchPostMetricsAsync(published.PostId);
Console.WriteLine($"Metrics of {published.PostId}: {metrics.Likes} likes, {metrics.Shares} shares, {metrics.Impressions} impressions");

var now = new DateTimeOffset(2026, 11, 23, 0, 0, 0, TimeSpan.Zero);
FetchInsightsResult insights = await plugin.FetchInsightsAsync(now.AddDays(-7), now);
Console.WriteLine($"Insights for the last week: {insights.Impressions} impressions, {insights.Engagements} engagements, {insights.FollowersGained} new followers");

CustomResult stats = await plugin.CustomAsync("stats");
Console.WriteLine($"Custom action 'stats': {stats.Fields["published"]} post(s) published");

try
{
    await plugin.PublishAsync("");
}
catch (PluginErrorException error)
{
    Console.WriteLine($"An empty post is refused: {error.Code} ({error.ErrorMessage}), retryable: {error.Retryable}");
}

DeletePostResult deleted = await plugin.DeletePostAsync(published.PostId);
Console.WriteLine($"Deleted post {deleted.PostId}: {deleted.Deleted}");

await Task.Delay(100); // let the event bus deliver to the console subscriber
Console.WriteLine();
IReadOnlyList<AuditEntry> trail = provider.GetRequiredService<IAuditLog>().Query(plugin.Info.Id);
int checks = trail.Count(e => e.Action.StartsWith("capability.", StringComparison.Ordinal));
Console.WriteLine($"Audit trail ({trail.Count} entries; the {checks} capability checks before each action are not shown):");
foreach (AuditEntry entry in trail.Where(e => !e.Action.StartsWith("capability.", StringComparison.Ordinal)))
{
    Console.WriteLine("  " + entry);
}
