using Airlock.Manifest;

namespace Airlock.Lesstruct;

/// <summary>
/// A Lesstruct plugin manifest (<c>&lt;name&gt;.manifest</c> beside <c>&lt;name&gt;.wasm</c>, in TOML), validated. Read one with
/// <see cref="Load"/> or <see cref="Parse"/>; every problem is a <see cref="PluginManifestException"/> naming the file,
/// the dotted field (such as <c>capabilities.http[1]</c>), the line and column, and what was expected.
/// </summary>
/// <remarks>
/// <code>
/// name = "enrich"
/// version = "1.2.0"
///
/// [capabilities]
/// http = ["https://api.example.com/v1/*"]
/// database = ["read:content", "write:media"]
///
/// [config]
/// rates_url = "https://api.example.com/v1/rates"
/// </code>
/// <para><c>name</c> and <c>version</c> are required non-empty strings. <c>capabilities</c> is optional, with optional
/// <c>http</c> (URL patterns, see <see cref="UrlPattern"/>) and <c>database</c> (<see cref="DatabasePermission"/>s,
/// lowercase) arrays of strings. <c>config</c> is an optional table of string values. Any other key is an error, as is a
/// pattern or permission listed twice.</para>
/// </remarks>
public sealed class LesstructManifest
{
    internal LesstructManifest(string name, string version, string filePath, UrlAllowlist http, IReadOnlyList<DatabasePermission> database, IReadOnlyDictionary<string, string> config)
    {
        Name = name;
        Version = version;
        FilePath = filePath;
        Http = http;
        Database = database;
        Config = config;
    }

    /// <summary>The plugin's name, without surrounding whitespace.</summary>
    public string Name { get; }

    /// <summary>The plugin's version as written (without surrounding whitespace).</summary>
    public string Version { get; }

    /// <summary>The absolute path of the manifest file.</summary>
    public string FilePath { get; }

    /// <summary>The URLs the plugin may request (<c>capabilities.http</c>); <see cref="UrlAllowlist.Empty"/> when there are none.</summary>
    public UrlAllowlist Http { get; }

    /// <summary>The database permissions the plugin is granted (<c>capabilities.database</c>), in the order written.</summary>
    public IReadOnlyList<DatabasePermission> Database { get; }

    /// <summary>The string values of the optional <c>[config]</c> table, passed to <c>hook_on_plugin_loaded</c>; empty when there is none.</summary>
    public IReadOnlyDictionary<string, string> Config { get; }

    /// <summary>Reads and validates a manifest file.</summary>
    /// <param name="path">The manifest's path.</param>
    /// <exception cref="PluginManifestException">The file cannot be read, is larger than 1 MiB, or is not a valid manifest.</exception>
    public static LesstructManifest Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string fullPath = Path.GetFullPath(path);
        string text = TomlDocumentReader.ReadFile(fullPath, "a manifest");
        return Parse(text, fullPath);
    }

    /// <summary>Validates manifest TOML.</summary>
    /// <param name="text">The manifest's text (a leading byte-order mark is allowed).</param>
    /// <param name="path">Where the manifest lives: named in errors and kept as <see cref="FilePath"/> (made absolute).</param>
    /// <exception cref="PluginManifestException">The text is not a valid manifest.</exception>
    public static LesstructManifest Parse(string text, string path)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new LesstructManifestReader(text, Path.GetFullPath(path)).Read();
    }
}
