using Airlock.Lesstruct;
using Airlock.Samuel;
using Airlock.SocialScale;

namespace Airlock.Cli.Plugins;

/// <summary>
/// A plugin as its own folder describes it, whatever its profile: a SocialScale <c>plugin.json</c>, a Samuel
/// <c>samuel-plugin.toml</c>, a Lesstruct <c>*.manifest</c> beside its module, or a Driftless module alone (the seed
/// gives Driftless plugins no manifest). Every manifest is read by its profile's own reader, so a manifest the host
/// would refuse is refused here with the same sentence.
/// </summary>
internal sealed class PluginPackage
{
    private PluginPackage(Profile profile, string id, string name, string version, string folder, string? manifestPath, string modulePath, IReadOnlyList<string> permissions)
    {
        Profile = profile;
        Id = id;
        Name = name;
        Version = version;
        Folder = folder;
        ManifestPath = manifestPath;
        ModulePath = modulePath;
        Permissions = permissions;
    }

    public Profile Profile { get; }

    /// <summary>The id approvals, the audit log and the lock file know it by.</summary>
    public string Id { get; }

    public string Name { get; }

    public string Version { get; }

    public string? Author { get; private init; }

    public string Folder { get; }

    public string? ManifestPath { get; }

    public string ModulePath { get; }

    /// <summary>What the plugin asks to be allowed, one line each, canonical: the approval is stored under these lines.</summary>
    public IReadOnlyList<string> Permissions { get; }

    /// <summary>The canonical permission set (for SocialScale, exactly <see cref="Security.PluginPermissions.Fingerprint"/>, which the host's loader looks approvals up by).</summary>
    public string Fingerprint => string.Join(";", Permissions);

    /// <summary>The SocialScale manifest, for that profile.</summary>
    public PluginManifest? SocialScale { get; private init; }

    /// <summary>The Samuel manifest, for that profile.</summary>
    public SamuelManifest? Samuel { get; private init; }

    /// <summary>The Lesstruct manifest, for that profile.</summary>
    public LesstructManifest? Lesstruct { get; private init; }

    /// <summary>The files to copy when installing: the manifest (if any) and the module, relative to <see cref="Folder"/>.</summary>
    public IReadOnlyList<string> Files => ManifestPath is null ? [Path.GetRelativePath(Folder, ModulePath)] : [Path.GetRelativePath(Folder, ManifestPath), Path.GetRelativePath(Folder, ModulePath)];

    /// <summary>Reads the plugin of a folder, or of the manifest or module named.</summary>
    /// <exception cref="CliException">Nothing there is a plugin (exit 2).</exception>
    /// <exception cref="PluginManifestException">The manifest is invalid.</exception>
    public static PluginPackage Open(string path)
    {
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            return OpenFolder(full);
        }

        if (!File.Exists(full))
        {
            throw new CliException(ExitCodes.CouldNot, $"'{path}' is neither a plugin folder nor a manifest or module file; give the folder that holds the plugin's manifest and module.");
        }

        string file = Path.GetFileName(full);
        string folder = Path.GetDirectoryName(full)!;
        if (file == "plugin.json" || file.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            return OpenSocialScale(full);
        }

        if (file == SamuelManifest.FileName)
        {
            return OpenSamuel(full);
        }

        if (file.EndsWith(".manifest", StringComparison.OrdinalIgnoreCase))
        {
            return OpenLesstruct(full);
        }

        if (file.EndsWith(".wasm", StringComparison.OrdinalIgnoreCase))
        {
            return new PluginPackage(Profile.Driftless, Path.GetFileNameWithoutExtension(file), Path.GetFileNameWithoutExtension(file), Driftless.DriftlessPlugins.UnversionedVersion, folder, null, full, []);
        }

