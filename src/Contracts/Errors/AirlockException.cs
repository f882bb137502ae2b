namespace Airlock;

/// <summary>The base of every error Airlock raises about a plugin.</summary>
public abstract class AirlockException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="pluginId">The plugin concerned, when known.</param>
    /// <param name="message">What went wrong and where.</param>
    /// <param name="innerException">The underlying cause, if any.</param>
    protected AirlockException(string? pluginId, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        PluginId = pluginId;
    }

    /// <summary>The plugin concerned, when known.</summary>
    public string? PluginId { get; }
}
