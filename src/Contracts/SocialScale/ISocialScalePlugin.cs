namespace Airlock.Contracts.SocialScale;

/// <summary>
/// The contract of a SocialScale plugin (ABI version 1): metadata, capabilities and one request
/// handler that takes a <see cref="PluginRequest"/>. Airlock's generator adds one method per request
/// kind, such as <c>PublishAsync</c> and <c>FetchCommentsAsync</c>, each returning its typed result.
/// </summary>
/// <remarks>
/// When a plugin is loaded the host calls <c>plugin_init</c> and <c>plugin_capabilities</c> and refuses
/// the plugin unless <c>plugin_init</c> reports <see cref="AbiVersion"/>, its id equals the manifest's,
/// and <c>plugin_capabilities</c> agrees on the ABI version when it states one. The guest ABI is
/// described in <c>docs/abi/packed-ptr-len.md</c>.
/// </remarks>
[WasmPlugin(Abi = WasmAbi.PackedPtrLen, JsonContext = typeof(SocialScaleJsonContext), Imports = [typeof(ISocialScaleHost)])]
public partial interface ISocialScalePlugin : IWasmPluginInitializer
{
    /// <summary>The ABI version this contract speaks.</summary>
    public const int AbiVersion = 1;

    /// <summary>Asks the plugin for its metadata (<c>plugin_init</c>).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    [WasmExport("plugin_init")]
    ValueTask<PluginMetadata> InitAsync(CancellationToken cancellationToken = default);

    /// <summary>Asks the plugin what it can do (<c>plugin_capabilities</c>).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    [WasmExport("plugin_capabilities")]
    ValueTask<PluginCapabilities> GetCapabilitiesAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends any request (<c>plugin_handle_request</c>) and returns the ok response's fields. Prefer the
    /// generated per-kind methods, which return typed results.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="PluginErrorException">The plugin answered with an error response.</exception>
    [WasmExport("plugin_handle_request", Envelope = WasmResponseEnvelope.Status)]
    ValueTask<PluginResponse> HandleRequestAsync(PluginRequest request, CancellationToken cancellationToken = default);

    /// <inheritdoc/>
    async ValueTask IWasmPluginInitializer.InitializeAsync(CancellationToken cancellationToken)
    {
        PluginMetadata metadata = await InitAsync(cancellationToken).ConfigureAwait(false);
        if (metadata.AbiVersion != AbiVersion)
        {
            throw new PluginAbiVersionException(Info.Id, AbiVersion, metadata.AbiVersion, "plugin_init");
        }

        if (!string.Equals(metadata.Id, Info.Id, StringComparison.Ordinal))
        {
            throw new PluginLoadException(Info.Id, $"Plugin '{Info.Id}' reports id '{metadata.Id}' from plugin_init; the manifest and the module must agree.");
        }

        PluginCapabilities capabilities = await GetCapabilitiesAsync(cancellationToken).ConfigureAwait(false);
        if (capabilities.AbiVersion is { } stated && stated != metadata.AbiVersion)
        {
            throw new PluginAbiVersionException(Info.Id, AbiVersion, stated, "plugin_capabilities, which disagrees with plugin_init");
        }
    }
}
