using System.Text.Json;

namespace Airlock;

/// <summary>
/// A SocialScale plugin manifest (<c>plugin.json</c>), validated. Read one with <see cref="Load"/> or
/// <see cref="Parse"/>; every problem is a <see cref="PluginManifestException"/> naming the file, the
/// field, the line and what was expected.
/// </summary>
public sealed record PluginManifest
{
    /// <summary>The plugin's id, e.g. <c>com.example.my-platform</c>.</summary>
    public required string Id { get; init; }

    /// <summary>The display name.</summary>
    public required string Name { get; init; }

    /// <summary>The version, a semantic version such as <c>1.2.0</c> or <c>2.0.0-beta.1</c>.</summary>
    public required string Version { get; init; }

    /// <summary>What the plugin does, when given.</summary>
    public string? Description { get; init; }

    /// <summary>Who wrote it, when given.</summary>
    public string? Author { get; init; }

    /// <summary>The capability types the plugin declares.</summary>
    public required IReadOnlyList<PluginCapability> Capabilities { get; init; }

    /// <summary>The absolute path of the module, resolved against the manifest's folder.</summary>
    public required string WasmPath { get; init; }

    /// <summary>The JSON schema of the plugin's configuration, when given.</summary>
    public JsonElement? ConfigSchema { get; init; }

    /// <summary>What the plugin asks to be allowed to do (<c>permissions</c>); nothing when absent.</summary>
    public Security.PluginPermissions Permissions { get; init; } = Security.PluginPermissions.None;

    /// <summary>The limits the plugin asks for (<c>limits</c>), which the administrator's policy caps.</summary>
    public Security.PluginLimitRequest? Limits { get; init; }

    /// <summary>The absolute path of the manifest file, when it was read from one.</summary>
    public string? ManifestPath { get; init; }

    /// <summary>Reads and validates a manifest file.</summary>
    /// <param name="path">The manifest's path.</param>
    /// <exception cref="PluginManifestException">The file cannot be read or is not a valid manifest.</exception>
    public static PluginManifest Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string fullPath = Path.GetFullPath(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(fullPath);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new PluginManifestException(fullPath, null, $"the file cannot be read: {exception.Message}", innerException: exception);
        }

        return Parse(bytes, fullPath);
    }

    /// <summary>Validates manifest JSON.</summary>
    /// <param name="json">The manifest's bytes (UTF-8, a byte-order mark is allowed).</param>
    /// <param name="path">Where the manifest lives: named in errors, and the base of <c>wasm_path</c>.</param>
    /// <exception cref="PluginManifestException">The JSON is not a valid manifest.</exception>
    public static PluginManifest Parse(ReadOnlySpan<byte> json, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new Manifest.PluginManifestReader(json, Path.GetFullPath(path)).Read();
    }
}
