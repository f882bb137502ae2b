using System.Collections.Concurrent;
using System.Text.Json;
using Airlock.Manifest;
using Airlock.Runtime;

namespace Airlock.Driftless;

/// <summary>
/// Validates a configuration against the <c>config_schema</c> of a Driftless definition before its <c>execute_*</c> export
/// runs (JSON Schema through JsonSchema.Net). A configuration that does not match is a
/// <see cref="DriftlessConfigException"/> listing every violation with its JSON Pointer; the plugin is not called.
/// </summary>
/// <remarks>
/// <para>Schemas come from plugins and are treated as hostile: at most 64 levels deep, 20 000 JSON values and 256 Ki
/// characters of text; no <c>$ref</c> may leave the schema (nothing is ever fetched); <c>$schema</c> may only stand at
/// the root and name draft-06, draft-07, 2019-09, 2020-12 or v1; a schema without it is read as draft 2020-12; every
/// <c>pattern</c> matches within 100 ms; one validation follows at most 10 000 references and takes at most 1 s. A
/// schema that breaks a bound is a <see cref="DriftlessSchemaException"/>.</para>
/// <para>Compiled schemas are cached per plugin, kind and definition name, and compiled again when the plugin declares a
/// different schema under the same name; <see cref="Forget"/> drops a plugin's schemas when it is unloaded. One
/// validator may be used from any number of threads.</para>
/// </remarks>
public sealed class DriftlessConfigValidator
{
    private readonly ConcurrentDictionary<(string PluginId, DriftlessComponentKind Kind, string Name), Compiled> _cache = new();

    /// <summary>How many schemas are cached.</summary>
    public int CachedSchemas => _cache.Count;

    /// <summary>Validates <paramref name="config"/> against a definition's <paramref name="configSchema"/>.</summary>
    /// <param name="pluginId">The plugin whose definition it is.</param>
    /// <param name="kind">The definition's kind.</param>
    /// <param name="definitionName">The definition's name.</param>
    /// <param name="configSchema">The definition's <c>config_schema</c>; <see cref="JsonValueKind.Undefined"/> or <c>null</c> when it declares none (every configuration is then accepted).</param>
    /// <param name="config">The configuration the plugin would be called with.</param>
    /// <exception cref="DriftlessConfigException">The configuration does not match the schema.</exception>
    /// <exception cref="DriftlessSchemaException">The schema cannot be used.</exception>
    public void Validate(string pluginId, DriftlessComponentKind kind, string definitionName, JsonElement configSchema, JsonElement config)
    {
        DriftlessConfigValidation result = Check(pluginId, kind, definitionName, configSchema, config);
        if (!result.IsValid)
        {
            throw new DriftlessConfigException(pluginId, kind, Shown(definitionName), result.Violations, result.TotalViolations);
        }
    }

    /// <summary>Checks <paramref name="config"/> against a definition's <paramref name="configSchema"/> and returns what is wrong, without throwing for a mismatch.</summary>
    /// <param name="pluginId">The plugin whose definition it is.</param>
    /// <param name="kind">The definition's kind.</param>
    /// <param name="definitionName">The definition's name.</param>
    /// <param name="configSchema">The definition's <c>config_schema</c>; <see cref="JsonValueKind.Undefined"/> or <c>null</c> when it declares none.</param>
    /// <param name="config">The configuration.</param>
    /// <returns>The violations; none when the configuration is valid.</returns>
    /// <exception cref="DriftlessSchemaException">The schema cannot be used.</exception>
    public DriftlessConfigValidation Check(string pluginId, DriftlessComponentKind kind, string definitionName, JsonElement configSchema, JsonElement config)
    {
        ArgumentException.ThrowIfNullOrEmpty(pluginId);
        ArgumentNullException.ThrowIfNull(definitionName);
        if (configSchema.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return DriftlessConfigValidation.Valid;
        }

        if (config.ValueKind == JsonValueKind.Undefined)
        {
            throw new ArgumentException("The configuration is an undefined JsonElement.", nameof(config));
        }

        var key = (pluginId, kind, definitionName);
        if (!_cache.TryGetValue(key, out Compiled? compiled) || compiled.Source is not { } source || !JsonElement.DeepEquals(source, configSchema))
        {
            compiled = Compile(configSchema);
            _cache[key] = compiled;
        }

        if (compiled.Schema is not { } schema)
        {
            throw new DriftlessSchemaException(pluginId, kind, Shown(definitionName), compiled.Problem! + ".");
        }

        ConfigSchemaResult result = schema.Evaluate(config);
        if (result.Problem is { } problem)
        {
            throw new DriftlessSchemaException(pluginId, kind, Shown(definitionName), problem + ".");
        }

        return result.TotalViolations == 0
            ? DriftlessConfigValidation.Valid
            : new DriftlessConfigValidation(result.Violations.Select(v => new DriftlessConfigViolation(v.Pointer, v.Keyword, v.Message)).ToArray(), result.TotalViolations);
    }

    /// <summary>Drops the cached schemas of a plugin (after it is unloaded or reloaded).</summary>
    /// <param name="pluginId">The plugin.</param>
    /// <returns>How many schemas were dropped.</returns>
    public int Forget(string pluginId)
    {
        ArgumentNullException.ThrowIfNull(pluginId);
        int dropped = 0;
        foreach (var key in _cache.Keys)
        {
            if (key.PluginId == pluginId && _cache.TryRemove(key, out _))
            {
                dropped++;
            }
        }

        return dropped;
    }

    private static Compiled Compile(JsonElement configSchema)
    {
        // The source is kept (cloned: the caller's document may be disposed) to notice a changed schema. A schema beyond
        // the size bounds is not kept, only its problem: it is checked again next time, which stops at the bound.
        return ConfigSchema.TryCompile(configSchema, ConfigSchemaDialect.Draft202012, out ConfigSchema? schema, out string? problem)
            ? new Compiled(configSchema.Clone(), schema, null)
            : new Compiled(ConfigSchema.IsWithinSizeBounds(configSchema) ? configSchema.Clone() : null, null, problem);
    }

    private static string Shown(string definitionName) => PluginText.Sanitize(definitionName, 200);

    private sealed record Compiled(JsonElement? Source, ConfigSchema? Schema, string? Problem);
}

/// <summary>What <see cref="DriftlessConfigValidator.Check"/> found.</summary>
/// <param name="Violations">Each violation, at most 100; empty when the configuration is valid.</param>
/// <param name="TotalViolations">How many violations there were in all.</param>
public sealed record DriftlessConfigValidation(IReadOnlyList<DriftlessConfigViolation> Violations, int TotalViolations)
{
    /// <summary>The result for a valid configuration.</summary>
    public static DriftlessConfigValidation Valid { get; } = new([], 0);

    /// <summary>Whether the configuration matches the schema.</summary>
    public bool IsValid => TotalViolations == 0;
}
