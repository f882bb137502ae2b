using System.Text;
using System.Text.Json;
using Airlock.Manifest;

namespace Airlock.Host.Tests;

/// <summary>
/// The shared configuration-schema machinery: plugin.json's config_schema gets the same bounds as Driftless definitions'
/// (no fetching, bounded patterns, references and size) and keeps its own default dialect.
/// </summary>
public sealed class ConfigSchemaTests
{
    private const string Manifest = """
        {
          "id": "com.example.schema",
          "version": "1.0.0",
          "wasm_path": "./plugin.wasm",
          "config_schema": SCHEMA
        }
        """;

    private static readonly string ManifestPath = Path.Combine(Path.GetTempPath(), "airlock-tests", "plugin.json");

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    [Theory]
    [InlineData("""{"$ref": "https://schemas.example.com/config.json"}""", "the host never fetches schemas")]
    [InlineData("""{"$schema": "https://schemas.example.com/meta"}""", "is not a dialect the host knows")]
    [InlineData("""{"properties": {"a": {"$schema": "https://json-schema.org/draft/2020-12/schema"}}}""", "$schema may only stand at the schema's root")]
    public void A_manifest_schema_that_would_need_fetching_or_switches_dialect_is_refused_at_its_line(string schema, string expected)
    {
        byte[] json = Encoding.UTF8.GetBytes(Manifest.Replace("SCHEMA", schema, StringComparison.Ordinal));
        var error = Assert.Throws<PluginManifestException>(() => PluginManifest.Parse(json, ManifestPath));
        Assert.Equal("config_schema", error.Field);
        Assert.Equal(5, error.Line);
        Assert.Contains("not a JSON schema the host can use: ", error.Problem, StringComparison.Ordinal);
        Assert.Contains(expected, error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_schema_the_manifest_default_stays_json_schema_v1_and_driftless_reads_2020_12()
    {
        // v1 refuses unknown keywords; 2020-12 keeps them as annotations.
        JsonElement schema = Json("""{"type": "object", "x-widget": "textarea"}""");
        Assert.False(ConfigSchema.TryCompile(schema, ConfigSchemaDialect.V1, out _, out string? problem));
        Assert.Contains("x-widget", problem, StringComparison.Ordinal);
        Assert.True(ConfigSchema.TryCompile(schema, ConfigSchemaDialect.Draft202012, out ConfigSchema? compiled, out _));
        Assert.Empty(compiled.Evaluate(Json("{}")).Violations);
    }

    [Fact]
    public void A_result_lists_violations_with_pointers_and_is_never_invalid_without_one()
    {
        Assert.True(ConfigSchema.TryCompile(Json("""{"properties": {"n": {"maximum": 1}}, "required": ["m"]}"""), ConfigSchemaDialect.V1, out ConfigSchema? schema, out _));
        ConfigSchemaResult result = schema.Evaluate(Json("""{"n": 2}"""));
        Assert.Null(result.Problem);
        Assert.Equal(["/: Required properties [\"m\"] are not present (required)", "/n: 2 should be at most 1 (maximum)"], result.Violations.Select(v => v.ToString()).Order(StringComparer.Ordinal));
        Assert.Equal(2, result.TotalViolations);

        Assert.True(ConfigSchema.TryCompile(Json("false"), ConfigSchemaDialect.V1, out ConfigSchema? never, out _));
        ConfigSchemaViolation violation = Assert.Single(never.Evaluate(Json("{}")).Violations);
        Assert.Equal("", violation.Pointer);
    }

    [Fact]
    public void Size_bounds_are_checked_without_building()
    {
        Assert.True(ConfigSchema.IsWithinSizeBounds(Json("""{"type": "string"}""")));
        Assert.False(ConfigSchema.IsWithinSizeBounds(Json("[" + string.Join(",", Enumerable.Range(0, ConfigSchema.MaxNodes)) + "]")));
    }
}
