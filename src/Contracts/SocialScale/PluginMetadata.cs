namespace Airlock.Contracts.SocialScale;

/// <summary>What <c>plugin_init</c> returns.</summary>
/// <param name="Id">The plugin's id; must equal the manifest's.</param>
/// <param name="Name">A display name.</param>
/// <param name="Version">The plugin's version.</param>
/// <param name="Author">Who wrote it.</param>
/// <param name="AbiVersion">The ABI version the plugin speaks; authoritative. <see langword="null"/> when the plugin does not say.</param>
public sealed record PluginMetadata(string Id, string Name, string Version, string? Author = null, int? AbiVersion = null);
