using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Airlock.Samuel;

/// <summary>
/// A loaded Samuel plugin whose exports its manifest names: call them by name with JSON in and out. Every call runs
/// under the manifest's memory cap and hard timeout, with its soft deadline known to the plugin
/// (<c>samuel.soft_deadline_ms</c>). Dispose it to unload the plugin.
/// </summary>
public sealed class SamuelPlugin : IWasmPlugin
{
    private readonly DynamicPlugin _plugin;
    private readonly SamuelHostServices _services;

    internal SamuelPlugin(SamuelManifest manifest, DynamicPlugin plugin, SamuelHostServices services)
    {
        Manifest = manifest;
        _plugin = plugin;
        _services = services;
    }

    /// <summary>The plugin's manifest.</summary>
    public SamuelManifest Manifest { get; }

    /// <inheritdoc/>
    public WasmPluginInfo Info => _plugin.Info;

    /// <summary>The exports the manifest declares (<c>[wasm] exports</c>).</summary>
    public IReadOnlyList<string> Exports => _plugin.Exports;

    /// <summary>How many of the plugin's log lines the 10-lines-a-second limit has dropped.</summary>
    public long DroppedLogLines => _services.DroppedLogLines;

    /// <summary>Calls <paramref name="export"/> with a JSON input; see <see cref="DynamicPlugin.InvokeAsync(string, JsonElement, CancellationToken)"/>.</summary>
    /// <param name="export">One of <see cref="Exports"/>.</param>
    /// <param name="input">The input.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public ValueTask<JsonElement> InvokeAsync(string export, JsonElement input, CancellationToken cancellationToken = default)
        => _plugin.InvokeAsync(export, input, cancellationToken);

    /// <summary>Calls <paramref name="export"/> with a typed input and result; see <see cref="DynamicPlugin.InvokeAsync{TInput, TResult}"/>.</summary>
    /// <typeparam name="TInput">The input's type.</typeparam>
    /// <typeparam name="TResult">The result's type.</typeparam>
    /// <param name="export">One of <see cref="Exports"/>.</param>
    /// <param name="input">The input.</param>
    /// <param name="inputType">The input's JSON metadata.</param>
    /// <param name="resultType">The result's JSON metadata.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public ValueTask<TResult> InvokeAsync<TInput, TResult>(string export, TInput input, JsonTypeInfo<TInput> inputType, JsonTypeInfo<TResult> resultType, CancellationToken cancellationToken = default)
        => _plugin.InvokeAsync(export, input, inputType, resultType, cancellationToken);

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _plugin.DisposeAsync();
}
