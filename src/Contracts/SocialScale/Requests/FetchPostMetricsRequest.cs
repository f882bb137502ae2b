namespace Airlock.Contracts.SocialScale;

/// <summary>Fetch engagement metrics of one post (<c>"fetch_post_metrics"</c>).</summary>
/// <param name="PostId">The platform's id of the post.</param>
public sealed record FetchPostMetricsRequest(string PostId) : PluginRequest, IWasmRequest<FetchPostMetricsResult>;
