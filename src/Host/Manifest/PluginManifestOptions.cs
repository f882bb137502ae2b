namespace Airlock;

/// <summary>How manifests are read: where a manifest may name its module.</summary>
public sealed class PluginManifestOptions
{
    /// <summary>
    /// Directories, besides each manifest's own directory, in which a manifest may name its module
    /// (<c>module</c> or <c>wasm_path</c>). Empty by default: a manifest names a file in its own
    /// directory or below it, and a path that leaves it (<c>../</c>, an absolute path, or a symbolic
    /// link whose target is elsewhere) is refused with <see cref="PluginManifestException"/> naming the
    /// field. Add a directory here only when the administrator keeps modules apart from manifests.
    /// </summary>
    public IList<string> AllowedModuleRoots { get; } = [];
}
