using System.Text.Json.Serialization;

namespace Airlock.Contracts.SocialScale;

/// <summary>
/// A request to a SocialScale plugin: a tagged union with the discriminator <c>"type"</c>. Each case
/// names its result type through <see cref="IWasmRequest{TResult}"/>.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(PublishRequest), "publish")]
[JsonDerivedType(typeof(DeletePostRequest), "delete_post")]
[JsonDerivedType(typeof(FetchCommentsRequest), "fetch_comments")]
[JsonDerivedType(typeof(ReplyCommentRequest), "reply_comment")]
[JsonDerivedType(typeof(FetchInsightsRequest), "fetch_insights")]
[JsonDerivedType(typeof(FetchPostMetricsRequest), "fetch_post_metrics")]
[JsonDerivedType(typeof(ExchangeCodeRequest), "exchange_code")]
[JsonDerivedType(typeof(RefreshTokenRequest), "refresh_token")]
[JsonDerivedType(typeof(CustomRequest), "custom")]
public abstract record PluginRequest;
