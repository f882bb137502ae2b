using System.Text.Json.Serialization;

namespace Airlock.Host.Tests;

/// <summary>A small contract over every payload kind, implemented by the WAT modules of <see cref="ProbeModules"/>.</summary>
[WasmPlugin(JsonContext = typeof(ProbeJsonContext))]
public partial interface IProbePlugin
{
    [WasmExport("ping")]
    int Ping(int value);

    [WasmExport("text")]
    string Text(string input);

    [WasmExport("doc", Envelope = WasmResponseEnvelope.Status)]
    ValueTask<ProbeResult> DocAsync(ProbeRequest request, CancellationToken cancellationToken = default);
}

public sealed record ProbeRequest(string Value);

public sealed record ProbeResult(string Value);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, RespectNullableAnnotations = true)]
[JsonSerializable(typeof(ProbeRequest))]
[JsonSerializable(typeof(ProbeResult))]
internal sealed partial class ProbeJsonContext : JsonSerializerContext;
