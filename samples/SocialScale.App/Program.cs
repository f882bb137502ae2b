using System.Text.Json.Nodes;
using Airlock;
using Airlock.Contracts.SocialScale;
using Chirp.Sandbox;
using Microsoft.Extensions.Logging;

// Loads a SocialScale connector plugin (C by default, or "rust") by its manifest and drives it through
// the typed methods Airlock generates for ISocialScalePlugin. The Chirp platform is a local stand-in.
string language = args.Length > 0 ? args[0] : "c";
string manifest = Path.Combine(AppContext.BaseDirectory, "plugins", "chirp-" + language, "plugin.json");

using ILoggerFactory logging = LoggerFactory.Create(builder => builder
    .AddSimpleConsole(options => options.SingleLine = true)
    .SetMinimumLevel(LogLevel.Warning));
await using FakeChirpApi chirp = await FakeChirpApi.StartAsync();
using var services = new SandboxHostServices(chirp.BaseAddress);
await using var host = new PluginHost(loggerFactory: logging);

var options = new PluginLoadOptions().AddImports<ISocialScaleHost>(services);
await using ISocialScalePlugin plugin = await host.LoadAsync<ISocialScalePlugin>(manifest, options);
Console.WriteLine($"Loaded {plugin.Info} from {Path.GetRelativePath(AppContext.BaseDirectory, manifest)} (sha256 {plugin.Info.ModuleSha256[..12]}…)");

PluginCapabilities capabilities = await plugin.GetCapabilitiesAsync();
Console.WriteLine($"Capabilities: platforms [{string.Join(", ", capabilities.Platforms)}], domains [{string.Join(", ", capabilities.RequiredNetworkDomains)}]");

OAuthTokenResult token = await plugin.ExchangeCodeAsync("sample-code", "https://app.example/callback");
Console.WriteLine($"Exchanged an OAuth code: {token.TokenType} token, expires in {token.ExpiresIn} s");

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

Console.WriteLine($"Events on the bus: {string.Join(", ", services.Events.Select(e => e.Event.GetProperty("type").GetString()))}");
Console.WriteLine($"Plugin log lines: {services.Logs.Count}; KV keys: {string.Join(", ", services.Store.Keys.Select(k => k.Key).Order(StringComparer.Ordinal))}");
