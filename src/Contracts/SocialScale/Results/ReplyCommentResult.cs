namespace Airlock.Contracts.SocialScale;

/// <summary>The result of <see cref="ReplyCommentRequest"/>.</summary>
/// <param name="ReplyId">The platform's id of the reply.</param>
/// <param name="CommentId">The comment replied to, when the plugin repeats it.</param>
public sealed record ReplyCommentResult(string ReplyId, string? CommentId = null);
