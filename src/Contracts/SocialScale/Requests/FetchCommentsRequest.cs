namespace Airlock.Contracts.SocialScale;

/// <summary>Fetch one page of comments on a post (<c>"fetch_comments"</c>).</summary>
/// <param name="PostId">The platform's id of the post.</param>
/// <param name="Cursor">The <see cref="FetchCommentsResult.NextCursor"/> of the previous page; absent for the first page.</param>
public sealed record FetchCommentsRequest(string PostId, string? Cursor = null) : PluginRequest, IWasmRequest<FetchCommentsResult>;
