using Airlock.Auditing;
using Airlock.Contracts.SocialScale;
using Airlock.Security;
using Airlock.Services;
using Airlock.SocialScale;
using Chirp.Sandbox;
using Microsoft.Extensions.DependencyInjection;

namespace Airlock.EndToEnd.Tests.Security;

/// <summary>
/// <c>services.AddAirlock(...)</c>: a host whose plugins run only when approved, with the production
/// services, driven through the real C connector against the loopback Chirp API.
/// </summary>
public sealed class AddAirlockTests : IAsyncLifetime
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "airlock-di-" + Guid.NewGuid().ToString("N"));
    private FakeChirpApi _chirp = null!;

    private static string Manifest => Path.Combine(AppContext.BaseDirectory, "plugins", "chirp-c", "plugin.json");

    public async Task InitializeAsync() => _chirp = await FakeChirpApi.StartAsync();

    public async Task DisposeAsync()
    {
        await _chirp.DisposeAsync();
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    [Fact]
    public async Task An_unapproved_plugin_does_not_run()
    {
        await using ServiceProvider provider = Build(new DenyAllPolicy());
        var error = await Assert.ThrowsAsync<PluginApprovalException>(() => provider.GetRequiredService<SocialScalePluginLoader>().LoadAsync(Manifest));
        Assert.Equal("com.airlock.samples.chirp-c", error.PluginId);
        Assert.Empty(_chirp.Requests);
        AuditEntry denied = Assert.Single(provider.GetRequiredService<IAuditLog>().Query());
        Assert.False(denied.Allowed);
        Assert.Equal("approval", denied.Action);
    }

    [Fact]
    public async Task An_approved_connector_uses_http_kv_events_and_credentials_and_everything_is_audited()
    {
        await using ServiceProvider provider = Build(new AutoApprovePolicy());
        var received = new List<string>();
        using PluginEventSubscription subscription = provider.GetRequiredService<PluginEventBus>().Subscribe((e, _) =>
        {
            lock (received)
            {
                received.Add(e.Payload.GetProperty("type").GetString()!);
            }

            return ValueTask.CompletedTask;
        });

        await using ISocialScalePlugin plugin = await provider.GetRequiredService<SocialScalePluginLoader>().LoadAsync(Manifest);
        Assert.Equal(32L * 1024 * 1024, plugin.Info.Limits.MemoryBytes);
        provider.GetRequiredService<ICredentialStore>().Set("chirp", new PluginCredential("host-held-token"));
        PublishResult published = await plugin.PublishAsync("Hello");

        Assert.StartsWith("c-", published.PostId, StringComparison.Ordinal);
        Assert.Equal("Bearer host-held-token", _chirp.Requests.Last().Authorization);
        Assert.Equal("1", System.Text.Encoding.UTF8.GetString(provider.GetRequiredService<IPluginKeyValueStore>().Get("com.airlock.samples.chirp-c", "stats:published")!));
        await WaitUntil(() => { lock (received) { return received.Contains("post.published"); } });

        IReadOnlyList<AuditEntry> trail = provider.GetRequiredService<IAuditLog>().Query("com.airlock.samples.chirp-c");
        foreach (string action in new[] { "approval", "credentials.host_credential_get", "network.host_http_request", "storage.host_store_set", "events.host_emit_event" })
        {
            Assert.Contains(trail, e => e.Action == action && e.Allowed);
        }

        Assert.DoesNotContain(trail, e => (e.Target + e.Detail).Contains("host-held-token", StringComparison.Ordinal));
    }

    private ServiceProvider Build(IApprovalPolicy policy)
        => new ServiceCollection()
            .AddAirlock(options =>
            {
                options.DataDirectory = _data;
                options.ApprovalPolicy = policy;
                options.Http.Upstreams["api.chirp.example"] = _chirp.BaseAddress;
            })
            .BuildServiceProvider();

    private static async Task WaitUntil(Func<bool> condition)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not hold within 10 s.");
            await Task.Delay(20);
        }
    }
}
