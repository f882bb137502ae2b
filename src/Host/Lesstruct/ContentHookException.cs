namespace Airlock.Lesstruct;

/// <summary>
/// A Lesstruct hook failed, so the operation it guards failed. Hooks that already ran are not rolled
/// back. <see cref="Exception.InnerException"/> is the plugin's error: a trap, a timeout, an error
/// result (<see cref="PluginErrorException"/>) and so on.
/// </summary>
public sealed class ContentHookException : AirlockException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="pluginId">The plugin whose hook failed.</param>
    /// <param name="hook">The hook's export, for example <c>hook_before_save</c>.</param>
    /// <param name="consequence">What it means for the operation, for example <c>the content was not saved</c>.</param>
    /// <param name="innerException">The plugin's error.</param>
    public ContentHookException(string pluginId, string hook, string consequence, Exception innerException)
        : base(pluginId, $"Hook {hook} of plugin '{pluginId}' failed, so {consequence}: {innerException?.Message}", innerException)
    {
        Hook = hook;
    }

    /// <summary>The hook's export.</summary>
    public string Hook { get; }
}
