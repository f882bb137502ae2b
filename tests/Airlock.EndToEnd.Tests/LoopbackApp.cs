using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Airlock.EndToEnd.Tests;

/// <summary>A Kestrel app on a free loopback port that records "METHOD /path?query" of every request.</summary>
internal static class LoopbackApp
{
    /// <summary>Builds the app, lets <paramref name="map"/> add its routes, starts it and returns it with its address.</summary>
    public static async Task<(WebApplication App, Uri BaseAddress)> StartAsync(ConcurrentQueue<string> requests, Action<WebApplication> map)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseSetting("urls", "http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        WebApplication app = builder.Build();
        app.Use(async (context, next) =>
        {
            requests.Enqueue(context.Request.Method + " " + context.Request.Path + context.Request.QueryString);
            await next(context);
        });
        map(app);
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new Uri(address));
    }

    /// <summary>
    /// Adds two broken answers under <paramref name="prefix"/>: <c>stall</c> sends the headers and the first 11 bytes of a
    /// 1,000-byte body at once, then nothing until the client goes away; <c>truncated</c> sends the same and then resets
    /// the connection.
    /// </summary>
    public static void MapBrokenBodies(WebApplication app, string prefix)
    {
        app.MapGet(prefix + "stall", async (HttpContext context) =>
        {
            await StartBodyAsync(context);
            await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
        });
        app.MapGet(prefix + "truncated", async (HttpContext context) =>
        {
            await StartBodyAsync(context);

            // Once the client has the headers and the first bytes (an immediate reset could discard them unread).
            await Task.Delay(TimeSpan.FromMilliseconds(200));
            context.Abort();
        });
    }

    private static async Task StartBodyAsync(HttpContext context)
    {
        context.Response.ContentType = "text/plain";
        context.Response.ContentLength = 1000;
        await context.Response.Body.WriteAsync("first bytes"u8.ToArray());
        await context.Response.Body.FlushAsync();
    }
}
