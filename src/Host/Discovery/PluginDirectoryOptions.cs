namespace Airlock.Discovery;

/// <summary>How a <see cref="PluginDirectory{TPlugin}"/> finds and reloads plugins.</summary>
public sealed class PluginDirectoryOptions
{
    /// <summary>
    /// Whether to watch the directory and reload a plugin when its <c>.wasm</c> or manifest changes
    /// (development mode). Off by default: plugins load once at start.
    /// </summary>
    public bool Watch { get; set; }

    /// <summary>How long a plugin's files must be quiet before it is reloaded. 150 ms by default.</summary>
    public TimeSpan Debounce { get; set; } = TimeSpan.FromMilliseconds(150);

    /// <summary>The extension of a plugin's manifest beside its <c>.wasm</c>, with the dot. <c>.manifest</c> by default.</summary>
    public string ManifestExtension { get; set; } = ".manifest";

    /// <summary>
    /// Whether wasm-pack's output layout is recognised besides the flat <c>&lt;name&gt;.wasm</c>:
    /// <c>pkg/&lt;name&gt;_bg.wasm</c>, directly in the directory or in a folder of it
    /// (<c>my-plugin/pkg/my_plugin_bg.wasm</c> is plugin <c>my_plugin</c>). A flat file of the same name
    /// wins. Watching then covers those folders too. Default <see langword="false"/>.
    /// </summary>
    public bool WasmPackLayout { get; set; }
}

/// <summary>A plugin's files in a plugin directory.</summary>
/// <param name="Name">The file name without extension, which names the plugin.</param>
/// <param name="WasmPath">The module.</param>
/// <param name="ManifestPath">The manifest beside it, when there is one.</param>
public sealed record PluginFile(string Name, string WasmPath, string? ManifestPath);

/// <summary>Why a plugin of a directory failed to load.</summary>
/// <param name="Name">The plugin's name.</param>
/// <param name="WasmPath">Its module.</param>
/// <param name="Error">What went wrong.</param>
/// <param name="PreviousVersionServing">Whether an earlier version of the plugin is still serving.</param>
public sealed record PluginLoadFailure(string Name, string WasmPath, Exception Error, bool PreviousVersionServing);

/// <summary>What happened to a plugin of a directory.</summary>
public enum PluginDirectoryChange
{
    /// <summary>It was loaded for the first time.</summary>
    Loaded,

    /// <summary>A new version replaced the one serving.</summary>
    Reloaded,

    /// <summary>Its module was removed, and it was unloaded.</summary>
    Unloaded,

    /// <summary>It failed to load; see <see cref="PluginDirectoryEventArgs.Error"/>.</summary>
    Failed,
}

/// <summary>A change to one plugin of a directory.</summary>
/// <param name="name">The plugin's name.</param>
/// <param name="change">What happened.</param>
/// <param name="error">Why it failed, for <see cref="PluginDirectoryChange.Failed"/>.</param>
public sealed class PluginDirectoryEventArgs(string name, PluginDirectoryChange change, Exception? error) : EventArgs
{
    /// <summary>The plugin's name.</summary>
    public string Name { get; } = name;

    /// <summary>What happened.</summary>
    public PluginDirectoryChange Change { get; } = change;

    /// <summary>Why it failed, for <see cref="PluginDirectoryChange.Failed"/>.</summary>
    public Exception? Error { get; } = error;
}
