namespace Airlock.Contracts.SocialScale;

/// <summary>Delete a published post by its platform id (<c>"delete_post"</c>).</summary>
/// <param name="PostId">The platform's id of the post.</param>
public sealed record DeletePostRequest(string PostId) : PluginRequest, IWasmRequest<DeletePostResult>;
