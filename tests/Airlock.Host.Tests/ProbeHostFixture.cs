namespace Airlock.Host.Tests;

/// <summary>One host shared by a test class, with a well-behaved probe plugin loaded beside the hostile ones.</summary>
public sealed class ProbeHostFixture : IAsyncLifetime
{
    public PluginHost Host { get; } = new();

    public IProbePlugin Bystander { get; private set; } = null!;

    public async Task InitializeAsync()
        => Bystander = await Host.LoadModuleAsync<IProbePlugin>("bystander", ProbeModules.Compile(ProbeModules.Module()));

    public async Task DisposeAsync()
    {
        await Bystander.DisposeAsync();
        await Host.DisposeAsync();
    }

    public Task<IProbePlugin> LoadAsync(string wat, PluginLimits? limits = null)
        => Host.LoadModuleAsync<IProbePlugin>("probe", ProbeModules.Compile(wat), new PluginLoadOptions { Limits = limits });
}
