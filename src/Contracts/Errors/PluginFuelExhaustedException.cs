namespace Airlock;

/// <summary>A call consumed its whole fuel budget and was stopped. The instance is discarded.</summary>
public sealed class PluginFuelExhaustedException : PluginCallException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="pluginId">The plugin called.</param>
    /// <param name="export">The export that was running.</param>
    /// <param name="fuelLimit">The fuel the call had.</param>
    /// <param name="innerException">The Wasmtime exception.</param>
    public PluginFuelExhaustedException(string pluginId, string export, ulong fuelLimit, Exception? innerException = null)
        : base(pluginId, export, $"Plugin '{pluginId}' used all {fuelLimit:N0} units of fuel in '{export}' and was stopped.", innerException)
    {
        FuelLimit = fuelLimit;
    }

    /// <summary>The fuel the call had.</summary>
    public ulong FuelLimit { get; }
}
