namespace Airlock.Contracts.SocialScale;

/// <summary>A comment on a post.</summary>
/// <param name="Id">The platform's id of the comment.</param>
/// <param name="Text">The comment's text.</param>
/// <param name="Author">Who wrote it, when known.</param>
/// <param name="CreatedAt">When it was written, when known.</param>
public sealed record Comment(string Id, string Text, string? Author = null, DateTimeOffset? CreatedAt = null);
