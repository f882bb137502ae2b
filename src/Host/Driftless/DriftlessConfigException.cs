namespace Airlock.Driftless;

/// <summary>
/// A configuration does not match the <c>config_schema</c> of the Driftless definition it was given to; the plugin was
/// not called. <see cref="Violations"/> lists each violation with its JSON Pointer.
/// </summary>
public sealed class DriftlessConfigException : AirlockException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="pluginId">The plugin whose definition it is.</param>
    /// <param name="kind">The definition's kind.</param>
    /// <param name="definitionName">The definition's name.</param>
    /// <param name="violations">Each violation (at least one).</param>
    /// <param name="totalViolations">How many violations there were in all (<paramref name="violations"/> may list only the first ones).</param>
    public DriftlessConfigException(string pluginId, DriftlessComponentKind kind, string definitionName, IReadOnlyList<DriftlessConfigViolation> violations, int totalViolations)
        : base(pluginId, Format(pluginId, kind, definitionName, violations, totalViolations))
    {
        Kind = kind;
        DefinitionName = definitionName;
        Violations = violations;
        TotalViolations = totalViolations;
    }

    /// <summary>The plugin whose definition it is.</summary>
    public new string PluginId => base.PluginId!;

    /// <summary>The definition's kind.</summary>
    public DriftlessComponentKind Kind { get; }

    /// <summary>The definition's name.</summary>
    public string DefinitionName { get; }

    /// <summary>Each violation, in the order JsonSchema.Net reported them; at most 100.</summary>
    public IReadOnlyList<DriftlessConfigViolation> Violations { get; }

    /// <summary>How many violations there were in all.</summary>
    public int TotalViolations { get; }

    private static string Format(string pluginId, DriftlessComponentKind kind, string definitionName, IReadOnlyList<DriftlessConfigViolation> violations, int totalViolations)
    {
        ArgumentNullException.ThrowIfNull(violations);
        string more = totalViolations > violations.Count ? $"{Environment.NewLine}  - and {totalViolations - violations.Count} more" : "";
        return $"The configuration of {kind.Describe()} '{definitionName}' of plugin '{pluginId}' does not match its config_schema; the plugin was not called:"
            + $"{Environment.NewLine}  - {string.Join(Environment.NewLine + "  - ", violations)}{more}";
    }
}

/// <summary>One way a configuration does not match a Driftless definition's <c>config_schema</c>.</summary>
/// <param name="Path">Where in the configuration, as a JSON Pointer (RFC 6901): empty for the whole configuration, <c>/retries</c> for its member <c>retries</c>.</param>
/// <param name="Keyword">The schema keyword that failed, such as <c>required</c>, <c>type</c> or <c>maximum</c>.</param>
/// <param name="Message">What is wrong, in JsonSchema.Net's words (sanitised: it may quote the plugin's schema).</param>
public sealed record DriftlessConfigViolation(string Path, string Keyword, string Message)
{
    /// <summary>The violation as <c>path: message (keyword)</c>, the whole configuration shown as <c>/</c>.</summary>
    public override string ToString() => $"{(Path.Length > 0 ? Path : "/")}: {Message} ({Keyword})";
}
