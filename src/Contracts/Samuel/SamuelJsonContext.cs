using System.Text.Json;
using System.Text.Json.Serialization;
using Airlock.Contracts.SocialScale;

namespace Airlock.Contracts.Samuel;

/// <summary>
/// The JSON metadata of the Samuel contracts: snake_case names, unknown members kept where a type has room for them,
/// nothing written for nulls. Covers the host functions' HTTP shapes and the lint plugin kind's request and report.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(HostHttpRequest))]
[JsonSerializable(typeof(HostHttpResponse))]
[JsonSerializable(typeof(SamuelLintRequest))]
[JsonSerializable(typeof(SamuelLintReport))]
[JsonSerializable(typeof(JsonElement))]
public sealed partial class SamuelJsonContext : JsonSerializerContext;
