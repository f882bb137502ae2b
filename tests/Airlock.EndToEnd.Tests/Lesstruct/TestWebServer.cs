using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Airlock.EndToEnd.Tests.Lesstruct;

/// <summary>
/// A loopback server for the plugin host functions: plain answers, redirects inside and outside
/// the allowed paths, a redirect loop, an oversized body, a slow answer, binary bytes, an echo, a
/// body that stalls after the headers and a body cut short.
/// Every request path is recorded so tests can prove a denied request never left the host.
/// </summary>
public sealed class TestWebServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestWebServer(WebApplication app, Uri baseAddress, ConcurrentQueue<string> requests)
    {
        _app = app;
        BaseAddress = baseAddress;
        Requests = requests;
    }

    public Uri BaseAddress { get; }

    /// <summary>"METHOD /path?query" of every request received, in order.</summary>
    public ConcurrentQueue<string> Requests { get; }

    public string Url(string path) => new Uri(BaseAddress, path).ToString();

    public static async Task<TestWebServer> StartAsync()
    {
        var requests = new ConcurrentQueue<string>();
        (WebApplication app, Uri address) = await LoopbackApp.StartAsync(requests, Map);
        return new TestWebServer(app, address, requests);
    }

    private static void Map(WebApplication app)
    {
        app.MapGet("/rates", () => Results.Text("""{"EUR":1.0,"USD":0.5}""", "application/json"));
        app.MapGet("/api/data", (HttpContext context) => Results.Text("data for " + context.Request.Headers["X-Plugin"], "text/plain"));
        app.MapGet("/api/redirect-inside", () => Results.Redirect("/api/data"));
        app.MapGet("/api/redirect-outside", () => Results.Redirect("/private"));
        app.MapGet("/api/redirect-loop", () => Results.Redirect("/api/redirect-loop"));
        app.MapGet("/api/big", () => Results.Bytes(new byte[(1024 * 1024) + 1], "application/octet-stream"));
        app.MapGet("/api/slow", async (CancellationToken token) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(5), token);
            return Results.Text("late");
        });
        app.MapGet("/api/binary", () => Results.Bytes([0xff, 0xfe, 0x00, 0x41], "application/octet-stream"));
        app.MapPost("/api/echo", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            string body = await reader.ReadToEndAsync();
            return Results.Text("echo " + body, "text/plain");
        });
        app.MapPost("/api/see-other", () => Results.Redirect("/api/data", permanent: false, preserveMethod: false));
        app.MapGet("/private", () => Results.Text("secret"));
        app.MapGet("/api/redirect-away", () => Results.Redirect("https://evil.example/steal"));

        LoopbackApp.MapBrokenBodies(app, "/api/");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
