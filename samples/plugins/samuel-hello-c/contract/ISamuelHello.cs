using System.Text.Json;
using System.Text.Json.Serialization;
using Airlock;
using Airlock.Contracts.Samuel;

namespace Samples.SamuelHello;

/// <summary>
/// samuel-hello, a Samuel plugin in C: <c>greet</c> and <c>probe</c> by the Samuel convention (the packed ptr+len ABI
/// with libc's <c>malloc</c> and <c>free</c>, a top-level <c>"error"</c> raised as <see cref="PluginErrorException"/>),
/// with <see cref="ISamuelHost"/>'s host functions.
/// </summary>
[WasmPlugin(Abi = WasmAbi.PackedPtrLen, AllocExport = "malloc", FreeExport = "free", JsonContext = typeof(SamuelHelloJsonContext), Imports = [typeof(ISamuelHost)])]
public partial interface ISamuelHello
{
    /// <summary>Greets someone.</summary>
    /// <param name="request">Whom to greet.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    [WasmExport("greet", Envelope = WasmResponseEnvelope.ErrorMember)]
    ValueTask<GreetReply> GreetAsync(GreetRequest request, CancellationToken cancellationToken = default);

    /// <summary>Exercises one sandbox capability; the answer's members depend on the operation (see the plugin's README).</summary>
    /// <param name="request">The operation and its arguments.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    [WasmExport("probe", Envelope = WasmResponseEnvelope.ErrorMember)]
    ValueTask<JsonElement> ProbeAsync(ProbeRequest request, CancellationToken cancellationToken = default);
}

/// <summary>The input of <c>greet</c>.</summary>
/// <param name="Name">The name to greet.</param>
public sealed record GreetRequest(string Name);

/// <summary>The answer of <c>greet</c>.</summary>
/// <param name="Greeting"><c>Hello, name!</c></param>
public sealed record GreetReply(string Greeting);

/// <summary>The input of <c>probe</c>: the operation and the members it reads.</summary>
/// <param name="Op"><c>env</c>, <c>read</c>, <c>write</c>, <c>list</c>, <c>sleep</c>, <c>log</c>, <c>soft</c>, <c>net</c>, <c>trap</c> or <c>stdout</c>.</param>
public sealed record ProbeRequest(string Op)
{
    /// <summary>The guest path of <c>read</c>, <c>write</c> and <c>list</c>.</summary>
    public string? Path { get; init; }

    /// <summary>What <c>write</c> and <c>stdout</c> write.</summary>
    public string? Text { get; init; }

    /// <summary>How long <c>sleep</c> sleeps, in milliseconds.</summary>
    public long? Ms { get; init; }

    /// <summary>How many lines <c>log</c> logs.</summary>
    public long? Count { get; init; }

    /// <summary>The URL <c>net</c> fetches.</summary>
    public string? Url { get; init; }
}

/// <summary>JSON metadata of samuel-hello's payloads: snake_case names, nothing written for nulls.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(GreetRequest))]
[JsonSerializable(typeof(GreetReply))]
[JsonSerializable(typeof(ProbeRequest))]
[JsonSerializable(typeof(JsonElement))]
public sealed partial class SamuelHelloJsonContext : JsonSerializerContext;
