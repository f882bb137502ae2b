using System.Threading.Channels;
using Airlock;
using Airlock.Contracts.SocialScale;
using Airlock.Dashboard;
using Airlock.Security;
using Airlock.Services;
using Airlock.SocialScale;
using Chirp.Sandbox;

namespace Dashboard.App;

/// <summary>
/// The main job, hosted beside the dashboard so it can be watched there: it loads every SocialScale plugin in the
/// plugins folder through the same loader as samples/SocialScale.App (approvals, capability-checked host services,
/// audit), reports each plugin's state to the dashboard, and every <see cref="DashboardAppSettings.JobInterval"/>
/// runs the job's calls through each loaded plugin (exchange a code, publish, read comments and metrics, delete,
/// and one refused publish). A plugin waiting for approval loads as soon as an administrator approves it; a revoked
/// plugin is unloaded at once.
/// </summary>
internal sealed partial class ChirpJob(
    DashboardAppSettings settings,
    AirlockOptions airlock,
    SocialScalePluginLoader loader,
    ApprovalQueue queue,
    PluginStatusBoard board,
    ICredentialStore credentials,
    FakeChirpApi chirp,
    ILogger<ChirpJob> logger) : BackgroundService
{
    private readonly Dictionary<string, string> _manifests = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ISocialScalePlugin> _loaded = new(StringComparer.Ordinal);
    private readonly Channel<ApprovalDecidedEventArgs> _decisions = Channel.CreateUnbounded<ApprovalDecidedEventArgs>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        queue.Decided += OnDecided;
        try
        {
            foreach (string manifest in Directory.EnumerateFiles(settings.PluginsDirectory, "plugin.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                await LoadAsync(manifest, stoppingToken);
            }

            using var timer = new PeriodicTimer(settings.JobInterval);
            Task<bool> tick = timer.WaitForNextTickAsync(stoppingToken).AsTask();
            while (!stoppingToken.IsCancellationRequested)
            {
                Task<bool> decision = _decisions.Reader.WaitToReadAsync(stoppingToken).AsTask();
                Task done = await Task.WhenAny(tick, decision);
                while (_decisions.Reader.TryRead(out ApprovalDecidedEventArgs? decided))
                {
                    await ApplyAsync(decided, stoppingToken);
                }

                if (done == tick && await tick)
                {
                    await RunCallsAsync(stoppingToken);
                    tick = timer.WaitForNextTickAsync(stoppingToken).AsTask();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            queue.Decided -= OnDecided;
            foreach (ISocialScalePlugin plugin in _loaded.Values)
            {
                await plugin.DisposeAsync();
            }

            _loaded.Clear();
        }
    }

    private void OnDecided(object? sender, ApprovalDecidedEventArgs decided) => _decisions.Writer.TryWrite(decided);

    private async Task ApplyAsync(ApprovalDecidedEventArgs decided, CancellationToken cancellationToken)
    {
        if (decided.Verdict == ApprovalVerdict.Revoked && _loaded.Remove(decided.PluginId, out ISocialScalePlugin? plugin))
        {
            await plugin.DisposeAsync();
        }

        switch (decided.Verdict)
        {
            case ApprovalVerdict.Approved when _manifests.TryGetValue(decided.PluginId, out string? manifest):
                await LoadAsync(manifest, cancellationToken);
                break;
            case ApprovalVerdict.Denied:
                board.ReportNotLoaded(decided.PluginId, PluginState.Failed, "Denied by " + decided.DecidedBy + ".");
                break;
            case ApprovalVerdict.Revoked when _manifests.ContainsKey(decided.PluginId):
                board.ReportNotLoaded(decided.PluginId, PluginState.Unloaded, "Approval revoked by " + decided.DecidedBy + "; unloaded.");
                break;
        }
    }

    private async Task LoadAsync(string manifestPath, CancellationToken cancellationToken)
    {
        PluginManifest manifest;
        try
        {
            manifest = SocialScaleManifest.Load(manifestPath, airlock.Host.Manifests);
        }
        catch (PluginManifestException exception)
        {
            board.ReportNotLoaded(Path.GetFileName(Path.GetDirectoryName(manifestPath)) ?? manifestPath, PluginState.Failed, exception.Message);
            return;
        }

        _manifests[manifest.Id] = manifestPath;
        if (_loaded.ContainsKey(manifest.Id))
        {
            return;
        }

        ISocialScalePlugin plugin;
        try
        {
            plugin = await loader.LoadAsync(manifest, cancellationToken);
            _loaded[manifest.Id] = plugin;
            board.ReportLoaded(plugin.Info, manifest.Name);
        }
        catch (PluginApprovalException exception)
        {
            bool waiting = queue.Pending.Any(p => p.Request.PluginId == manifest.Id);
            board.ReportNotLoaded(manifest.Id, waiting ? PluginState.AwaitingApproval : PluginState.Failed, waiting ? "Waits for an administrator's approval." : exception.Message, manifest.Name, manifest.Version, exception.ModuleSha256);
            return;
        }
        catch (Exception exception) when (exception is AirlockException or IOException)
        {
            board.ReportNotLoaded(manifest.Id, PluginState.Failed, exception.Message, manifest.Name, manifest.Version);
            return;
        }

        // The host keeps the platform's tokens; a plugin approved for credential_access reads them from there. A
        // failed exchange is one of the plugin's call errors (the charts show it), not a failed load.
        try
        {
            OAuthTokenResult token = await plugin.ExchangeCodeAsync("dashboard-sample-code", "https://app.example/callback", cancellationToken);
            credentials.Set("chirp", new PluginCredential(token.AccessToken, token.RefreshToken, DateTimeOffset.UtcNow.AddSeconds(token.ExpiresIn ?? 3600)));
        }
        catch (AirlockException exception)
        {
            LogCallFailed(logger, manifest.Id, exception.Message);
        }
    }

    // The job's calls; each failure is the plugin's (or the platform's) and is logged, never fatal.
    private async Task RunCallsAsync(CancellationToken cancellationToken)
    {
        foreach ((string id, ISocialScalePlugin plugin) in _loaded)
        {
            try
            {
                PublishResult published = await plugin.PublishAsync("Status from the Airlock dashboard sample", hashtags: ["airlock"], cancellationToken: cancellationToken);
                await plugin.FetchCommentsAsync(published.PostId, cancellationToken: cancellationToken);
                await plugin.FetchPostMetricsAsync(published.PostId, cancellationToken);
                await plugin.DeletePostAsync(published.PostId, cancellationToken);
                await plugin.PublishAsync(string.Empty, cancellationToken: cancellationToken);
            }
            catch (AirlockException exception)
            {
                LogCallFailed(logger, id, exception.Message);
            }
        }

        // The stand-in platform keeps every request for tests; the sample runs for hours.
        while (chirp.Requests.TryDequeue(out _))
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "A main-job call of {Plugin} failed: {Problem}")]
    private static partial void LogCallFailed(ILogger logger, string plugin, string problem);
}
