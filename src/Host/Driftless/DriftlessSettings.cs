using Airlock.Manifest;

namespace Airlock.Driftless;

/// <summary>
/// A Driftless <c>plugins.toml</c>, validated: the <see cref="Security"/> every Driftless plugin runs under and the plugin
/// <see cref="Registries"/>. Read one with <see cref="Load"/> or <see cref="Parse"/>; every problem is a
/// <see cref="PluginManifestException"/> naming the file, the dotted field (such as <c>security.fuel_limit</c> or
/// <c>registries[1].url</c>), the line and column, and what was expected.
/// </summary>
/// <remarks>
/// <code>
/// [security]
/// max_memory = 67108864        # 64 MiB
/// fuel_limit = 1000000000      # 1B instructions
/// execution_timeout_secs = 30  # 30 seconds
/// allow_wasi = false           # No WASI access
/// debug_enabled = false        # No debug features
///
/// [[registries]]
/// name = "my-registry"
/// url = "https://plugins.example.com"
/// enabled = true
/// </code>
/// <para>Both sections are optional, as is every key in them; what is not written has the Driftless default. Keys may
/// be written in any TOML form (tables, dotted keys, inline tables). A key Airlock does not know is an error that lists
/// the keys it knows, so that a misspelt limit is never silently ignored.</para>
/// </remarks>
public sealed record DriftlessSettings
{
    /// <summary>The settings of a Driftless installation without a <c>plugins.toml</c>: <see cref="DriftlessSecurity.Default"/> and no registries.</summary>
    public static DriftlessSettings Default { get; } = new();

    /// <summary>The <c>[security]</c> table.</summary>
    public DriftlessSecurity Security { get; init; } = DriftlessSecurity.Default;

    /// <summary>The <c>[[registries]]</c>, in the order written.</summary>
    public IReadOnlyList<DriftlessRegistry> Registries { get; init; } = [];

    /// <summary>The absolute path of the file the settings were read from; <see langword="null"/> when they were not read from a file.</summary>
    public string? FilePath { get; init; }

    /// <summary>Reads and validates a <c>plugins.toml</c> file (UTF-8, at most 1 MiB).</summary>
    /// <param name="path">The file's path.</param>
    /// <exception cref="PluginManifestException">The file cannot be read, is too large, is not UTF-8, or is not valid.</exception>
    public static DriftlessSettings Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string fullPath = Path.GetFullPath(path);
        return Parse(TomlDocumentReader.ReadFile(fullPath, "plugins.toml"), fullPath);
    }

    /// <summary>Validates <c>plugins.toml</c> text.</summary>
    /// <param name="text">The file's text (a leading byte-order mark is allowed).</param>
    /// <param name="path">Where the file lives: named in errors and kept as <see cref="FilePath"/> (made absolute).</param>
    /// <exception cref="PluginManifestException">The text is not valid.</exception>
    public static DriftlessSettings Parse(string text, string path)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new DriftlessSettingsReader(text, Path.GetFullPath(path)).Read();
    }
}
