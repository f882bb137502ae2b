using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Airlock.EndToEnd.Tests.Network;

/// <summary>
/// A loopback HTTP server for <see cref="Airlock.Services.PluginHttpClient"/>: plain answers, configurable redirects,
/// echoes of the method, body and interesting headers, large, chunked, binary, compressed, slow and dripping bodies,
/// a body that stalls after its headers and one cut short.
/// Every request is recorded as "METHOD /path?query" so tests can prove a refused request never left the host.
/// Shared by the tests of a class (an xunit class fixture).
/// </summary>
public sealed class PluginHttpServer : IAsyncLifetime
{
    private WebApplication _app = null!;

    public Uri BaseAddress { get; private set; } = null!;

    public int Port => BaseAddress.Port;

    public ConcurrentQueue<string> Requests { get; } = new();

    public bool Received(string marker) => Requests.Any(r => r.Contains(marker, StringComparison.Ordinal));

    public async Task InitializeAsync()
    {
        (_app, BaseAddress) = await LoopbackApp.StartAsync(Requests, Map);
    }

    private static void Map(WebApplication app)
    {
        app.MapGet("/data", () => Results.Text("hello", "text/plain"));
        app.Map("/redirect", (HttpContext context) =>
        {
            int status = int.TryParse(context.Request.Query["status"], out int s) ? s : 302;
            context.Response.StatusCode = status;
            context.Response.Headers.Location = context.Request.Query["to"].ToString();
            return Task.CompletedTask;
        });
        app.MapGet("/loop", () => Results.Redirect("/loop"));
        app.Map("/echo-method", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            string body = await reader.ReadToEndAsync();
            return Results.Text($"{context.Request.Method} {body}", "text/plain");
        });
        app.Map("/echo-headers", (HttpContext context) =>
        {
            IHeaderDictionary h = context.Request.Headers;
            return Results.Text(
                $"authorization={h.Authorization};cookie={h.Cookie};x-test={h["X-Test"]};content-type={h.ContentType};traceparent={h["traceparent"]};host={h.Host}",
                "text/plain");
        });
        app.MapMethods("/big", ["GET", "HEAD"], (int size) => Results.Bytes(Enumerable.Repeat((byte)'a', size).ToArray(), "text/plain"));
        app.MapGet("/chunked", async (HttpContext context, int size, int? chunk) =>
        {
            context.Response.ContentType = "text/plain";
            byte[] bytes = Enumerable.Repeat((byte)'b', chunk ?? 100).ToArray();
            for (int sent = 0; sent < size; sent += bytes.Length)
            {
                await context.Response.Body.WriteAsync(bytes.AsMemory(0, Math.Min(bytes.Length, size - sent)));
                await context.Response.Body.FlushAsync();
            }
        });
        app.MapGet("/binary", () => Results.Bytes([0xff, 0xfe, 0x00, 0x41], "application/octet-stream"));
        app.MapGet("/gzip", async (HttpContext context) =>
        {
            using var compressed = new MemoryStream();
            using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            {
                gzip.Write(Encoding.UTF8.GetBytes("compressed text"));
            }

            context.Response.ContentType = "text/plain";
            context.Response.Headers.ContentEncoding = "gzip";
            await context.Response.Body.WriteAsync(compressed.ToArray());
        });
        app.MapGet("/multi", (HttpContext context) =>
        {
            context.Response.Headers.Append("Set-Cookie", "a=1");
            context.Response.Headers.Append("Set-Cookie", "b=2");
            context.Response.Headers.Append("X-Multi", "one");
            context.Response.Headers.Append("X-Multi", "two");
            return Results.Text("multi", "text/plain");
        });
        app.MapGet("/slow", async (CancellationToken token) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(5), token);
            return Results.Text("late");
        });
        app.MapGet("/drip", async (HttpContext context) =>
        {
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync("a");
            await context.Response.Body.FlushAsync();
            await Task.Delay(TimeSpan.FromSeconds(5), context.RequestAborted);
            await context.Response.WriteAsync("b");
        });
        LoopbackApp.MapBrokenBodies(app, "/");
        app.MapFallback(() => Results.Text("not found", "text/plain", statusCode: 404));
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
