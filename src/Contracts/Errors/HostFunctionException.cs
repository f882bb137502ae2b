namespace Airlock;

/// <summary>
/// A host function the plugin called failed: its arguments were invalid, or the application's
/// implementation threw (the cause is <see cref="Exception.InnerException"/>). The plugin's call is
/// ended and its instance discarded.
/// </summary>
public sealed class HostFunctionException : PluginCallException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="pluginId">The plugin whose call failed.</param>
    /// <param name="export">The export that was running.</param>
    /// <param name="module">The host function's import module.</param>
    /// <param name="function">The host function's name.</param>
    /// <param name="problem">What went wrong.</param>
    /// <param name="innerException">The implementation's exception, if it threw.</param>
    public HostFunctionException(string pluginId, string export, string module, string function, string problem, Exception? innerException = null)
        : base(pluginId, export, $"Host function {module}.{function} failed while plugin '{pluginId}' ran '{export}': {problem}", innerException)
    {
        Module = module;
        Function = function;
        Problem = problem;
    }

    /// <summary>The host function's import module.</summary>
    public string Module { get; }

    /// <summary>The host function's name.</summary>
    public string Function { get; }

    /// <summary>What went wrong.</summary>
    public string Problem { get; }
}
