using Airlock;
using Airlock.Dashboard;
using Chirp.Sandbox;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Dashboard.App;

/// <summary>
/// The administrator's dashboard over a data directory, with the main job hosted beside it: Kestrel, the sample's
/// local accounts (cookie authentication), Airlock with its approval queue, <c>MapAirlockDashboard</c> at
/// <c>/airlock</c>, and the <see cref="ChirpJob"/> against a local stand-in of the Chirp platform.
/// </summary>
public static class DashboardApp
{
    /// <summary>Builds the app (not started). Dispose the returned app to stop the Chirp stand-in too.</summary>
    /// <param name="settings">Where the data and plugins are, where to listen, and the accounts.</param>
    /// <param name="configureLogging">Adjusts logging (tests silence it); <see langword="null"/> for the console.</param>
    public static async Task<WebApplication> BuildAsync(DashboardAppSettings settings, Action<ILoggingBuilder>? configureLogging = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        FakeChirpApi chirp = await FakeChirpApi.StartAsync();
        try
        {
            WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
            builder.WebHost.UseUrls(settings.Urls);
            builder.Logging.ClearProviders();
            if (configureLogging is null)
            {
                builder.Logging.AddSimpleConsole(options => options.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
            }
            else
            {
                configureLogging(builder.Logging);
            }

            builder.Services.AddSingleton(settings);
            builder.Services.AddSingleton(chirp);
            builder.Services.AddAirlock(options =>
            {
                options.DataDirectory = settings.DataDirectory;
                options.UseApprovalQueue = true;
                options.Http.Upstreams["api.chirp.example"] = chirp.BaseAddress;
            });
            builder.Services.AddAirlockDashboard(options => options.ChartInterval = settings.ChartInterval);
            builder.Services.AddHostedService<ChirpJob>();
            builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(options =>
            {
                options.LoginPath = "/login";
                options.Cookie.Name = "airlock-dashboard";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Strict;
                options.SlidingExpiration = true;
                options.ExpireTimeSpan = TimeSpan.FromHours(8);
                // A browser asking for a page is sent to sign in; a script or a form post gets the status.
                options.Events.OnRedirectToLogin = context =>
                {
                    if (HttpMethods.IsGet(context.Request.Method) && !context.Request.Path.StartsWithSegments("/airlock/api", StringComparison.Ordinal))
                    {
                        context.Response.Redirect(context.RedirectUri);
                    }
                    else
                    {
                        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    }

                    return Task.CompletedTask;
                };
                options.Events.OnRedirectToAccessDenied = context =>
                {
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    return Task.CompletedTask;
                };
            });
            builder.Services.AddAuthorization();

            WebApplication app = builder.Build();
            app.Lifetime.ApplicationStopped.Register(() => chirp.DisposeAsync().AsTask().GetAwaiter().GetResult());
            app.UseAuthentication();
            app.UseAuthorization();
            new LocalAccounts(settings, app.Services.GetRequiredService<AirlockDashboardOptions>().AdministratorRole).Map(app);
            app.MapAirlockDashboard("/airlock");
            return app;
        }
        catch
        {
            await chirp.DisposeAsync();
            throw;
        }
    }
}
