namespace Airlock;

/// <summary>A call into a plugin failed. Says which plugin and which export.</summary>
public abstract class PluginCallException : AirlockException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="pluginId">The plugin called.</param>
    /// <param name="export">The export that was running.</param>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The underlying cause, if any.</param>
    protected PluginCallException(string pluginId, string export, string message, Exception? innerException = null)
        : base(pluginId, message, innerException)
    {
        Export = export;
    }

    /// <summary>The export that was running.</summary>
    public string Export { get; }

    /// <summary>The plugin called.</summary>
    public new string PluginId => base.PluginId!;
}
