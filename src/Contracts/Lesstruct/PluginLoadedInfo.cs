namespace Airlock.Contracts.Lesstruct;

/// <summary>The input of <c>hook_on_plugin_loaded</c>: who the plugin is and its manifest's settings.</summary>
/// <param name="Name">The plugin's name from its manifest (its file name when it has none).</param>
/// <param name="Version">The plugin's version from its manifest (<c>0.0.0</c> when it has none).</param>
/// <param name="Config">The string values of the manifest's <c>[config]</c> table.</param>
public sealed record PluginLoadedInfo(string Name, string Version, IReadOnlyDictionary<string, string> Config);
