namespace Airlock.Contracts.SocialScale;

/// <summary>Reply to a comment (<c>"reply_comment"</c>).</summary>
/// <param name="CommentId">The platform's id of the comment.</param>
/// <param name="Text">The reply's text.</param>
public sealed record ReplyCommentRequest(string CommentId, string Text) : PluginRequest, IWasmRequest<ReplyCommentResult>;
