using System.Text.Json;

namespace Airlock.Manifest;

/// <summary>
/// A plugin's configuration checked against the <c>config_schema</c> of its manifest (JSON Schema,
/// through <see cref="ConfigSchema"/>) before the plugin runs, so that a plugin never starts with settings its
/// author said it cannot work with.
/// </summary>
internal static class PluginConfiguration
{
    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    /// <summary>Checks that <paramref name="schema"/> is a schema the validator can use.</summary>
    public static void CheckSchema(JsonElement schema, Func<string, Exception> error) => _ = Compile(schema, error);

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
        ConfigSchemaResult result = Compile(schemaElement, problem => manifest.Error("config_schema", problem)).Evaluate(instance);
        if (result.Problem is { } problem)
        {
            throw manifest.Error("config_schema", $"the config_schema could not be evaluated: {problem}.");
        }

        if (result.TotalViolations == 0)
        {
            return instance.Clone();
        }

        string source = supplied is not null
            ? "the configuration the application supplied"
            : configuration is not null ? "the manifest's \"config\"" : "no configuration was given, and it";
        string field = supplied is null && configuration is not null ? "config" : "config_schema";
        string more = result.TotalViolations > result.Violations.Count ? $"; and {result.TotalViolations - result.Violations.Count} more" : "";
        throw manifest.Error(field, $"{source} does not match the manifest's config_schema: {string.Join("; ", result.Violations)}{more}.");
    }

    private static ConfigSchema Compile(JsonElement schema, Func<string, Exception> error) =>
        ConfigSchema.TryCompile(schema, ConfigSchemaDialect.V1, out ConfigSchema? compiled, out string? problem)
            ? compiled
            : throw error($"not a JSON schema the host can use: {problem}.");
}
