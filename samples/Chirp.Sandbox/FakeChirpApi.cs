using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Chirp.Sandbox;

/// <summary>
/// The Chirp API of <c>samples/plugins/README.md</c>, served on a loopback port. Requests are recorded
/// so callers can check what a connector sent. Some inputs make the API fail on purpose:
/// post text <c>fail:NNN</c> answers status NNN, and post id <c>missing</c> answers 404.
/// </summary>
public sealed class FakeChirpApi : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _nextPost = 100;
    private int _nextReply = 6;

    private FakeChirpApi(WebApplication app) => _app = app;

    /// <summary>The base address, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Every request received, in order.</summary>
    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>Starts the server on a free loopback port.</summary>
    public static async Task<FakeChirpApi> StartAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrlsLoopback();
        builder.Logging.ClearProviders();
        WebApplication app = builder.Build();
        var api = new FakeChirpApi(app);
        api.Map(app);
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        api.BaseAddress = new Uri(address);
        return api;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            context.Request.EnableBuffering();
            string body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            context.Request.Body.Position = 0;
            Requests.Enqueue(new RecordedRequest(
                context.Request.Method,
                context.Request.Path + context.Request.QueryString,
                context.Request.Headers.Authorization.ToString(),
                body));
            await next(context);
        });

        app.MapPost("/v1/posts", async (HttpContext context) =>
        {
            JsonObject? post = await ReadAsync(context);
            string text = post?["text"]?.GetValue<string>() ?? string.Empty;
            if (text.StartsWith("fail:", StringComparison.Ordinal) && int.TryParse(text.AsSpan(5), out int status))
            {
                return Results.Json(new { error = "forced failure" }, statusCode: status);
            }

            string id = "c-" + Interlocked.Increment(ref _nextPost);
            return Results.Json(new { id, url = "https://chirp.example/p/" + id }, statusCode: 201);
        });
        app.MapDelete("/v1/posts/{id}", (string id) => id == "missing" ? Results.NotFound() : Results.NoContent());
        app.MapGet("/v1/posts/{id}/comments", (string id, string? cursor) => id == "missing"
            ? Results.NotFound()
            : cursor is null
                ? Results.Json(new { comments = new[] { Comment("cm-1", "ada", "Lovely post"), Comment("cm-2", "grace", "Agreed") }, next_cursor = "page-2" })
                : Results.Json(new { comments = new[] { Comment("cm-3", "linus", "Late to the party") }, next_cursor = (string?)null }));
        app.MapPost("/v1/comments/{id}/replies", (string id) => id == "missing"
            ? Results.NotFound()
            : Results.Json(new { id = "r-" + Interlocked.Increment(ref _nextReply) }, statusCode: 201));
        app.MapGet("/v1/insights", (string start, string end) => Results.Json(new { impressions = 1200, engagements = 87, followers_gained = 5 }));
        app.MapGet("/v1/posts/{id}/metrics", (string id) => id == "missing"
            ? Results.NotFound()
            : Results.Json(new { likes = 42, shares = 7, comments = 3, impressions = 900 }));
        app.MapPost("/oauth/token", async (HttpContext context) =>
        {
            JsonObject? grant = await ReadAsync(context);
            string? type = grant?["grant_type"]?.GetValue<string>();
            string? secret = type == "authorization_code" ? grant?["code"]?.GetValue<string>() : grant?["refresh_token"]?.GetValue<string>();
            if (secret is null or "bad")
            {
                return Results.Json(new { error = "invalid_grant" }, statusCode: 401);
            }

            string generation = type == "authorization_code" ? "1" : "2";
            return Results.Json(new { access_token = "at-" + generation, refresh_token = "rt-" + generation, expires_in = 3600, token_type = "Bearer" });
        });
    }

    private static object Comment(string id, string author, string text)
        => new { id, author, text, created_at = "2026-11-01T09:30:00Z" };

    private static async Task<JsonObject?> ReadAsync(HttpContext context)
    {
        try
        {
            return await JsonSerializer.DeserializeAsync<JsonNode>(context.Request.Body) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>A request the fake API received.</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="PathAndQuery">The path and query string.</param>
/// <param name="Authorization">The Authorization header, empty when absent.</param>
/// <param name="Body">The request body.</param>
public sealed record RecordedRequest(string Method, string PathAndQuery, string Authorization, string Body);

internal static class WebHostExtensions
{
    public static void UseUrlsLoopback(this Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
        => builder.UseSetting("urls", "http://127.0.0.1:0");
}
