namespace Airlock.Contracts.SocialScale;

/// <summary>What <c>plugin_capabilities</c> returns. Absent members mean false or empty.</summary>
/// <param name="AbiVersion">The ABI version, if the plugin repeats it here; must agree with <c>plugin_init</c>.</param>
/// <param name="CanPublishText">Publishes text posts.</param>
/// <param name="CanPublishImage">Publishes image posts.</param>
/// <param name="CanPublishVideo">Publishes video posts.</param>
/// <param name="CanReadAnalytics">Reads insights and post metrics.</param>
/// <param name="CanManageAds">Manages ads.</param>
/// <param name="Platforms">The platforms it serves.</param>
/// <param name="RequiredNetworkDomains">The domains it needs to reach.</param>
/// <param name="NeedsKvStore">Uses the KV store.</param>
public sealed record PluginCapabilities(
    int? AbiVersion = null,
    bool CanPublishText = false,
    bool CanPublishImage = false,
    bool CanPublishVideo = false,
    bool CanReadAnalytics = false,
    bool CanManageAds = false,
    IReadOnlyList<string>? Platforms = null,
    IReadOnlyList<string>? RequiredNetworkDomains = null,
    bool NeedsKvStore = false)
{
    /// <summary>The platforms it serves.</summary>
    public IReadOnlyList<string> Platforms { get; init; } = Platforms ?? [];

    /// <summary>The domains it needs to reach.</summary>
    public IReadOnlyList<string> RequiredNetworkDomains { get; init; } = RequiredNetworkDomains ?? [];
}
