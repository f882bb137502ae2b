using System.Text.Json;
using System.Text.Json.Serialization;

namespace Airlock.Host.Tests.Json;

/// <summary>Result types whose generated one-pass readers are checked against System.Text.Json.</summary>
[WasmPlugin(JsonContext = typeof(StrictParityJsonContext))]
public partial interface IStrictParityPlugin
{
    [WasmExport("positional", Envelope = WasmResponseEnvelope.Status)]
    ValueTask<ParityRecord> PositionalAsync(CancellationToken cancellationToken = default);

    [WasmExport("settable", Envelope = WasmResponseEnvelope.ErrorMember)]
    ValueTask<ParityClass> SettableAsync(CancellationToken cancellationToken = default);

    [WasmExport("plain")]
    ValueTask<ParityNested?> PlainAsync(CancellationToken cancellationToken = default);

    [WasmExport("refused", Envelope = WasmResponseEnvelope.Status)]
    ValueTask<ParityWithConverter> RefusedAsync(CancellationToken cancellationToken = default);
}

/// <summary>The same kind of types under System.Text.Json's default options.</summary>
[WasmPlugin(JsonContext = typeof(DefaultParityJsonContext))]
public partial interface IDefaultParityPlugin
{
    [WasmExport("positional", Envelope = WasmResponseEnvelope.Status)]
    ValueTask<ParityRecord> PositionalAsync(CancellationToken cancellationToken = default);

    [WasmExport("settable")]
    ValueTask<ParityClass> SettableAsync(CancellationToken cancellationToken = default);
}

public enum ParityKind
{
    First,
    Second,
}

/// <summary>A positional record: every member a constructor argument, some with defaults.</summary>
public sealed record ParityRecord(
    string Id,
    int Count,
    long Total,
    double Ratio,
    bool Enabled,
    string? Note = "none",
    int? Limit = null,
    IReadOnlyList<string>? Tags = null,
    ParityNested? Nested = null,
    DateTimeOffset? At = null,
    ParityKind Kind = ParityKind.First)
{
    /// <summary>Computed: serialized, never set.</summary>
    public int TagCount => Tags?.Count ?? 0;
}

/// <summary>A class with a parameterless constructor: settable, required, renamed and ignored members.</summary>
public sealed class ParityClass
{
    public required string Name { get; init; }

    public required int Version { get; set; }

    [JsonPropertyName("display-name")]
    public string? Display { get; set; } = "unset";

    public List<int>? Numbers { get; set; }

    public bool Flag { get; set; } = true;

    [JsonIgnore]
    public string Hidden { get; set; } = "hidden";

    public Dictionary<string, JsonElement>? Extra { get; set; }
}

public sealed record ParityNested(string Value, double? Weight = null);

/// <summary>A member with its own converter: read through System.Text.Json only.</summary>
public sealed record ParityWithConverter([property: JsonConverter(typeof(JsonStringEnumConverter<ParityKind>))] ParityKind Kind);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(ParityRecord))]
[JsonSerializable(typeof(ParityClass))]
[JsonSerializable(typeof(ParityNested))]
[JsonSerializable(typeof(ParityWithConverter))]
internal sealed partial class StrictParityJsonContext : JsonSerializerContext;

[JsonSerializable(typeof(ParityRecord))]
[JsonSerializable(typeof(ParityClass))]
internal sealed partial class DefaultParityJsonContext : JsonSerializerContext;
