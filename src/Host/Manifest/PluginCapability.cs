namespace Airlock;

/// <summary>
/// What kind of plugin a manifest declares: for SocialScale, one of the five built-in capability types
/// or a custom identifier (written <c>{"custom": "name"}</c> in the manifest).
/// </summary>
/// <param name="Name">The snake_case name of a built-in type, or the custom identifier.</param>
/// <param name="IsCustom">Whether the capability is a custom one.</param>
public readonly record struct PluginCapability(string Name, bool IsCustom)
{
    /// <summary>Adds support for a social platform: OAuth, publish, delete, comments, analytics.</summary>
    public static PluginCapability PlatformConnector { get; } = new("platform_connector", false);

    /// <summary>Transforms post content before publishing.</summary>
    public static PluginCapability ContentTransformer { get; } = new("content_transformer", false);

    /// <summary>Compliance and content-safety rules that run before every publish.</summary>
    public static PluginCapability PolicyEvaluator { get; } = new("policy_evaluator", false);

    /// <summary>Enriches or aggregates analytics data.</summary>
    public static PluginCapability AnalyticsProcessor { get; } = new("analytics_processor", false);

    /// <summary>Handles incoming webhooks and routes them to the event bus.</summary>
    public static PluginCapability WebhookHandler { get; } = new("webhook_handler", false);

    /// <summary>The built-in capability types, in the order the manifest documentation lists them.</summary>
    public static IReadOnlyList<PluginCapability> BuiltIn { get; } = [PlatformConnector, ContentTransformer, PolicyEvaluator, AnalyticsProcessor, WebhookHandler];

    /// <summary>The capability a manifest names with <paramref name="name"/>: the built-in type of that name, or a type of the plugin system's own.</summary>
    /// <param name="name">The name as written.</param>
    public static PluginCapability Named(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        foreach (PluginCapability builtIn in BuiltIn)
        {
            if (builtIn.Name == name)
            {
                return builtIn;
            }
        }

        return new PluginCapability(name, false);
    }

    /// <summary>Whether this is one of the five SocialScale types (or a custom one), as SocialScale manifests require.</summary>
    public bool IsSocialScaleType => IsCustom || BuiltIn.Contains(this);

    /// <summary>A custom capability.</summary>
    /// <param name="name">The custom identifier.</param>
    public static PluginCapability Custom(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new PluginCapability(name, true);
    }

    /// <inheritdoc/>
    public override string ToString() => IsCustom ? $"custom({Name})" : Name;
}
