namespace Airlock;

/// <summary>
/// The plugin called WASI <c>proc_exit</c>: its program ended before the export returned, so the call
/// has no result. This is an error whatever the exit code, 0 included, and the instance is discarded
/// (a guest runtime that has exited cannot serve another call).
/// </summary>
public sealed class PluginExitException : PluginCallException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="pluginId">The plugin called.</param>
    /// <param name="export">The export that was running.</param>
    /// <param name="exitCode">The code the plugin passed to <c>proc_exit</c>.</param>
    public PluginExitException(string pluginId, string export, int exitCode)
        : base(pluginId, export, $"Plugin '{pluginId}' exited with code {exitCode} (WASI proc_exit) in '{export}' before returning; the call has no result.")
    {
        ExitCode = exitCode;
    }

    /// <summary>The code the plugin passed to <c>proc_exit</c>.</summary>
    public int ExitCode { get; }
}
