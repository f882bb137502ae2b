namespace Airlock.Contracts.SocialScale;

/// <summary>The result of <see cref="ReplyCommentRequest"/>; the SocialScale documents name no field of it.</summary>
/// <param name="ReplyId">The platform's id of the reply, when the plugin reports it.</param>
/// <param name="CommentId">The comment replied to, when the plugin repeats it.</param>
public sealed record ReplyCommentResult(string? ReplyId = null, string? CommentId = null);
