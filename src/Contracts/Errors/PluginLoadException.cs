namespace Airlock;

/// <summary>A plugin could not be loaded: its manifest, module or contract check failed.</summary>
public class PluginLoadException : AirlockException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="pluginId">The plugin concerned, when known.</param>
    /// <param name="message">What went wrong and where.</param>
    /// <param name="innerException">The underlying cause, if any.</param>
    public PluginLoadException(string? pluginId, string message, Exception? innerException = null)
        : base(pluginId, message, innerException)
    {
    }
}
