namespace Airlock.Contracts.Lesstruct;

/// <summary>
/// The contract of a Lesstruct hook plugin over the fixed-offset ABI: inputs at 65536, results from
/// the offset a hook returns, host functions writing at 4096. Every hook is optional; a hook the module
/// does not export does nothing and returns <see langword="null"/>. A hook that returns 0 (or an empty
/// result) made no change and also returns <see langword="null"/>. See <c>docs/lesstruct.md</c>.
/// </summary>
/// <remarks>
/// A hook fails by trapping or by returning <c>{"error": ...}</c>, which surfaces as
/// <see cref="PluginErrorException"/>.
/// </remarks>
[WasmPlugin(Abi = WasmAbi.FixedOffset, InputOffset = InputOffset, JsonContext = typeof(LesstructJsonContext), Imports = [typeof(ILesstructHost)])]
public partial interface ILesstructPlugin
{
    /// <summary>Where hook inputs are written.</summary>
    public const int InputOffset = 65536;

    /// <summary>Tells the plugin it was loaded (<c>hook_on_plugin_loaded</c>).</summary>
    /// <param name="plugin">The plugin's name, version and configuration.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The hook's result, or <see langword="null"/> for no change.</returns>
    [WasmExport("hook_on_plugin_loaded", WhenMissing = WasmMissingExport.Skip, Envelope = WasmResponseEnvelope.ErrorMember)]
    ValueTask<ContentHookResult?> OnPluginLoadedAsync(PluginLoadedInfo plugin, CancellationToken cancellationToken = default);

    /// <summary>Runs before content is created or updated (<c>hook_before_save</c>).</summary>
    /// <param name="item">The item about to be saved.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The hook's result, whose custom fields replace the item's; <see langword="null"/> for no change.</returns>
    [WasmExport("hook_before_save", WhenMissing = WasmMissingExport.Skip, Envelope = WasmResponseEnvelope.ErrorMember)]
    ValueTask<ContentHookResult?> BeforeSaveAsync(ContentItem item, CancellationToken cancellationToken = default);

    /// <summary>Runs after content is created (<c>hook_after_create</c>); its result is ignored.</summary>
    /// <param name="item">The created item.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The hook's result, or <see langword="null"/>.</returns>
    [WasmExport("hook_after_create", WhenMissing = WasmMissingExport.Skip, Envelope = WasmResponseEnvelope.ErrorMember)]
    ValueTask<ContentHookResult?> AfterCreateAsync(ContentItem item, CancellationToken cancellationToken = default);

    /// <summary>Runs after content is published (<c>hook_after_publish</c>); its result is ignored.</summary>
    /// <param name="item">The published item.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The hook's result, or <see langword="null"/>.</returns>
    [WasmExport("hook_after_publish", WhenMissing = WasmMissingExport.Skip, Envelope = WasmResponseEnvelope.ErrorMember)]
    ValueTask<ContentHookResult?> AfterPublishAsync(ContentItem item, CancellationToken cancellationToken = default);

    /// <summary>Runs before content is deleted (<c>hook_before_delete</c>); an error stops the delete.</summary>
    /// <param name="item">The item about to be deleted.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The hook's result, or <see langword="null"/>.</returns>
    [WasmExport("hook_before_delete", WhenMissing = WasmMissingExport.Skip, Envelope = WasmResponseEnvelope.ErrorMember)]
    ValueTask<ContentHookResult?> BeforeDeleteAsync(ContentItem item, CancellationToken cancellationToken = default);
}
