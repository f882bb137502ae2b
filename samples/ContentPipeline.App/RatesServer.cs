using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ContentPipeline.App;

/// <summary>
/// A loopback exchange-rate service the enrich plugin calls: <c>GET /rates</c> answers how many euros
/// one unit of each currency is worth; <c>GET /elsewhere</c> redirects off the allowed path.
/// </summary>
internal sealed class RatesServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RatesServer(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public static async Task<RatesServer> StartAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseSetting("urls", "http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        WebApplication app = builder.Build();
        app.MapGet("/rates", () => Results.Text("""{"EUR":1.0,"USD":0.92,"GBP":1.17,"JPY":0.0061}""", "application/json"));
        app.MapGet("/rates/elsewhere", () => Results.Redirect("/admin"));
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new RatesServer(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
