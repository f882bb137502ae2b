namespace Airlock;

/// <summary>
/// A contract method was called whose optional export the plugin does not have, and the contract
/// declares that an error (<see cref="WasmMissingExport.Throw"/>); or an export was called by a name the
/// plugin's manifest does not declare. The plugin did not run.
/// </summary>
public sealed class PluginExportMissingException : PluginCallException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="pluginId">The plugin called.</param>
    /// <param name="export">The export it lacks.</param>
    public PluginExportMissingException(string pluginId, string export)
        : base(pluginId, export, $"Plugin '{pluginId}' does not export '{export}'.")
    {
    }

    /// <summary>Creates the exception with its own message.</summary>
    /// <param name="pluginId">The plugin called.</param>
    /// <param name="export">The export asked for.</param>
    /// <param name="message">What is wrong.</param>
    public PluginExportMissingException(string pluginId, string export, string message)
        : base(pluginId, export, message)
    {
    }
}
