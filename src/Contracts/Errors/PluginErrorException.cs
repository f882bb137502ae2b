namespace Airlock;

/// <summary>
/// The plugin answered with an error response (<c>{"status":"error","code":...,"message":...,"retryable":...}</c>).
/// The plugin worked as designed; the operation it was asked to do failed. The instance is kept.
/// </summary>
public sealed class PluginErrorException : PluginCallException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="pluginId">The plugin called.</param>
    /// <param name="export">The export that answered.</param>
    /// <param name="code">The plugin's machine-readable error code.</param>
    /// <param name="errorMessage">The plugin's human-readable message.</param>
    /// <param name="retryable">Whether the plugin says the same call may succeed later.</param>
    public PluginErrorException(string pluginId, string export, string code, string errorMessage, bool retryable)
        : base(pluginId, export, $"Plugin '{pluginId}' answered '{export}' with error '{code}'{(retryable ? " (retryable)" : string.Empty)}: {errorMessage}")
    {
        Code = code;
        ErrorMessage = errorMessage;
        Retryable = retryable;
    }

    /// <summary>The plugin's machine-readable error code, for example <c>rate_limit_exceeded</c>.</summary>
    public string Code { get; }

    /// <summary>The plugin's human-readable message.</summary>
    public string ErrorMessage { get; }

    /// <summary>Whether the plugin says the same call may succeed later.</summary>
    public bool Retryable { get; }
}
