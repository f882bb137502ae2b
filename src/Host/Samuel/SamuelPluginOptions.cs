namespace Airlock.Samuel;

/// <summary>How <see cref="SamuelPlugins"/> loads Samuel plugins.</summary>
public sealed class SamuelPluginOptions
{
    /// <summary>The framework and protocol versions manifests are checked against. Default <see cref="SamuelHostVersions.Default"/>.</summary>
    public SamuelHostVersions Versions { get; init; } = SamuelHostVersions.Default;

    /// <summary>
    /// Where each mount of a manifest's <c>[capabilities.filesystem]</c> comes from on the host: guest path → host directory.
    /// A guest path not listed here is mounted from the same absolute path on the host, as Samuel does. A manifest mount
    /// whose host directory does not exist refuses the plugin at load, naming the field.
    /// </summary>
    public IDictionary<string, string> MountSources { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// The limits a manifest's <c>max_memory</c> and <c>hard_timeout</c> are applied to (fuel, payload size and instance
    /// count stay these); <see langword="null"/> for the host's <see cref="PluginHostOptions.DefaultLimits"/>.
    /// </summary>
    public PluginLimits? Limits { get; init; }

    /// <summary>
    /// The file in a plugins directory that records what <see cref="SamuelPlugins.InstallAsync"/> installed (name, version,
    /// SHA-256, source). Default <c>samuel-plugins.lock.json</c>.
    /// </summary>
    public string LockFileName { get; init; } = "samuel-plugins.lock.json";

    /// <summary>Told what each call of a plugin loaded with these options cost (the <c>airlock run</c> command reports it).</summary>
    internal Action<Runtime.PluginCallCost>? CallObserver { get; init; }
}
