using System.Text.Json;
using System.Text.Json.Nodes;
using Airlock.Contracts.SocialScale;
using Chirp.Sandbox;

namespace Airlock.EndToEnd.Tests;

/// <summary>
/// Both real Chirp connectors (C and Rust), loaded from their manifests and driven through the
/// generated <see cref="ISocialScalePlugin"/> client: every request kind, error responses and host imports.
/// </summary>
public sealed class ChirpConnectorTests(ChirpFixture fixture) : IClassFixture<ChirpFixture>
{
    public static TheoryData<string> Languages => ["c", "rust"];

    private static string PluginId(string language) => "com.airlock.samples.chirp-" + language;

    [Theory]
    [MemberData(nameof(Languages))]
    public async Task Loads_with_its_metadata_and_capabilities(string language)
    {
        await using ISocialScalePlugin plugin = await fixture.LoadAsync(language);
        Assert.Equal(PluginId(language), plugin.Info.Id);
        Assert.Equal("1.0.0", plugin.Info.Version);
        Assert.Equal(64, plugin.Info.ModuleSha256.Length);

        PluginMetadata metadata = await plugin.InitAsync();
        Assert.Equal(1, metadata.AbiVersion);
        Assert.Equal("Airlock Samples <samples@airlock.dev>", metadata.Author);

        PluginCapabilities capabilities = await plugin.GetCapabilitiesAsync();
        Assert.True(capabilities.CanPublishText);
        Assert.True(capabilities.CanPublishImage);
        Assert.False(capabilities.CanPublishVideo);
        Assert.True(capabilities.CanReadAnalytics);
        Assert.Equal(["chirp"], capabilities.Platforms);
        Assert.Equal(["api.chirp.example"], capabilities.RequiredNetworkDomains);
        Assert.True(capabilities.NeedsKvStore);
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public async Task Publish_stores_counts_emits_and_logs(string language)
    {
        await using ISocialScalePlugin plugin = await fixture.LoadAsync(language);
        string id = PluginId(language);
        int eventsBefore = fixture.Services.Events.Count;

        PublishResult published = await plugin.PublishAsync("Hello from the tests", ["https://cdn.example/a.png"], ["wasm", "dotnet"], new JsonObject { ["source"] = "e2e" });

        Assert.StartsWith("c-", published.PostId, StringComparison.Ordinal);
        Assert.Equal("https://chirp.example/p/" + published.PostId, published.Url);
        RecordedRequest request = fixture.Api.Requests.Last(r => r.Method == "POST" && r.PathAndQuery == "/v1/posts");
        using (JsonDocument body = JsonDocument.Parse(request.Body))
        {
            Assert.Equal("Hello from the tests", body.RootElement.GetProperty("text").GetString());
            Assert.Equal("dotnet", body.RootElement.GetProperty("hashtags")[1].GetString());
        }

        string? stored = fixture.Services.StoredText(id, "post:" + published.PostId);
        Assert.NotNull(stored);
        Assert.Contains("Hello from the tests", stored, StringComparison.Ordinal);
        Assert.True(int.Parse(fixture.Services.StoredText(id, "stats:published")!, System.Globalization.CultureInfo.InvariantCulture) >= 1);

        JsonElement emitted = fixture.Services.Events.Skip(eventsBefore).Single(e => e.Plugin == id).Event;
        Assert.Equal("post.published", emitted.GetProperty("type").GetString());
        Assert.Equal(published.PostId, emitted.GetProperty("post_id").GetString());
        Assert.Contains(fixture.Services.Logs, l => l.Plugin == id && l.Level == PluginLogLevel.Debug);
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public async Task Every_request_kind_returns_its_typed_result(string language)
    {
        await using ISocialScalePlugin plugin = await fixture.LoadAsync(language);

        OAuthTokenResult token = await plugin.ExchangeCodeAsync("code-1", "https://app.example/cb");
        Assert.Equal("at-1", token.AccessToken);
        Assert.Equal("rt-1", token.RefreshToken);
        Assert.Equal(3600, token.ExpiresIn);
        Assert.Equal("Bearer", token.TokenType);
        Assert.Equal("at-1", fixture.Services.StoredText(PluginId(language), "oauth:access_token"));
        Assert.DoesNotContain(fixture.Services.Logs, l => l.Message.Contains("at-1", StringComparison.Ordinal));

        OAuthTokenResult refreshed = await plugin.RefreshTokenAsync("rt-1");
        Assert.Equal("at-2", refreshed.AccessToken);
        Assert.Equal("rt-2", fixture.Services.StoredText(PluginId(language), "oauth:refresh_token"));

        PublishResult published = await plugin.PublishAsync("with a token");
        Assert.Equal("Bearer at-2", fixture.Api.Requests.Last(r => r.PathAndQuery == "/v1/posts").Authorization);

        FetchCommentsResult first = await plugin.FetchCommentsAsync(published.PostId);
        Assert.Equal(["cm-1", "cm-2"], first.Comments.Select(c => c.Id));
        Assert.Equal("ada", first.Comments[0].Author);
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 9, 30, 0, TimeSpan.Zero), first.Comments[0].CreatedAt);
        Assert.Equal("page-2", first.NextCursor);
        FetchCommentsResult second = await plugin.FetchCommentsAsync(published.PostId, first.NextCursor);
        Assert.Equal(["cm-3"], second.Comments.Select(c => c.Id));
        Assert.Null(second.NextCursor);
        Assert.Contains(fixture.Api.Requests, r => r.PathAndQuery == $"/v1/posts/{published.PostId}/comments?cursor=page-2");

        ReplyCommentResult reply = await plugin.ReplyCommentAsync("cm-1", "Thanks!");
        Assert.StartsWith("r-", reply.ReplyId, StringComparison.Ordinal);
        Assert.Equal("cm-1", reply.CommentId);

        var start = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        FetchInsightsResult insights = await plugin.FetchInsightsAsync(start, start.AddDays(7));
        Assert.Equal(1200, insights.Impressions);
        Assert.Equal(87, insights.Engagements);
        Assert.Equal(5, insights.FollowersGained);
        Assert.Equal(start, insights.Start);
        Assert.Contains(fixture.Api.Requests, r => r.PathAndQuery.StartsWith("/v1/insights?start=2026-11-01T00%3A00%3A00Z&end=2026-11-08T00%3A00%3A00Z", StringComparison.Ordinal));

        FetchPostMetricsResult metrics = await plugin.FetchPostMetricsAsync(published.PostId);
        Assert.Equal((42, 7, 3, 900), (metrics.Likes, metrics.Shares, metrics.Comments, metrics.Impressions));

        CustomResult echo = await plugin.CustomAsync("echo", new JsonObject { ["n"] = 1, ["list"] = new JsonArray("a", "b") });
        Assert.Equal("echo", echo.Fields["action"].GetString());
        Assert.Equal(1, echo.Fields["payload"].GetProperty("n").GetInt32());

        CustomResult stats = await plugin.CustomAsync("stats");
        Assert.True(stats.Fields["published"].GetInt32() >= 1);

        DeletePostResult deleted = await plugin.DeletePostAsync(published.PostId);
        Assert.True(deleted.Deleted);
        Assert.Equal(published.PostId, deleted.PostId);
        Assert.Equal(string.Empty, fixture.Services.StoredText(PluginId(language), "post:" + published.PostId));
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public async Task The_untyped_handler_sees_the_same_answer(string language)
    {
        await using ISocialScalePlugin plugin = await fixture.LoadAsync(language);
        PluginResponse response = await plugin.HandleRequestAsync(new FetchPostMetricsRequest("c-1"));
        Assert.Equal(42, response.Fields["likes"].GetInt32());
        Assert.False(response.Fields.ContainsKey("status"));
    }

    [Theory]
    [InlineData("c", "fail:401", "unauthorized", false)]
    [InlineData("c", "fail:404", "not_found", false)]
    [InlineData("c", "fail:429", "rate_limit_exceeded", true)]
    [InlineData("c", "fail:503", "platform_unavailable", true)]
    [InlineData("c", "fail:418", "platform_error", false)]
    [InlineData("rust", "fail:401", "unauthorized", false)]
    [InlineData("rust", "fail:404", "not_found", false)]
    [InlineData("rust", "fail:429", "rate_limit_exceeded", true)]
    [InlineData("rust", "fail:503", "platform_unavailable", true)]
    [InlineData("rust", "fail:418", "platform_error", false)]
    public async Task Platform_failures_become_typed_error_responses(string language, string text, string code, bool retryable)
    {
        await using ISocialScalePlugin plugin = await fixture.LoadAsync(language);
        var error = await Assert.ThrowsAsync<PluginErrorException>(() => plugin.PublishAsync(text).AsTask());
        Assert.Equal(code, error.Code);
        Assert.Equal(retryable, error.Retryable);
        Assert.Contains(text[5..], error.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(PluginId(language), error.PluginId);
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public async Task Invalid_requests_and_unknown_actions_are_error_responses(string language)
    {
        await using ISocialScalePlugin plugin = await fixture.LoadAsync(language);
        Assert.Equal("invalid_request", (await Assert.ThrowsAsync<PluginErrorException>(() => plugin.PublishAsync("").AsTask())).Code);
        Assert.Equal("invalid_request", (await Assert.ThrowsAsync<PluginErrorException>(() => plugin.DeletePostAsync("").AsTask())).Code);
        var start = new DateTimeOffset(2026, 11, 8, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal("invalid_request", (await Assert.ThrowsAsync<PluginErrorException>(() => plugin.FetchInsightsAsync(start, start.AddDays(-1)).AsTask())).Code);
        Assert.Equal("unsupported_action", (await Assert.ThrowsAsync<PluginErrorException>(() => plugin.CustomAsync("teleport").AsTask())).Code);
        Assert.Equal("not_found", (await Assert.ThrowsAsync<PluginErrorException>(() => plugin.FetchPostMetricsAsync("missing").AsTask())).Code);
    }

    [Theory]
    [InlineData("c", HostCallStatus.PermissionDenied, "network_denied", false)]
    [InlineData("c", HostCallStatus.RateLimited, "rate_limit_exceeded", true)]
    [InlineData("c", HostCallStatus.Unavailable, "network_error", true)]
    [InlineData("rust", HostCallStatus.PermissionDenied, "network_denied", false)]
    [InlineData("rust", HostCallStatus.RateLimited, "rate_limit_exceeded", true)]
    [InlineData("rust", HostCallStatus.Unavailable, "network_error", true)]
    public async Task Host_status_codes_reach_the_plugin(string language, HostCallStatus status, string code, bool retryable)
    {
        var services = new Chirp.Sandbox.SandboxHostServices(fixture.Api.BaseAddress) { HttpOverride = status };
        await using ISocialScalePlugin plugin = await fixture.LoadAsync(language, new PluginLoadOptions().AddImports<ISocialScaleHost>(services));
        var error = await Assert.ThrowsAsync<PluginErrorException>(() => plugin.FetchPostMetricsAsync("c-1").AsTask());
        Assert.Equal(code, error.Code);
        Assert.Equal(retryable, error.Retryable);
        services.Dispose();
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public async Task A_crash_discards_the_instance_and_the_next_call_succeeds(string language)
    {
        await using ISocialScalePlugin plugin = await fixture.LoadAsync(language, PluginLimits.Default with { MaxInstances = 1 });
        var trap = await Assert.ThrowsAsync<PluginTrapException>(() => plugin.CustomAsync("crash").AsTask());
        Assert.Equal(Wasmtime.TrapCode.Unreachable, trap.TrapCode);
        Assert.Equal("plugin_handle_request", trap.Export);
        Assert.Equal(42, (await plugin.FetchPostMetricsAsync("c-1")).Likes);
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public async Task Concurrent_callers_share_the_plugin(string language)
    {
        await using ISocialScalePlugin plugin = await fixture.LoadAsync(language, PluginLimits.Default with { MaxInstances = 2 });
        FetchPostMetricsResult[] results = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(async () => await plugin.FetchPostMetricsAsync("c-" + i))));
        Assert.All(results, r => Assert.Equal(42, r.Likes));
    }
}
