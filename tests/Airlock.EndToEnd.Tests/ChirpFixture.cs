using Airlock.Contracts.SocialScale;
using Chirp.Sandbox;

namespace Airlock.EndToEnd.Tests;

/// <summary>The fake Chirp API and one host shared by the tests of a class.</summary>
public sealed class ChirpFixture : IAsyncLifetime
{
    public FakeChirpApi Api { get; private set; } = null!;

    public SandboxHostServices Services { get; private set; } = null!;

    public PluginHost Host { get; } = new();

    public static string Manifest(string language) => Path.Combine(AppContext.BaseDirectory, "plugins", "chirp-" + language, "plugin.json");

    public async Task InitializeAsync()
    {
        Api = await FakeChirpApi.StartAsync();
        Services = new SandboxHostServices(Api.BaseAddress);
    }

    public Task<ISocialScalePlugin> LoadAsync(string language, PluginLimits? limits = null)
        => LoadAsync(language, new PluginLoadOptions { Limits = limits }.AddImports<ISocialScaleHost>(Services));

    /// <summary>Loads a connector with the sandbox's services; its manifest's permissions are approved by the test itself.</summary>
    public async Task<ISocialScalePlugin> LoadAsync(string language, PluginLoadOptions options)
    {
        PluginManifest manifest = PluginManifest.Load(Manifest(language));
        string sha256 = await Airlock.Security.PluginApprovals.ComputeModuleSha256Async(manifest);
        options.Approval = new Airlock.Security.ApprovalRecord(manifest.Id, manifest.Version, manifest.Permissions.Fingerprint, sha256, DateTimeOffset.UtcNow, "the end-to-end tests");
        return await Host.LoadAsync<ISocialScalePlugin>(manifest, options);
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        Services.Dispose();
        await Api.DisposeAsync();
    }
}
