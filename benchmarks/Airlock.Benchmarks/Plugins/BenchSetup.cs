using Airlock.Contracts.Driftless;
using Airlock.Contracts.Lesstruct;
using Airlock.Contracts.SocialScale;
using Airlock.Samuel;

namespace Airlock.Benchmarks.Plugins;

/// <summary>Loads the real plugins through <see cref="PluginHost"/>, as an application would.</summary>
public static class BenchSetup
{
    /// <summary>Loads <c>bench-c</c> as <see cref="IBenchPlugin"/> with the in-memory host functions.</summary>
    /// <param name="host">The host.</param>
    /// <param name="services">The host functions.</param>
    /// <param name="limits">The limits; the host's defaults when omitted.</param>
    public static IBenchPlugin LoadBench(PluginHost host, BenchHostServices services, PluginLimits? limits = null)
        => Wait(host.LoadModuleAsync<IBenchPlugin>(BenchModules.BenchId, BenchModules.Bench, Options(services, limits)));

    /// <summary>Loads <c>bench-c</c> as <see cref="ISocialScalePlugin"/> (which calls plugin_init and plugin_capabilities).</summary>
    /// <param name="host">The host.</param>
    /// <param name="services">The host functions.</param>
    public static ISocialScalePlugin LoadSocialScale(PluginHost host, BenchHostServices services)
        => Wait(host.LoadModuleAsync<ISocialScalePlugin>(BenchModules.BenchId, BenchModules.Bench, Options(services, null)));

    /// <summary>Loads <c>lesstruct-redact-c</c> as <see cref="ILesstructPlugin"/>; it imports nothing.</summary>
    /// <param name="host">The host.</param>
    public static ILesstructPlugin LoadRedact(PluginHost host)
        => Wait(host.LoadModuleAsync<ILesstructPlugin>("redact", BenchModules.Redact, new PluginLoadOptions { NoImportsReason = "the benchmarks give it none" }));

    /// <summary>Loads <c>confkit</c> as <see cref="IDriftlessPlugin"/> with the in-memory Driftless host functions.</summary>
    /// <param name="host">The host.</param>
    /// <param name="services">The host functions.</param>
    /// <param name="limits">The limits; the host's defaults when omitted.</param>
    public static IDriftlessPlugin LoadConfkit(PluginHost host, BenchDriftlessHost services, PluginLimits? limits = null)
        => Wait(host.LoadModuleAsync<IDriftlessPlugin>("confkit", BenchModules.Confkit, new PluginLoadOptions { Limits = limits }.AddImports<IDriftlessHost>(services)));

    /// <summary>Loads a Samuel plugin from its installed folder through <see cref="SamuelPlugins.LoadAsync(string, CancellationToken)"/>.</summary>
    /// <param name="host">The host.</param>
    /// <param name="samuel">The services, workspace and folders.</param>
    /// <param name="plugin"><see cref="BenchSamuel.Hello"/> or <see cref="BenchSamuel.Lint"/>.</param>
    public static SamuelPlugin LoadSamuel(PluginHost host, BenchSamuel samuel, string plugin)
        => Wait(samuel.Loader(host).LoadAsync(BenchSamuel.Folder(plugin)));

    /// <summary>Loads a Samuel plugin bound to a typed Samuel contract.</summary>
    /// <typeparam name="TContract">The contract.</typeparam>
    /// <param name="host">The host.</param>
    /// <param name="samuel">The services, workspace and folders.</param>
    /// <param name="plugin"><see cref="BenchSamuel.Hello"/> or <see cref="BenchSamuel.Lint"/>.</param>
    public static TContract LoadSamuel<TContract>(PluginHost host, BenchSamuel samuel, string plugin)
        where TContract : class, IWasmPlugin<TContract>
        => Wait(samuel.Loader(host).LoadAsync<TContract>(BenchSamuel.Folder(plugin)));

    /// <summary>Disposes a plugin client synchronously (for [GlobalCleanup]).</summary>
    /// <param name="plugin">The client, if it was created.</param>
    public static void Unload(IAsyncDisposable? plugin)
    {
        if (plugin is not null)
        {
            plugin.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>Takes the result of a <see cref="ValueTask{TResult}"/> as <c>await</c> would: at once when it completed synchronously.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="pending">The call.</param>
    public static T Result<T>(ValueTask<T> pending) => pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();

    private static PluginLoadOptions Options(BenchHostServices services, PluginLimits? limits)
        => new PluginLoadOptions { Limits = limits }.AddImports<ISocialScaleHost>(services);

    private static T Wait<T>(Task<T> task) => task.GetAwaiter().GetResult();
}
