using Airlock.Manifest;
using Semver;

namespace Airlock.Samuel;

/// <summary>
/// A Samuel WASM-tier plugin manifest (<c>samuel-plugin.toml</c>), validated. Read one with <see cref="Load"/> or
/// <see cref="Parse"/>; every problem is a <see cref="PluginManifestException"/> naming the file, the dotted field (such
/// as <c>runtime.timeout</c> or <c>wasm.exports[1]</c>), the line and the column, and what was expected.
/// </summary>
/// <remarks>
/// <code>
/// name = "go-guide-wasm"
/// version = "0.1.0"
/// kind = "wasm"
/// summary = "TinyGo port of go-guide."
///
/// [samuel]
/// framework = "^2.2.0"
/// protocol = "^1.0.0"
///
/// [wasm]
/// module = "plugin.wasm"
/// exports = ["lint", "health"]
///
/// [runtime]
/// max_memory = 64            # MiB; default 64
/// timeout = "5s"             # soft deadline; default 5s
/// hard_timeout = "30s"       # the call is killed; default 30s
/// exports = ["lint", "health"]
///
/// [capabilities]
/// env = ["HOME"]
///
/// [capabilities.filesystem]
/// read = ["/workspace"]
/// write = []
///
/// [capabilities.network]
/// hosts = ["api.example.com", "*.cdn.example.com"]
/// </code>
/// <para>Only <c>kind = "wasm"</c> runs in Airlock; <c>skill</c> and <c>oci</c> manifests are refused. The
/// <c>[samuel]</c> ranges must contain the host's <see cref="SamuelHostVersions"/>. Export names are checked against the
/// thirteen reserved Samuel verbs (<see cref="ReservedExportNames"/>). See docs/samuel.md for every rule.</para>
/// </remarks>
public sealed record SamuelManifest
{
    /// <summary>The manifest's file name in a plugin folder.</summary>
    public const string FileName = "samuel-plugin.toml";

    internal SamuelManifest(string name, SemVersion version, string summary, string frameworkRange, string protocolRange, string module, string modulePath, IReadOnlyList<string> exports, SamuelRuntime runtime, SamuelCapabilities capabilities, string filePath)
    {
        Name = name;
        Version = version;
        Summary = summary;
        FrameworkRange = frameworkRange;
        ProtocolRange = protocolRange;
        Module = module;
        ModulePath = modulePath;
        Exports = exports;
        Runtime = runtime;
        Capabilities = capabilities;
        FilePath = filePath;
    }

    /// <summary>
    /// The export names a plugin may not declare, because they are Samuel's own verbs: <c>init</c>, <c>install</c>,
    /// <c>uninstall</c>, <c>update</c>, <c>search</c>, <c>info</c>, <c>ls</c>, <c>list</c>, <c>run</c>, <c>doctor</c>,
    /// <c>sync</c>, <c>version</c>, <c>new</c>. Compared ignoring case.
    /// </summary>
    public static IReadOnlyList<string> ReservedExportNames => Wasm.SamuelVerbs.Reserved;

    /// <summary><c>name</c>: the plugin's name.</summary>
    public string Name { get; }

    /// <summary><c>version</c>: the plugin's own version (strict semantic version).</summary>
    public SemVersion Version { get; }

    /// <summary><c>summary</c>: one line about the plugin; empty when the manifest has none.</summary>
    public string Summary { get; }

    /// <summary><c>samuel.framework</c>: the framework versions the plugin works with, as written (such as <c>^2.2.0</c>).</summary>
    public string FrameworkRange { get; }

    /// <summary><c>samuel.protocol</c>: the protocol versions the plugin speaks, as written (such as <c>^1.0.0</c>).</summary>
    public string ProtocolRange { get; }

    /// <summary><c>wasm.module</c>: the module's path as written, relative to the manifest's folder.</summary>
    public string Module { get; }

    /// <summary>The module's absolute path: <see cref="Module"/> under the manifest's folder.</summary>
    public string ModulePath { get; }

    /// <summary><c>wasm.exports</c>: the functions the plugin exports for the host to call, in the order declared.</summary>
    public IReadOnlyList<string> Exports { get; }

    /// <summary>The <c>[runtime]</c> table; <see cref="SamuelRuntime.Default"/> when it is omitted.</summary>
    public SamuelRuntime Runtime { get; }

    /// <summary>The <c>[capabilities]</c> table; <see cref="SamuelCapabilities.None"/> when it is omitted.</summary>
    public SamuelCapabilities Capabilities { get; }

    /// <summary>The absolute path of the manifest file.</summary>
    public string FilePath { get; }

    /// <summary>Reads and validates a <c>samuel-plugin.toml</c>.</summary>
    /// <param name="path">The manifest's path.</param>
    /// <param name="versions">The host's framework and protocol versions; <see cref="SamuelHostVersions.Default"/> when null.</param>
    /// <exception cref="PluginManifestException">The file cannot be read, is larger than 1 MiB, is not a valid manifest, or
    /// asks for framework or protocol versions this host does not provide.</exception>
    public static SamuelManifest Load(string path, SamuelHostVersions? versions = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string fullPath = Path.GetFullPath(path);
        string text = TomlDocumentReader.ReadFile(fullPath, "a Samuel manifest");
        return Parse(text, fullPath, versions);
    }

    /// <summary>Validates the text of a <c>samuel-plugin.toml</c>.</summary>
    /// <param name="text">The manifest's text (a leading byte-order mark is allowed).</param>
    /// <param name="path">Where the manifest lives: named in errors, kept as <see cref="FilePath"/> (made absolute) and the
    /// folder <see cref="ModulePath"/> is resolved against.</param>
    /// <param name="versions">The host's framework and protocol versions; <see cref="SamuelHostVersions.Default"/> when null.</param>
    /// <exception cref="PluginManifestException">The text is not a valid manifest, or asks for framework or protocol
    /// versions this host does not provide.</exception>
    public static SamuelManifest Parse(string text, string path, SamuelHostVersions? versions = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new SamuelManifestReader(text, Path.GetFullPath(path), versions ?? SamuelHostVersions.Default).Read();
    }

    /// <summary>
    /// The limits a call of this plugin runs under: <paramref name="hostDefaults"/> with the manifest's memory cap
    /// (<see cref="SamuelRuntime.MaxMemoryBytes"/>) and its hard timeout as the call timeout. Fuel, payload size and
    /// instance count stay the host's. The soft deadline is not a limit: it stays <see cref="SamuelRuntime.SoftTimeout"/>.
    /// </summary>
    /// <param name="hostDefaults">The host's limits.</param>
    public PluginLimits ToLimits(PluginLimits hostDefaults)
    {
        ArgumentNullException.ThrowIfNull(hostDefaults);
        return hostDefaults with { MemoryBytes = Runtime.MaxMemoryBytes, Timeout = Runtime.HardTimeout };
    }
}