        throw new CliException(ExitCodes.CouldNot, $"'{path}' is not a manifest Airlock knows (plugin.json, samuel-plugin.toml, <name>.manifest) nor a .wasm module.");
    }

    private static PluginPackage OpenFolder(string folder)
    {
        if (File.Exists(Path.Combine(folder, "plugin.json")))
        {
            return OpenSocialScale(Path.Combine(folder, "plugin.json"));
        }

        if (File.Exists(Path.Combine(folder, SamuelManifest.FileName)))
        {
            return OpenSamuel(Path.Combine(folder, SamuelManifest.FileName));
        }

        string[] manifests = Directory.GetFiles(folder, "*.manifest");
        if (manifests.Length == 1)
        {
            return OpenLesstruct(manifests[0]);
        }

        string[] modules = Directory.GetFiles(folder, "*.wasm");
        if (manifests.Length == 0 && modules.Length == 1)
        {
            return Open(modules[0]);
        }

        throw new CliException(ExitCodes.CouldNot, manifests.Length > 1
            ? $"The folder '{folder}' holds {manifests.Length} Lesstruct manifests; name the one to use."
            : $"The folder '{folder}' has no plugin.json, samuel-plugin.toml or <name>.manifest, and {(modules.Length == 0 ? "no" : modules.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))} .wasm modules; a plugin folder holds its manifest and its module (or, for Driftless, one module).");
    }

    private static PluginPackage OpenSocialScale(string path)
    {
        PluginManifest manifest = PluginManifest.Load(path);
        if (manifest.ModuleField == "wasm_path")
        {
            SocialScaleManifest.Validate(manifest);
        }

        return new PluginPackage(Profile.SocialScale, manifest.Id, manifest.Name, manifest.Version, Path.GetDirectoryName(path)!, path, manifest.WasmPath, manifest.Permissions.Describe())
        {
            Author = manifest.Author,
            SocialScale = manifest,
        };
    }

    private static PluginPackage OpenSamuel(string path)
    {
        SamuelManifest manifest = SamuelManifest.Load(path);
        var permissions = new List<string>();
        permissions.AddRange(manifest.Capabilities.Environment.Order(StringComparer.Ordinal).Select(e => "env: " + e));
        permissions.AddRange(manifest.Capabilities.ReadMounts.Order(StringComparer.Ordinal).Select(m => "filesystem.read: " + m));
        permissions.AddRange(manifest.Capabilities.WriteMounts.Order(StringComparer.Ordinal).Select(m => "filesystem.write: " + m));
        permissions.AddRange(manifest.Capabilities.Network.Domains.Select(d => d.ToLowerInvariant()).Order(StringComparer.Ordinal).Select(d => "network: " + d));
        return new PluginPackage(Profile.Samuel, manifest.Name, manifest.Name, manifest.Version.ToString(), Path.GetDirectoryName(path)!, path, manifest.ModulePath, permissions)
        {
            Samuel = manifest,
        };
    }

    // Lesstruct's convention: <name>.manifest beside <name>.wasm.
    private static PluginPackage OpenLesstruct(string path)
    {
        LesstructManifest manifest = LesstructManifest.Load(path);
        string folder = Path.GetDirectoryName(path)!;
        string module = Path.Combine(folder, Path.GetFileNameWithoutExtension(path) + ".wasm");
        if (!File.Exists(module))
        {
            throw new CliException(ExitCodes.CouldNot, $"The Lesstruct manifest '{path}' has no module beside it: Lesstruct loads {Path.GetFileName(module)} with it.");
        }

        var permissions = new List<string>();
        permissions.AddRange(manifest.Http.Patterns.Select(p => "http: " + p.Text).Order(StringComparer.Ordinal));
        permissions.AddRange(manifest.Database.Select(d => "database: " + d).Order(StringComparer.Ordinal));
        return new PluginPackage(Profile.Lesstruct, Path.GetFileNameWithoutExtension(path), manifest.Name, manifest.Version, folder, path, module, permissions)
        {
            Lesstruct = manifest,
        };
    }
}
