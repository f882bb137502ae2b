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
[JsonSerializable(typeof(ParityRequest))]
internal sealed partial class StrictParityJsonContext : JsonSerializerContext;

[JsonSerializable(typeof(ParityRecord))]
[JsonSerializable(typeof(ParityClass))]
internal sealed partial class DefaultParityJsonContext : JsonSerializerContext;

/// <summary>
/// An application's contract over the SocialScale request union, compiled in another assembly: the
/// generator cannot see what the cases' properties make of their arguments, so its case writers write the
/// case object the per-case methods build.
/// </summary>
[WasmPlugin(JsonContext = typeof(Airlock.Contracts.SocialScale.SocialScaleJsonContext))]
public partial interface IParityConnector
{
    [WasmExport("plugin_handle_request", Envelope = WasmResponseEnvelope.Status)]
    ValueTask<Airlock.Contracts.SocialScale.PluginResponse> HandleAsync(Airlock.Contracts.SocialScale.PluginRequest request, CancellationToken cancellationToken = default);
}

/// <summary>A request union of this assembly's own, written from the per-case methods' arguments where its source says how.</summary>
[WasmPlugin(JsonContext = typeof(StrictParityJsonContext))]
public partial interface IStrictUnionParityPlugin
{
    [WasmExport("handle", Envelope = WasmResponseEnvelope.Status)]
    ValueTask<ParityNested> HandleAsync(ParityRequest request, CancellationToken cancellationToken = default);
}

/// <summary>The same union where null members are left out (<c>WhenWritingNull</c>) and names are not changed.</summary>
[WasmPlugin(JsonContext = typeof(OmitNullsParityJsonContext))]
public partial interface IOmitNullsUnionParityPlugin
{
    [WasmExport("handle", Envelope = WasmResponseEnvelope.Status)]
    ValueTask<ParityNested> HandleAsync(ParityRequest request, CancellationToken cancellationToken = default);
}

[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(ParityListsRequest), "lists")]
[JsonDerivedType(typeof(ParityScalarsRequest), "scalars")]
[JsonDerivedType(typeof(ParityComputedRequest), "computed")]
[JsonDerivedType(typeof(ParityDeclaredRequest), "declared")]
public abstract record ParityRequest;

/// <summary>Lists: empty for a null argument (<c>?? []</c>, <c>?? Array.Empty</c>), or kept null (positional).</summary>
public sealed record ParityListsRequest(string? Title, IReadOnlyList<string>? Tags = null, string[]? Names = null, IReadOnlyList<string>? Kept = null) : ParityRequest
{
    public IReadOnlyList<string> Tags { get; init; } = Tags ?? [];

    public string[] Names { get; init; } = Names ?? Array.Empty<string>();
}

/// <summary>Scalars, a renamed member and a nested object, all positional.</summary>
public sealed record ParityScalarsRequest(
    int Count,
    long Total,
    double Ratio,
    bool Enabled,
    int? Limit = null,
    ParityNested? Nested = null,
    [property: JsonPropertyName("renamed-note")] string? Note = "none") : ParityRequest;

/// <summary>A computed member: the case object is built and its property read.</summary>
public sealed record ParityComputedRequest(string? Name) : ParityRequest
{
    public int Length => Name?.Length ?? 0;
}

/// <summary>Explicit properties initialized from the positional parameters they shadow.</summary>
public sealed record ParityDeclaredRequest(string? Label, IReadOnlyList<string>? Items) : ParityRequest
{
    public string? Label { get; } = Label;

    public IReadOnlyList<string> Items { get; init; } = Items ?? [];
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ParityRequest))]
[JsonSerializable(typeof(ParityNested))]
internal sealed partial class OmitNullsParityJsonContext : JsonSerializerContext;
