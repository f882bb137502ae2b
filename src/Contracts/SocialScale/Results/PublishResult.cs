namespace Airlock.Contracts.SocialScale;

/// <summary>The result of <see cref="PublishRequest"/>.</summary>
/// <param name="PostId">The platform's id of the new post.</param>
/// <param name="Url">Where the post can be seen, when the platform says.</param>
public sealed record PublishResult(string PostId, string? Url = null);
