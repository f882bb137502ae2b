using System.Text.Json.Nodes;

namespace Airlock.Contracts.SocialScale;

/// <summary>Publish content to the platform (<c>"publish"</c>).</summary>
/// <param name="Text">The post's text.</param>
/// <param name="MediaUrls">URLs of media to attach; sent as an empty array when absent.</param>
/// <param name="Hashtags">Hashtags, without <c>#</c>; sent as an empty array when absent.</param>
/// <param name="Metadata">Platform-specific extras, passed through as JSON.</param>
public sealed record PublishRequest(string Text, IReadOnlyList<string>? MediaUrls = null, IReadOnlyList<string>? Hashtags = null, JsonObject? Metadata = null)
    : PluginRequest, IWasmRequest<PublishResult>
{
    /// <summary>URLs of media to attach.</summary>
    public IReadOnlyList<string> MediaUrls { get; init; } = MediaUrls ?? [];

    /// <summary>Hashtags, without <c>#</c>.</summary>
    public IReadOnlyList<string> Hashtags { get; init; } = Hashtags ?? [];
}
