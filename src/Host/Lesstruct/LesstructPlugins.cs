using Airlock.Contracts.Lesstruct;
using Airlock.Discovery;
using Microsoft.Extensions.Logging;

namespace Airlock.Lesstruct;

/// <summary>Opens a directory of Lesstruct plugins.</summary>
public static class LesstructPlugins
{
    /// <summary>The version a plugin without a manifest is known by.</summary>
    public const string UnversionedVersion = "0.0.0";

    /// <summary>
    /// Discovers and loads the plugins of <see cref="LesstructPluginOptions.DirectoryPath"/>, each with
    /// the host functions its manifest allows (none without a manifest), and calls each plugin's
    /// <c>hook_on_plugin_loaded</c> before it serves.
    /// </summary>
    /// <param name="host">The host that runs the plugins.</param>
    /// <param name="options">The directory, mode, limits and services.</param>
    /// <param name="logger">Where loads, reloads and failures are logged.</param>
    /// <param name="timeProvider">The clock of the reload debounce.</param>
    /// <param name="cancellationToken">Cancels the initial load.</param>
    /// <exception cref="InvalidOperationException">
    /// <see cref="LesstructPluginOptions.DevelopmentMode"/> is not set and the <c>DEV_MODE</c>
    /// environment variable is neither <c>true</c> nor <c>false</c>.
    /// </exception>
    public static Task<PluginDirectory<ILesstructPlugin>> OpenAsync(PluginHost host, LesstructPluginOptions options, ILogger? logger = null, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(options);
        var directory = new PluginDirectoryOptions { Watch = options.ResolveDevelopmentMode(), Debounce = options.ReloadDebounce };
        return PluginDirectory<ILesstructPlugin>.OpenAsync(options.DirectoryPath, directory, (file, token) => LoadAsync(host, options, file, token), logger, timeProvider, cancellationToken);
    }

    /// <summary>Loads one Lesstruct plugin from its files and runs its <c>hook_on_plugin_loaded</c>.</summary>
    /// <param name="host">The host that runs the plugin.</param>
    /// <param name="options">Limits and services.</param>
    /// <param name="file">The plugin's files.</param>
    /// <param name="cancellationToken">Cancels loading.</param>
    /// <exception cref="PluginManifestException">The manifest is invalid.</exception>
    /// <exception cref="PluginLoadException">The module cannot be loaded, or <c>hook_on_plugin_loaded</c> failed.</exception>
    public static async Task<ILesstructPlugin> LoadAsync(PluginHost host, LesstructPluginOptions options, PluginFile file, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(file);
        LesstructManifest? manifest = file.ManifestPath is null ? null : LesstructManifest.Load(file.ManifestPath);
        // Lesstruct host functions answer refusals with negative status codes (docs/abi/fixed-offset.md).
        var load = new PluginLoadOptions { Limits = options.Limits, HostResults = HostResultEncoding.StatusCodes, CallObserver = options.CallObserver };
        if (manifest is null)
        {
            load.NoImportsReason = $"plugin '{file.Name}' has no manifest ({file.Name}.manifest)";
        }
        else
        {
            load.AddImports<ILesstructHost>(new LesstructHostServices(manifest, options.Services));
        }

        string version = manifest?.Version ?? UnversionedVersion;
        ILesstructPlugin plugin = await host.LoadFileAsync<ILesstructPlugin>(file.Name, version, file.WasmPath, file.ManifestPath, load, cancellationToken).ConfigureAwait(false);
        try
        {
            var info = new PluginLoadedInfo(manifest?.Name ?? file.Name, version, manifest?.Config ?? new Dictionary<string, string>());
            await plugin.OnPluginLoadedAsync(info, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            await plugin.DisposeAsync().ConfigureAwait(false);
            if (exception is not AirlockException)
            {
                throw;
            }

            throw new PluginLoadException(file.Name, $"Plugin '{file.Name}' failed in hook_on_plugin_loaded and was not loaded: {exception.Message}", exception);
        }

        return plugin;
    }
}
