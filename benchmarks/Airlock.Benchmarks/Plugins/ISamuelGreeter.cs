using System.Text.Json.Serialization;
using Airlock.Contracts.Samuel;

namespace Airlock.Benchmarks.Plugins;

/// <summary>
/// The benchmarks' own typed Samuel contract over <c>samples/plugins/samuel-hello-c</c>: its <c>greet</c> export by the
/// Samuel convention (packed ptr+len, <c>malloc</c>/<c>free</c>, a top-level <c>"error"</c> as a failure), so a generated
/// call can be measured next to the dynamic call of the same export. Loaded with
/// <c>SamuelPlugins.LoadAsync&lt;ISamuelGreeter&gt;</c>.
/// </summary>
[WasmPlugin(Abi = WasmAbi.PackedPtrLen, AllocExport = "malloc", FreeExport = "free", JsonContext = typeof(BenchSamuelJsonContext), Imports = [typeof(ISamuelHost)])]
public partial interface ISamuelGreeter
{
    /// <summary><c>greet({"name": ...})</c>: <c>{"greeting": "Hello, name!"}</c>.</summary>
    /// <param name="request">Whom to greet.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    [WasmExport("greet", Envelope = WasmResponseEnvelope.ErrorMember)]
    ValueTask<SamuelGreeting> GreetAsync(SamuelGreetRequest request, CancellationToken cancellationToken = default);
}

/// <summary>The input of <c>greet</c>.</summary>
/// <param name="Name">Whom to greet.</param>
public sealed record SamuelGreetRequest(string Name);

/// <summary>The answer of <c>greet</c>.</summary>
/// <param name="Greeting">The greeting.</param>
public sealed record SamuelGreeting(string Greeting);

/// <summary>The JSON metadata of <see cref="ISamuelGreeter"/>, with the Samuel contracts' options (snake_case).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(SamuelGreetRequest))]
[JsonSerializable(typeof(SamuelGreeting))]
public sealed partial class BenchSamuelJsonContext : JsonSerializerContext;
