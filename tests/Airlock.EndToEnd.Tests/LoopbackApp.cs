using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
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
}
