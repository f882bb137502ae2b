namespace Airlock;

/// <summary>
/// A module was refused before it was compiled because it is larger than the host compiles: its size,
/// the number of functions it defines, or the size of its largest function body is over a limit of
/// <c>PluginHostOptions</c>.
/// </summary>
public sealed class PluginModuleLimitException : PluginLoadException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="pluginId">The plugin concerned.</param>
    /// <param name="limit">The limit, as the option that sets it (for example <c>PluginHostOptions.MaxFunctionBodyBytes</c>).</param>
    /// <param name="maximum">The limit's value.</param>
    /// <param name="actual">What the module has.</param>
    /// <param name="message">What is over the limit, and where.</param>
    public PluginModuleLimitException(string pluginId, string limit, long maximum, long actual, string message)
        : base(pluginId, message)
    {
        Limit = limit;
        Maximum = maximum;
        Actual = actual;
    }

    /// <summary>The limit, as the option that sets it (for example <c>PluginHostOptions.MaxFunctionBodyBytes</c>).</summary>
    public string Limit { get; }

    /// <summary>The limit's value.</summary>
    public long Maximum { get; }

    /// <summary>What the module has.</summary>
    public long Actual { get; }
}
