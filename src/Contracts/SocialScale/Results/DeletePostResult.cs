namespace Airlock.Contracts.SocialScale;

/// <summary>The result of <see cref="DeletePostRequest"/>.</summary>
/// <param name="PostId">The deleted post's id, when the plugin repeats it.</param>
/// <param name="Deleted">Whether the post was deleted; plugins that only answer ok mean yes.</param>
public sealed record DeletePostResult(string? PostId = null, bool Deleted = true);
