namespace Airlock.Contracts.SocialScale;

/// <summary>
/// The result of <see cref="FetchCommentsRequest"/>: one page of comments. The SocialScale documents
/// name only the request's cursor, so an absent <c>comments</c> member is an empty page.
/// </summary>
/// <param name="Comments">The comments on this page (empty when the plugin sends none).</param>
/// <param name="NextCursor">The cursor of the next page, or <see langword="null"/> on the last page.</param>
/// <param name="PostId">The post, when the plugin repeats it.</param>
public sealed record FetchCommentsResult(IReadOnlyList<Comment>? Comments = null, string? NextCursor = null, string? PostId = null)
{
    /// <summary>The comments on this page (empty when the plugin sends none).</summary>
    public IReadOnlyList<Comment> Comments { get; init; } = Comments ?? [];
}
