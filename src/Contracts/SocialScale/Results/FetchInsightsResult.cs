namespace Airlock.Contracts.SocialScale;

/// <summary>The result of <see cref="FetchInsightsRequest"/>.</summary>
/// <param name="Impressions">How many times content was shown.</param>
/// <param name="Engagements">Likes, shares, comments and clicks together.</param>
/// <param name="FollowersGained">New followers, when the platform reports them.</param>
/// <param name="Start">The start of the range, when the plugin repeats it.</param>
/// <param name="End">The end of the range, when the plugin repeats it.</param>
public sealed record FetchInsightsResult(long Impressions, long Engagements, long? FollowersGained = null, DateTimeOffset? Start = null, DateTimeOffset? End = null);
