using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Airlock.Abi;
using Wasmtime;

namespace Airlock;

/// <summary>
/// A loaded plugin whose exports are called by name with JSON in and out: the client of a <see cref="DynamicContract"/>.
/// Calls run exactly like a generated client's — on the plugin's pooled instances, under its fuel, deadline, memory and
/// payload limits, with every result bounds-checked and every failure a typed <see cref="AirlockException"/> — and
/// marshal through the same helpers generated bindings use (<see cref="JsonPayload"/>, <see cref="ErrorEnvelope"/>).
/// Dispose it to unload the plugin.
/// </summary>
/// <example>
/// <code>
/// await using DynamicPlugin plugin = await host.LoadDynamicAsync(new DynamicContract("lint-kit", ["lint"]), "lint-kit", "1.0.0", "lint.wasm");
/// Report report = await plugin.InvokeAsync("lint", request, MyJson.Default.Request, MyJson.Default.Report);
/// JsonElement raw = await plugin.InvokeAsync("lint", JsonDocument.Parse("""{"root":"/workspace"}""").RootElement);
/// </code>
/// </example>
public sealed class DynamicPlugin : IWasmPlugin
{
    private static readonly JsonElement Null = JsonElement.Parse("null");

    private readonly WasmPluginRuntime<BoundExports> _runtime;
    private readonly FrozenDictionary<string, int> _indexes;
    private readonly string[] _inputRegions;
    private readonly string[] _resultRegions;

    internal DynamicPlugin(WasmPluginActivator activator, DynamicContract contract)
    {
        ArgumentNullException.ThrowIfNull(activator);
        Exports = contract.Exports;
        string[] names = [.. contract.Exports];
        _indexes = names.Select((name, index) => KeyValuePair.Create(name, index)).ToFrozenDictionary(StringComparer.Ordinal);
        _inputRegions = [.. names.Select(n => "input of " + n)];
        _resultRegions = [.. names.Select(n => "result of " + n)];
        _runtime = activator.CreateRuntime(instance => new BoundExports(instance, names, contract.Name));
    }

    /// <inheritdoc/>
    public WasmPluginInfo Info => _runtime.Info;

    /// <summary>The exports the contract declares, in its order.</summary>
    public IReadOnlyList<string> Exports { get; }

    /// <summary>Calls <paramref name="export"/> with a JSON input and returns its JSON result.</summary>
    /// <param name="export">One of <see cref="Exports"/>.</param>
    /// <param name="input">The input.</param>
    /// <param name="cancellationToken">Cancels the wait for an instance and interrupts the running call.</param>
    /// <returns>The result; JSON <c>null</c> when the plugin returned nothing.</returns>
    /// <exception cref="PluginExportMissingException"><paramref name="export"/> is not one of <see cref="Exports"/>.</exception>
    /// <exception cref="PluginErrorException">The plugin answered with an <c>"error"</c>.</exception>
    /// <exception cref="PluginCallException">The call failed: trap, timeout, fuel, memory, a malformed or out-of-bounds result.</exception>
    public async ValueTask<JsonElement> InvokeAsync(string export, JsonElement input, CancellationToken cancellationToken = default)
    {
        JsonElement result = await InvokeAsync(export, input, DynamicJsonContext.Default.JsonElement, DynamicJsonContext.Default.JsonElement, cancellationToken).ConfigureAwait(false);
        return result.ValueKind == JsonValueKind.Undefined ? Null : result;
    }

    /// <summary>Calls <paramref name="export"/> with a typed input and reads its typed result.</summary>
    /// <typeparam name="TInput">The input's type.</typeparam>
    /// <typeparam name="TResult">The result's type.</typeparam>
    /// <param name="export">One of <see cref="Exports"/>.</param>
    /// <param name="input">The input.</param>
    /// <param name="inputType">The input's JSON metadata (from a source-generated <see cref="JsonSerializerContext"/>).</param>
    /// <param name="resultType">The result's JSON metadata.</param>
    /// <param name="cancellationToken">Cancels the wait for an instance and interrupts the running call.</param>
    /// <exception cref="PluginExportMissingException"><paramref name="export"/> is not one of <see cref="Exports"/>.</exception>
    /// <exception cref="PluginErrorException">The plugin answered with an <c>"error"</c>.</exception>
    /// <exception cref="MalformedResponseException">The result is not valid JSON of <typeparamref name="TResult"/>, or is null.</exception>
    /// <exception cref="PluginCallException">The call failed: trap, timeout, fuel, memory, an out-of-bounds result.</exception>
    public ValueTask<TResult> InvokeAsync<TInput, TResult>(string export, TInput input, JsonTypeInfo<TInput> inputType, JsonTypeInfo<TResult> resultType, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(export);
        ArgumentNullException.ThrowIfNull(inputType);
        ArgumentNullException.ThrowIfNull(resultType);
        if (!_indexes.TryGetValue(export, out int index))
        {
            return ValueTask.FromException<TResult>(Undeclared(export));
        }

        return _runtime.InvokeAsync<Call<TInput, TResult>, TResult>(new Call<TInput, TResult>(this, index, export, input, inputType, resultType), cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _runtime.DisposeAsync();

    private PluginExportMissingException Undeclared(string export)
        => new(Info.Id, export, $"Plugin '{Info.Id}' has no export '{export}' to call: its contract declares {string.Join(", ", Exports.Select(e => "'" + e + "'"))}.");

    private readonly struct Call<TInput, TResult>(DynamicPlugin plugin, int index, string export, TInput input, JsonTypeInfo<TInput> inputType, JsonTypeInfo<TResult> resultType)
        : IWasmOperation<BoundExports, TResult>
    {
        public string Export => export;

        public TResult Invoke(GuestCall<BoundExports> call)
        {
            GuestBuffer buffer = JsonPayload.Write(call, input, inputType, plugin._inputRegions[index]);
            long result = call.Exports.Functions[index](buffer.WasmPointer, buffer.WasmLength);
            call.Free(buffer);
            // A JsonElement result may be anything, nothing included; a typed result must be a value.
            return typeof(TResult) == typeof(JsonElement)
                ? ErrorEnvelope.TakeOptional(call, result, resultType, plugin._resultRegions[index])!
                : ErrorEnvelope.Take(call, result, resultType, plugin._resultRegions[index]);
        }
    }

    private sealed class BoundExports
    {
        public BoundExports(Instance instance, string[] names, string contract)
        {
            Functions = new Func<int, int, long>[names.Length];
            for (int i = 0; i < names.Length; i++)
            {
                Functions[i] = instance.GetFunction<int, int, long>(names[i]) ?? throw WasmBinding.MissingExport(contract, names[i], "(i32, i32) -> i64");
            }
        }

        public Func<int, int, long>[] Functions { get; }
    }
}

/// <summary>The JSON metadata the dynamic path needs of its own.</summary>
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class DynamicJsonContext : JsonSerializerContext;
