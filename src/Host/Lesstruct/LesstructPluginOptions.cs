namespace Airlock.Lesstruct;

/// <summary>How Lesstruct plugins are found, limited and served.</summary>
public sealed class LesstructPluginOptions
{
    /// <summary>The environment variable that turns on development mode, as in Lesstruct.</summary>
    public const string DevelopmentModeVariable = "DEV_MODE";

    /// <summary>The plugin directory: every <c>&lt;name&gt;.wasm</c> in it, with an optional <c>&lt;name&gt;.manifest</c>. <c>plugins</c> by default.</summary>
    public string DirectoryPath { get; set; } = "plugins";

    /// <summary>
    /// Whether to reload a plugin when its files change (development mode). When left
    /// <see langword="null"/>, the <c>DEV_MODE</c> environment variable decides, as it does for
    /// Lesstruct: <c>true</c> for development mode, <c>false</c> or unset (or empty) for production, in
    /// any letter case. Any other value stops <see cref="LesstructPlugins.OpenAsync"/> with an
    /// <see cref="InvalidOperationException"/> rather than silently picking a mode. A value set here wins,
    /// and the variable is then not read.
    /// </summary>
    public bool? DevelopmentMode { get; set; }

    /// <summary>How long a plugin's files must be quiet before it is reloaded. 150 ms by default.</summary>
    public TimeSpan ReloadDebounce { get; set; } = TimeSpan.FromMilliseconds(150);

    /// <summary>Limits of every plugin; <see langword="null"/> for the host's defaults.</summary>
    public PluginLimits? Limits { get; set; }

    /// <summary>What plugins' host functions use: HTTP, the database, the audit log.</summary>
    public LesstructServicesOptions Services { get; set; } = new();

    /// <summary>Told what each call of a plugin loaded with these options cost (the <c>airlock run</c> command reports it).</summary>
    internal Action<Runtime.PluginCallCost>? CallObserver { get; set; }

    // Tests read a dictionary instead of the process environment, which other tests share.
    internal Func<string, string?> ReadEnvironment { get; set; } = Environment.GetEnvironmentVariable;

    /// <summary>Development mode as <see cref="DevelopmentMode"/> or, when that is not set, <c>DEV_MODE</c> gives it.</summary>
    internal bool ResolveDevelopmentMode()
    {
        if (DevelopmentMode is { } mode)
        {
            return mode;
        }

        string? value = ReadEnvironment(DevelopmentModeVariable);
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        return bool.TryParse(value, out bool development)
            ? development
            : throw new InvalidOperationException($"The environment variable {DevelopmentModeVariable} is '{value}'; Lesstruct plugins accept 'true' (development mode: reload plugins when their files change) or 'false' (production). Set it to one of those, or set LesstructPluginOptions.DevelopmentMode in code, which takes precedence.");
    }
}
