namespace Airlock.Contracts.SocialScale;

/// <summary>
/// The result of <see cref="FetchPostMetricsRequest"/>. The SocialScale documents say only "engagement
/// metrics", so every member is optional: a connector reports what its platform has.
/// </summary>
/// <param name="Likes">Likes, when reported.</param>
/// <param name="Shares">Shares, when reported.</param>
/// <param name="Comments">Comments, when reported.</param>
/// <param name="Impressions">Impressions, when reported.</param>
/// <param name="PostId">The post, when the plugin repeats it.</param>
public sealed record FetchPostMetricsResult(long? Likes = null, long? Shares = null, long? Comments = null, long? Impressions = null, string? PostId = null);
