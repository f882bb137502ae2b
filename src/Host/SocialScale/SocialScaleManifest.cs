namespace Airlock.SocialScale;

/// <summary>
/// The SocialScale profile of the general <see cref="PluginManifest"/>: a SocialScale manifest must
/// list its <c>capabilities</c>, each one of the five SocialScale types or <c>{"custom": "name"}</c>.
/// </summary>
public static class SocialScaleManifest
{
    /// <summary>Reads a manifest and checks it against the SocialScale profile.</summary>
    /// <param name="path">The <c>plugin.json</c>.</param>
    /// <param name="options">Where the manifest may name its module; <see langword="null"/> for its own directory only.</param>
    /// <exception cref="PluginManifestException">The manifest is invalid or not a SocialScale manifest.</exception>
    public static PluginManifest Load(string path, PluginManifestOptions? options = null)
    {
        PluginManifest manifest = PluginManifest.Load(path, options);
        Validate(manifest);
        return manifest;
    }

    /// <summary>Checks a general manifest against the SocialScale profile.</summary>
    /// <param name="manifest">The manifest.</param>
    /// <exception cref="PluginManifestException">The manifest declares no capability, or one that is not a SocialScale type.</exception>
    public static void Validate(PluginManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        string expected = $"one of {string.Join(", ", PluginCapability.BuiltIn.Select(c => "\"" + c.Name + "\""))} or {{\"custom\": \"name\"}}";
        if (manifest.Capabilities.Count == 0)
        {
            throw manifest.Error("capabilities", $"a SocialScale manifest must list at least one capability type, each {expected}.");
        }

        for (int index = 0; index < manifest.Capabilities.Count; index++)
        {
            PluginCapability capability = manifest.Capabilities[index];
            if (!capability.IsSocialScaleType)
            {
                throw manifest.Error($"capabilities[{index}]", $"unknown capability type \"{capability.Name}\"; expected {expected}.");
            }
        }
    }
}
