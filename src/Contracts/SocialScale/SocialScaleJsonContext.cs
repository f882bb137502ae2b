using System.Text.Json;
using System.Text.Json.Serialization;

namespace Airlock.Contracts.SocialScale;

/// <summary>
/// JSON metadata for every SocialScale payload: snake_case members, nulls omitted when writing,
/// <c>"type"</c> accepted anywhere in an object, nullability and required members enforced when reading.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowOutOfOrderMetadataProperties = true,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(PluginMetadata))]
[JsonSerializable(typeof(PluginCapabilities))]
[JsonSerializable(typeof(PluginRequest))]
[JsonSerializable(typeof(PluginResponse))]
[JsonSerializable(typeof(PublishResult))]
[JsonSerializable(typeof(DeletePostResult))]
[JsonSerializable(typeof(FetchCommentsResult))]
[JsonSerializable(typeof(ReplyCommentResult))]
[JsonSerializable(typeof(FetchInsightsResult))]
[JsonSerializable(typeof(FetchPostMetricsResult))]
[JsonSerializable(typeof(OAuthTokenResult))]
[JsonSerializable(typeof(CustomResult))]
[JsonSerializable(typeof(HostHttpRequest))]
[JsonSerializable(typeof(HostHttpResponse))]
[JsonSerializable(typeof(OAuthCredential))]
[JsonSerializable(typeof(JsonElement))]
public sealed partial class SocialScaleJsonContext : JsonSerializerContext;
