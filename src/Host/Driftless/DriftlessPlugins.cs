using Airlock.Contracts.Driftless;
using Airlock.Discovery;
using Airlock.Wasm;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Airlock.Driftless;

/// <summary>
/// Loads Driftless plugins: a flat directory of <c>*.wasm</c> files (with the directory's reload and
/// failure isolation), each under the limits, WASI switch and debug setting of <c>plugins.toml</c>.
/// A module that exports <c>__wbindgen_malloc</c> is bound as <see cref="IDriftlessPlugin"/> (Rust with
/// <c>#[wasm_bindgen]</c>), any other as <see cref="IDriftlessPackedPlugin"/> (plain <c>(ptr, len)</c>
/// functions with <c>alloc</c>/<c>dealloc</c>). Imports are checked against the Driftless rules before
/// anything is compiled. See <c>docs/driftless.md</c>.
/// </summary>
public static class DriftlessPlugins
{
    /// <summary>The version Driftless plugins carry: the seed gives them none.</summary>
    public const string UnversionedVersion = "0.0.0";

    /// <summary>Loads every plugin of <see cref="DriftlessPluginOptions.DirectoryPath"/>; one that fails is reported in the directory's failures and the others load.</summary>
    /// <param name="host">The host the plugins run in.</param>
    /// <param name="options">The directory and the settings.</param>
    /// <param name="cancellationToken">Cancels the initial load.</param>
    public static Task<PluginDirectory<DriftlessPlugin>> OpenAsync(PluginHost host, DriftlessPluginOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(options);
        var loader = new Loader(host, options);
        ILogger logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Airlock.Driftless");
        return PluginDirectory<DriftlessPlugin>.OpenAsync(options.DirectoryPath, new PluginDirectoryOptions { Watch = options.Watch, WasmPackLayout = true }, loader.LoadAsync, logger, options.TimeProvider, cancellationToken);
    }

    /// <summary>Loads one plugin file under <paramref name="options"/>' settings.</summary>
    /// <param name="host">The host the plugin runs in.</param>
    /// <param name="options">The settings.</param>
    /// <param name="file">The plugin's file; its name is the plugin's id.</param>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <exception cref="PluginContractException">An import is refused by the Driftless rules, or the module does not fit the contract of its convention.</exception>
    public static Task<DriftlessPlugin> LoadAsync(PluginHost host, DriftlessPluginOptions options, PluginFile file, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(file);
        return new Loader(host, options).LoadAsync(file, cancellationToken);
    }

    private static string ContractName<TPlugin>()
        where TPlugin : class, IWasmPlugin<TPlugin> => TPlugin.Contract.Name;

    // One per directory: the host functions, their log limit and the schema cache are shared by its plugins.
    private sealed class Loader(PluginHost host, DriftlessPluginOptions options)
    {
        private readonly DriftlessSecurity _security = options.Settings.Security;
        private readonly DriftlessHostServices _services = new(options.LoggerFactory, options.LogLimiter, options.Settings.Security.DebugEnabled, options.TimeProvider);
        private readonly DriftlessConfigValidator _validator = new();
        private readonly ILogger _logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Airlock.Driftless");

        public async Task<DriftlessPlugin> LoadAsync(PluginFile file, CancellationToken cancellationToken)
        {
            byte[] bytes = await Files.UntrustedFile.ReadAllBytesAsync(file.WasmPath, host.Options.MaxModuleBytes, "a module", file.Name, cancellationToken).ConfigureAwait(false);
            WasmModuleInfo module;
            try
            {
                module = WasmModuleReader.Read(bytes);
            }
            catch (WasmFormatException exception)
            {
                throw new PluginLoadException(file.Name, $"Plugin '{file.Name}' ({file.WasmPath}) is not a valid WebAssembly module: {exception.Message}", exception);
            }

            bool wasmBindgen = module.Exports.Any(e => e.Name == WasmBindgenGlue.Malloc);
            string contract = wasmBindgen ? ContractName<IDriftlessPlugin>() : ContractName<IDriftlessPackedPlugin>();
            IReadOnlyList<DriftlessImportVerdict> refused = DriftlessImportRules.Check(module.Imports.Select(i => (i.Module, i.Name)), _security);
            if (refused.Count > 0)
            {
                throw new PluginContractException(file.Name, contract, [.. refused.Select(r => r.Message)]);
            }

            var load = new PluginLoadOptions
            {
                Limits = _security.ToLimits(host.Options.DefaultLimits),
                Wasi = _security.AllowWasi ? WasiPolicy.Minimal : WasiPolicy.None,
                CallObserver = options.CallObserver,
            }.AddImports<IDriftlessHost>(_services);
            return wasmBindgen
                ? await DriftlessPlugin.CreateAsync(await host.LoadModuleAsync<IDriftlessPlugin>(file.Name, bytes, load, cancellationToken).ConfigureAwait(false), _validator, _logger, cancellationToken).ConfigureAwait(false)
                : await DriftlessPlugin.CreateAsync(await host.LoadModuleAsync<IDriftlessPackedPlugin>(file.Name, bytes, load, cancellationToken).ConfigureAwait(false), _validator, _logger, cancellationToken).ConfigureAwait(false);
        }
    }
}
