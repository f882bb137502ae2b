namespace Airlock.Contracts.SocialScale;

/// <summary>The result of <see cref="FetchCommentsRequest"/>: one page of comments.</summary>
/// <param name="Comments">The comments on this page.</param>
/// <param name="NextCursor">The cursor of the next page, or <see langword="null"/> on the last page.</param>
/// <param name="PostId">The post, when the plugin repeats it.</param>
public sealed record FetchCommentsResult(IReadOnlyList<Comment> Comments, string? NextCursor = null, string? PostId = null);
