using System.Text.Json;
using Json.Schema;

namespace Airlock.Manifest;

/// <summary>
/// A plugin's configuration checked against the <c>config_schema</c> of its manifest (JSON Schema,
/// through JsonSchema.Net) before the plugin runs, so that a plugin never starts with settings its
/// author said it cannot work with.
/// </summary>
internal static class PluginConfiguration
{
    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    // Each manifest's schema is built in a registry of its own: a schema with an "$id" loaded twice
    // (hot reload, two hosts) must not collide in the library's global registry.
    private static JsonSchema Build(JsonElement schema)
        => JsonSchema.Build(schema, new BuildOptions { SchemaRegistry = new SchemaRegistry() });

    /// <summary>Checks that <paramref name="schema"/> is a schema the validator can use.</summary>
    public static void CheckSchema(JsonElement schema, Func<string, Exception> error)
    {
        try
        {
            _ = Build(schema);
        }
        catch (Exception exception) when (exception is JsonSchemaException or JsonException or ArgumentException or InvalidOperationException or FormatException or KeyNotFoundException)
        {
            throw error($"not a JSON schema the host can use: {exception.Message}");
        }
    }

    /// <summary>
    /// The configuration the plugin runs with: <paramref name="supplied"/> by the application, else the
    /// manifest's <c>config</c>, validated against its <c>config_schema</c> (no configuration is
    /// validated as an empty object, so a schema's <c>required</c> members are enforced).
    /// </summary>
    /// <exception cref="PluginManifestException">The configuration does not match the schema; every violation is named with its JSON Pointer.</exception>
    public static JsonElement? Resolve(PluginManifest manifest, JsonElement? supplied)
    {
        JsonElement? configuration = supplied ?? manifest.Configuration;
        if (manifest.ConfigSchema is not { } schemaElement)
        {
            return configuration?.Clone();
        }

        JsonElement instance = configuration ?? EmptyObject;
        EvaluationResults results = Build(schemaElement).Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid)
        {
            return instance.Clone();
        }

        var problems = new List<string>();
        foreach (EvaluationResults detail in (results.Details ?? []).Prepend(results))
        {
            if (detail.Errors is null)
            {
                continue;
            }

            string at = detail.InstanceLocation.ToString() is { Length: > 0 } pointer ? pointer : "/";
            foreach (KeyValuePair<string, string> error in detail.Errors)
            {
                problems.Add($"{at}: {error.Value} ({error.Key})");
            }
        }

        string source = supplied is not null
            ? "the configuration the application supplied"
            : configuration is not null ? "the manifest's \"config\"" : "no configuration was given, and it";
        string field = supplied is null && configuration is not null ? "config" : "config_schema";
        return problems.Count == 0
            ? throw manifest.Error(field, $"{source} does not match the manifest's config_schema.")
            : throw manifest.Error(field, $"{source} does not match the manifest's config_schema: {string.Join("; ", problems.Distinct(StringComparer.Ordinal))}.");
    }
}
