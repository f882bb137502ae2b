namespace Airlock.Contracts.SocialScale;

/// <summary>
/// The result of <see cref="FetchInsightsRequest"/>. The SocialScale documents name no field of it, so
/// every member is optional: a connector reports what its platform has.
/// </summary>
/// <param name="Impressions">How many times content was shown, when the platform reports it.</param>
/// <param name="Engagements">Likes, shares, comments and clicks together, when the platform reports them.</param>
/// <param name="FollowersGained">New followers, when the platform reports them.</param>
/// <param name="Start">The start of the range, when the plugin repeats it.</param>
/// <param name="End">The end of the range, when the plugin repeats it.</param>
public sealed record FetchInsightsResult(long? Impressions = null, long? Engagements = null, long? FollowersGained = null, DateTimeOffset? Start = null, DateTimeOffset? End = null);
