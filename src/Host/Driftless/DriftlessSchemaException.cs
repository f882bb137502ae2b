namespace Airlock.Driftless;

/// <summary>
/// The <c>config_schema</c> a Driftless plugin declared for one of its definitions cannot be used: it is not a schema,
/// is too large or too deep, refers to a document outside itself, names an unknown <c>$schema</c>, or its evaluation
/// exceeded the host's bounds. The plugin is at fault, not the configuration; the plugin was not called.
/// </summary>
public sealed class DriftlessSchemaException : AirlockException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="pluginId">The plugin whose definition it is.</param>
    /// <param name="kind">The definition's kind.</param>
    /// <param name="definitionName">The definition's name.</param>
    /// <param name="problem">What is wrong with the schema.</param>
    public DriftlessSchemaException(string pluginId, DriftlessComponentKind kind, string definitionName, string problem)
        : base(pluginId, $"The config_schema of {kind.Describe()} '{definitionName}' of plugin '{pluginId}' cannot be used: {problem}")
    {
        Kind = kind;
        DefinitionName = definitionName;
        Problem = problem;
    }

    /// <summary>The plugin whose definition it is.</summary>
    public new string PluginId => base.PluginId!;

    /// <summary>The definition's kind.</summary>
    public DriftlessComponentKind Kind { get; }

    /// <summary>The definition's name.</summary>
    public string DefinitionName { get; }

    /// <summary>What is wrong with the schema, as a sentence.</summary>
    public string Problem { get; }
}
