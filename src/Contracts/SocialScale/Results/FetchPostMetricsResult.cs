namespace Airlock.Contracts.SocialScale;

/// <summary>The result of <see cref="FetchPostMetricsRequest"/>.</summary>
/// <param name="Likes">Likes.</param>
/// <param name="Shares">Shares.</param>
/// <param name="Comments">Comments.</param>
/// <param name="Impressions">Impressions.</param>
/// <param name="PostId">The post, when the plugin repeats it.</param>
public sealed record FetchPostMetricsResult(long Likes, long Shares, long Comments, long Impressions, string? PostId = null);
