using Airlock.Contracts.SocialScale;

namespace Airlock.Benchmarks.Plugins;

/// <summary>
/// The benchmarks' own contract over <c>samples/plugins/bench-c</c>: a scalar export, the two
/// host-function loops, and a synchronous view of the SocialScale request handler (the generator adds
/// <c>Publish(text, ...)</c> and the other request kinds, each running without a <c>ValueTask</c>).
/// The same module also loads as <see cref="ISocialScalePlugin"/>.
/// </summary>
[WasmPlugin(Abi = WasmAbi.PackedPtrLen, JsonContext = typeof(SocialScaleJsonContext), Imports = [typeof(ISocialScaleHost)])]
public partial interface IBenchPlugin
{
    /// <summary><c>add(a, b)</c>: <c>a + b</c>, wrapping.</summary>
    /// <param name="a">The first addend.</param>
    /// <param name="b">The second addend.</param>
    [WasmExport("add")]
    int Add(int a, int b);

    /// <summary><c>bench_log(n)</c>: the guest calls <c>host_log</c> <paramref name="count"/> times and returns the count.</summary>
    /// <param name="count">How many times.</param>
    [WasmExport("bench_log")]
    int Log(int count);

    /// <summary>
    /// <c>bench_store_get(n)</c>: the guest calls <c>host_store_get("bench:key")</c>
    /// <paramref name="count"/> times and returns the sum of the bytes it received (or a negative host status).
    /// </summary>
    /// <param name="count">How many times.</param>
    [WasmExport("bench_store_get")]
    int StoreGet(int count);

    /// <summary><c>plugin_handle_request</c>, synchronously.</summary>
    /// <param name="request">The request.</param>
    [WasmExport("plugin_handle_request", Envelope = WasmResponseEnvelope.Status)]
    PluginResponse HandleRequest(PluginRequest request);
}
