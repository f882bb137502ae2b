using System.Text.Json;

namespace Airlock;

/// <summary>
/// A plugin manifest (<c>plugin.json</c>), validated: the general manifest any contract's plugins can
/// use (<c>id</c>, <c>version</c>, <c>module</c>, and optionally <c>name</c>, <c>permissions</c>,
/// <c>limits</c>, <c>config_schema</c>, <c>config</c>, <c>host_status_codes</c>), of which the
/// SocialScale manifest is one profile (it names the module <c>wasm_path</c> and must list its
/// <c>capabilities</c>; see <see cref="SocialScale.SocialScaleManifest"/>). Read one with
/// <see cref="Load"/> or <see cref="Parse"/>; every problem is a <see cref="PluginManifestException"/>
/// naming the file, the field, the line and what was expected.
/// </summary>
public sealed record PluginManifest
{
    /// <summary>The plugin's id, e.g. <c>com.example.my-platform</c>.</summary>
    public required string Id { get; init; }

    /// <summary>The display name; the id when the manifest gives none.</summary>
    public required string Name { get; init; }

    /// <summary>The version, a semantic version such as <c>1.2.0</c> or <c>2.0.0-beta.1</c>.</summary>
    public required string Version { get; init; }

    /// <summary>What the plugin does, when given.</summary>
    public string? Description { get; init; }

    /// <summary>Who wrote it, when given.</summary>
    public string? Author { get; init; }

    /// <summary>The capability types the plugin declares (empty when it declares none).</summary>
    public IReadOnlyList<PluginCapability> Capabilities { get; init; } = [];

    /// <summary>
    /// The absolute path of the module, resolved against the manifest's folder. A manifest read from a
    /// file names a module in its own directory or below it (symbolic links followed), unless
    /// <see cref="PluginManifestOptions.AllowedModuleRoots"/> allows another directory.
    /// </summary>
    public required string WasmPath { get; init; }

    /// <summary>The field that named the module: <c>module</c>, or SocialScale's <c>wasm_path</c>.</summary>
    public string ModuleField { get; init; } = "module";

    /// <summary>The JSON schema of the plugin's configuration, when given.</summary>
    public JsonElement? ConfigSchema { get; init; }

    /// <summary>
    /// The configuration the manifest gives (<c>config</c>, an object), when it gives one. An
    /// application can pass its own with <see cref="PluginLoadOptions.Configuration"/>; either is
    /// validated against <see cref="ConfigSchema"/> before the plugin runs.
    /// </summary>
    public JsonElement? Configuration { get; init; }

    /// <summary>
    /// How host functions answer the plugin (<c>host_status_codes</c>): <see langword="null"/> when the
    /// manifest does not say, which means <see cref="HostResultEncoding.Plain"/>.
    /// </summary>
    public HostResultEncoding? HostResults { get; init; }

    /// <summary>
    /// Whether the plugin uses WASI (<c>wasi</c>). <see langword="false"/>: no WASI is linked, so a
    /// module that imports any is refused at load. <see langword="true"/> or absent: the WASI the load
    /// and the host allow (<see cref="PluginLoadOptions.Wasi"/>, <see cref="PluginHostOptions.Wasi"/>),
    /// unless the contract rules it out. A manifest can narrow what the host allows, never widen it.
    /// </summary>
    public bool? Wasi { get; init; }

    /// <summary>What the plugin asks to be allowed to do (<c>permissions</c>); nothing when absent.</summary>
    public Security.PluginPermissions Permissions { get; init; } = Security.PluginPermissions.None;

    /// <summary>The limits the plugin asks for (<c>limits</c>), which the administrator's policy caps.</summary>
    public Security.PluginLimitRequest? Limits { get; init; }

    /// <summary>The absolute path of the manifest file, when it was read from one.</summary>
    public string? ManifestPath { get; init; }

    // Where each top-level field was written, so that profiles and later checks can name the line.
    internal IReadOnlyDictionary<string, (long Line, long Column)> FieldPositions { get; init; } = new Dictionary<string, (long Line, long Column)>();

    // Where the module may be, links resolved, for a manifest read from a file; null for one built in
    // code, whose module path the application chose itself.
    internal IReadOnlyList<string>? ModuleRoots { get; init; }

    /// <summary>
    /// The module's path, checked again where it leads now: a link changed since the manifest was read
    /// cannot take the module outside the directories the manifest was read with.
    /// </summary>
    /// <exception cref="PluginManifestException">The module is now outside them.</exception>
    internal string ModuleFile()
    {
        if (ModuleRoots is { } roots && Manifest.ModuleLocation.Problem(WasmPath, roots) is { } outside)
        {
            throw Error(ModuleField, outside);
        }

        return WasmPath;
    }

    /// <summary>A <see cref="PluginManifestException"/> about <paramref name="field"/>, located where the manifest wrote it.</summary>
    internal PluginManifestException Error(string field, string problem, Exception? innerException = null)
    {
        string file = ManifestPath ?? WasmPath;
        string topLevel = field.Split('.', '[')[0];
        return FieldPositions.TryGetValue(topLevel, out var at)
            ? new PluginManifestException(file, field, problem, at.Line, at.Column, Id, innerException)
            : new PluginManifestException(file, field, problem, pluginId: Id, innerException: innerException);
    }

    /// <summary>Reads and validates a manifest file (at most 1 MiB, a regular file).</summary>
    /// <param name="path">The manifest's path.</param>
    /// <param name="options">Where the manifest may name its module; <see langword="null"/> for its own directory only.</param>
    /// <exception cref="PluginManifestException">The file cannot be read or is not a valid manifest.</exception>
    public static PluginManifest Load(string path, PluginManifestOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string fullPath = Path.GetFullPath(path);
        byte[] bytes;
        try
        {
            bytes = Files.UntrustedFile.ReadAllBytes(fullPath, Files.UntrustedFile.MaxManifestBytes, "a manifest");
        }
        catch (PluginFileException exception)
        {
            throw new PluginManifestException(fullPath, null, exception.Problem, innerException: exception);
        }

        return Parse(bytes, fullPath, options);
    }

    /// <summary>Validates manifest JSON.</summary>
    /// <param name="json">The manifest's bytes (UTF-8, a byte-order mark is allowed).</param>
    /// <param name="path">Where the manifest lives: named in errors, and the base of <c>wasm_path</c>.</param>
    /// <param name="options">Where the manifest may name its module; <see langword="null"/> for its own directory only.</param>
    /// <exception cref="PluginManifestException">The JSON is not a valid manifest.</exception>
    public static PluginManifest Parse(ReadOnlySpan<byte> json, string path, PluginManifestOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new Manifest.PluginManifestReader(json, Path.GetFullPath(path), options).Read();
    }
}
