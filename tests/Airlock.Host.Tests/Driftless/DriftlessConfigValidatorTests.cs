using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Airlock.Driftless;
using Json.Schema;

namespace Airlock.Host.Tests.Driftless;

/// <summary>Driftless configurations validated against a definition's config_schema before execution, and hostile schemas.</summary>
public sealed class DriftlessConfigValidatorTests
{
    private const string Plugin = "confkit";
    private const string Task = "my_custom_task";

    // The schema of the seed's example task.
    private const string SeedSchema = """{"type": "object", "properties": {"message": {"type": "string"}}, "required": ["message"]}""";

    private const string DeployerSchema = """
        {
          "type": "object",
          "properties": {
            "message": {"type": "string", "minLength": 1},
            "retries": {"type": "integer", "maximum": 5},
            "target": {
              "type": "object",
              "properties": {"port": {"type": "integer", "minimum": 1}, "hosts": {"type": "array", "items": {"type": "string"}}},
              "required": ["port"]
            }
          },
          "required": ["message"],
          "additionalProperties": false
        }
        """;

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    [Fact]
    public void A_valid_configuration_passes()
    {
        var validator = new DriftlessConfigValidator();
        validator.Validate(Plugin, DriftlessComponentKind.Task, Task, Json(SeedSchema), Json("""{"message": "hello"}"""));
        DriftlessConfigValidation result = validator.Check(Plugin, DriftlessComponentKind.Task, Task, Json(DeployerSchema), Json("""{"message": "m", "retries": 5, "target": {"port": 22, "hosts": ["a", "b"]}}"""));
        Assert.True(result.IsValid);
        Assert.Empty(result.Violations);
        Assert.Same(DriftlessConfigValidation.Valid, result);
    }

    [Fact]
    public void Every_violation_is_listed_with_its_json_pointer_and_keyword()
    {
        var validator = new DriftlessConfigValidator();
        JsonElement config = Json("""{"retries": 9, "target": {"port": 0, "hosts": ["a", 7]}, "extra": true}""");
        var error = Assert.Throws<DriftlessConfigException>(() => validator.Validate(Plugin, DriftlessComponentKind.Task, Task, Json(DeployerSchema), config));

        Assert.Equal(Plugin, error.PluginId);
        Assert.Equal(DriftlessComponentKind.Task, error.Kind);
        Assert.Equal(Task, error.DefinitionName);
        Assert.Contains(error.Violations, v => v is { Path: "", Keyword: "required" } && v.Message.Contains("message", StringComparison.Ordinal));
        Assert.Contains(error.Violations, v => v is { Path: "/retries", Keyword: "maximum" });
        Assert.Contains(error.Violations, v => v is { Path: "/target/port", Keyword: "minimum" });
        Assert.Contains(error.Violations, v => v is { Path: "/target/hosts/1", Keyword: "type" });
        Assert.Contains(error.Violations, v => v.Keyword == "additionalProperties" || v.Path == "/extra");
        Assert.Equal(error.Violations.Count, error.TotalViolations);
        Assert.Equal(error.Violations.Count, error.Violations.Distinct().Count());

        Assert.StartsWith($"The configuration of task '{Task}' of plugin '{Plugin}' does not match its config_schema; the plugin was not called:", error.Message, StringComparison.Ordinal);
        Assert.Contains("  - /: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("  - /retries: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("  - /target/port: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("(maximum)", error.Message, StringComparison.Ordinal);

        DriftlessConfigValidation result = validator.Check(Plugin, DriftlessComponentKind.Task, Task, Json(DeployerSchema), config);
        Assert.False(result.IsValid);
        Assert.Equal(error.Violations, result.Violations);
    }

    [Theory]
    [InlineData(DriftlessComponentKind.Task, "task")]
    [InlineData(DriftlessComponentKind.FactsCollector, "facts collector")]
    [InlineData(DriftlessComponentKind.TemplateExtension, "template extension")]
    [InlineData(DriftlessComponentKind.LogSource, "log source")]
    [InlineData(DriftlessComponentKind.LogParser, "log parser")]
    [InlineData(DriftlessComponentKind.LogFilter, "log filter")]
    [InlineData(DriftlessComponentKind.LogOutput, "log output")]
    public void Errors_name_the_kind_of_definition(DriftlessComponentKind kind, string words)
    {
        Assert.Equal(words, kind.Describe());
        var error = Assert.Throws<DriftlessConfigException>(() => new DriftlessConfigValidator().Validate("logkit", kind, "syslog", Json(SeedSchema), Json("{}")));
        Assert.StartsWith($"The configuration of {words} 'syslog' of plugin 'logkit' ", error.Message, StringComparison.Ordinal);
        Assert.Equal(kind, error.Kind);
    }

    [Fact]
    public void A_definition_without_a_schema_accepts_any_configuration()
    {
        var validator = new DriftlessConfigValidator();
        Assert.True(validator.Check(Plugin, DriftlessComponentKind.Task, Task, default, Json("[1, 2]")).IsValid);
        Assert.True(validator.Check(Plugin, DriftlessComponentKind.Task, Task, Json("null"), Json("\"x\"")).IsValid);
        Assert.True(validator.Check(Plugin, DriftlessComponentKind.Task, Task, Json("true"), Json("{}")).IsValid);
        Assert.False(validator.Check(Plugin, DriftlessComponentKind.Task, "never", Json("false"), Json("{}")).IsValid);
    }

    [Fact]
    public void Compiled_schemas_are_cached_per_definition_and_recompiled_when_the_schema_changes()
    {
        var validator = new DriftlessConfigValidator();
        JsonElement ok = Json("""{"message": "x"}""");
        validator.Validate(Plugin, DriftlessComponentKind.Task, Task, Json(SeedSchema), ok);
        validator.Validate(Plugin, DriftlessComponentKind.Task, Task, Json(SeedSchema), ok);
        Assert.Equal(1, validator.CachedSchemas);

        // The same name under another kind, and another plugin, are other definitions.
        validator.Validate(Plugin, DriftlessComponentKind.FactsCollector, Task, Json(SeedSchema), ok);
        validator.Validate("other", DriftlessComponentKind.Task, Task, Json(SeedSchema), ok);
        Assert.Equal(3, validator.CachedSchemas);

        // A reloaded plugin that declares another schema under the same name is validated against the new one.
        const string Stricter = """{"type": "object", "properties": {"message": {"type": "string", "maxLength": 0}}, "required": ["message"]}""";
        var error = Assert.Throws<DriftlessConfigException>(() => validator.Validate(Plugin, DriftlessComponentKind.Task, Task, Json(Stricter), ok));
        Assert.Equal("/message", Assert.Single(error.Violations).Path);
        Assert.Equal(3, validator.CachedSchemas);

        Assert.Equal(2, validator.Forget(Plugin));
        Assert.Equal(1, validator.CachedSchemas);
        Assert.Equal(0, validator.Forget(Plugin));
    }

    [Fact]
    public void A_cached_schema_outlives_the_document_it_came_from()
    {
        var validator = new DriftlessConfigValidator();
        using (JsonDocument schema = JsonDocument.Parse(SeedSchema))
        {
            validator.Validate(Plugin, DriftlessComponentKind.Task, Task, schema.RootElement, Json("""{"message": "x"}"""));
        }

        using JsonDocument again = JsonDocument.Parse(SeedSchema);
        Assert.Throws<DriftlessConfigException>(() => validator.Validate(Plugin, DriftlessComponentKind.Task, Task, again.RootElement, Json("{}")));
    }

    [Fact]
    public void Validation_from_many_threads_at_once_gives_the_same_answers()
    {
        var validator = new DriftlessConfigValidator();
        JsonElement schema = Json(DeployerSchema);
        JsonElement bad = Json("""{"retries": 9, "target": {"port": 0}}""");
        JsonElement good = Json("""{"message": "m"}""");
        Parallel.For(0, 200, i =>
        {
            if (i % 2 == 0)
            {
                validator.Validate(Plugin, DriftlessComponentKind.Task, Task, schema, good);
            }
            else
            {
                Assert.Equal(3, validator.Check(Plugin, DriftlessComponentKind.Task, Task, schema, bad).TotalViolations);
            }
        });
        Assert.Equal(1, validator.CachedSchemas);
    }

    [Fact]
    public void Many_violations_are_listed_up_to_a_hundred_and_counted()
    {
        JsonElement config = Json("[" + string.Join(",", Enumerable.Range(0, 500)) + "]");
        var error = Assert.Throws<DriftlessConfigException>(() => new DriftlessConfigValidator().Validate(Plugin, DriftlessComponentKind.LogParser, "csv", Json("""{"type": "array", "items": {"type": "string"}}"""), config));
        Assert.Equal(100, error.Violations.Count);
        Assert.True(error.TotalViolations >= 500, error.TotalViolations.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains($"  - and {error.TotalViolations - 100} more", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_from_the_schema_and_the_definition_name_is_sanitised()
    {
        JsonElement schema = Json("""{"const": "line\nbreak\u202Eevil"}""");
        var error = Assert.Throws<DriftlessConfigException>(() => new DriftlessConfigValidator().Validate(Plugin, DriftlessComponentKind.Task, "name\nwith\u202Ebreak", schema, Json("\"x\"")));
        Assert.All(error.Violations, v => Assert.DoesNotContain('\n', v.Message));
        Assert.All(error.Violations, v => Assert.DoesNotContain('\u202E', v.Message));
        Assert.Equal("name with\uFFFDbreak", error.DefinitionName);
    }

    [Theory]
    [InlineData("[1, 2]", "a schema is an object or a boolean, not an array")]
    [InlineData("\"object\"", "a schema is an object or a boolean, not a string")]
    [InlineData("42", "a schema is an object or a boolean, not a number")]
    [InlineData("""{"type": "no-such-type"}""", "")]
    [InlineData("""{"type": "object", "required": "message"}""", "")]
    [InlineData("""{"pattern": "(unclosed"}""", "")]
    [InlineData("""{"$ref": "#"}""", "")]
    [InlineData("""{"$ref": "#/$defs/missing"}""", "")]
    [InlineData("""{"$schema": "https://example.com/my-dialect", "type": "object"}""", "$schema \"https://example.com/my-dialect\" is not a dialect the host knows")]
    [InlineData("""{"$schema": 7}""", "$schema is not a string")]
    [InlineData("""{"properties": {"a": {"$schema": "http://json-schema.org/draft-07/schema#"}}}""", "$schema may only stand at the schema's root")]
    [InlineData("""{"$defs": {"x": {"$id": "https://x.example/s", "$schema": "https://json-schema.org/draft/2019-09/schema"}}}""", "$schema may only stand at the schema's root")]
    public void A_schema_that_cannot_be_used_is_a_typed_error_naming_the_plugin_and_definition(string schema, string expected)
    {
        var error = Assert.Throws<DriftlessSchemaException>(() => new DriftlessConfigValidator().Validate(Plugin, DriftlessComponentKind.FactsCollector, "disk", Json(schema), Json("{}")));
        Assert.Equal(Plugin, error.PluginId);
        Assert.Equal(DriftlessComponentKind.FactsCollector, error.Kind);
        Assert.Equal("disk", error.DefinitionName);
        Assert.StartsWith($"The config_schema of facts collector 'disk' of plugin '{Plugin}' cannot be used: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Problem, StringComparison.Ordinal);
        Assert.EndsWith(".", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_schema_that_cannot_be_used_stays_refused_from_the_cache()
    {
        var validator = new DriftlessConfigValidator();
        for (int i = 0; i < 3; i++)
        {
            Assert.Throws<DriftlessSchemaException>(() => validator.Validate(Plugin, DriftlessComponentKind.Task, Task, Json("""{"type": 5}"""), Json("{}")));
        }

        Assert.Equal(1, validator.CachedSchemas);
        validator.Validate(Plugin, DriftlessComponentKind.Task, Task, Json("""{"type": "object"}"""), Json("{}"));
    }

    [Fact]
    public void A_member_named_schema_inside_properties_or_data_is_not_a_dialect_switch()
    {
        JsonElement schema = Json("""
            {
              "properties": {"$schema": {"type": "string"}, "meta": {"const": {"$schema": "anything"}, "default": {"$schema": 1}}},
              "examples": [{"$schema": "x"}]
            }
            """);
        var validator = new DriftlessConfigValidator();
        validator.Validate(Plugin, DriftlessComponentKind.Task, Task, schema, Json("""{"$schema": "s", "meta": {"$schema": "anything"}}"""));
        var error = Assert.Throws<DriftlessConfigException>(() => validator.Validate(Plugin, DriftlessComponentKind.Task, Task, schema, Json("""{"$schema": 1}""")));
        Assert.Equal("/$schema", Assert.Single(error.Violations).Path);
    }

    [Theory]
    [InlineData(64, true)]
    [InlineData(65, false)]
    public void Schemas_may_be_at_most_64_levels_deep(int depth, bool usable)
    {
        // {"not": {"not": ... {} ...}}: depth levels below the root.
        string schema = string.Concat(Enumerable.Repeat("{\"not\":", depth)) + "{}" + new string('}', depth);
        using JsonDocument document = JsonDocument.Parse(schema, new JsonDocumentOptions { MaxDepth = 200 });
        var validator = new DriftlessConfigValidator();
        if (usable)
        {
            validator.Check(Plugin, DriftlessComponentKind.Task, Task, document.RootElement, Json("1"));
        }
        else
        {
            var error = Assert.Throws<DriftlessSchemaException>(() => validator.Check(Plugin, DriftlessComponentKind.Task, Task, document.RootElement, Json("1")));
            Assert.Contains("nested more than 64 levels deep", error.Problem, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Schemas_with_too_many_values_or_too_much_text_are_refused()
    {
        var validator = new DriftlessConfigValidator();
        JsonElement many = Json("{\"enum\": [" + string.Join(",", Enumerable.Range(0, 20_001)) + "]}");
        var error = Assert.Throws<DriftlessSchemaException>(() => validator.Check(Plugin, DriftlessComponentKind.Task, "many", many, Json("1")));
        Assert.Contains("more than 20000 JSON values", error.Problem, StringComparison.Ordinal);

        JsonElement text = Json("{\"description\": \"" + new string('d', 300_000) + "\"}");
        error = Assert.Throws<DriftlessSchemaException>(() => validator.Check(Plugin, DriftlessComponentKind.Task, "text", text, Json("1")));
        Assert.Contains("more than 262144 characters of strings and names", error.Problem, StringComparison.Ordinal);

        JsonElement names = Json("{\"properties\": {" + string.Join(",", Enumerable.Range(0, 200).Select(i => $"\"{i}{new string('n', 2000)}\": true")) + "}}");
        error = Assert.Throws<DriftlessSchemaException>(() => validator.Check(Plugin, DriftlessComponentKind.Task, "names", names, Json("1")));
        Assert.Contains("characters of strings and names", error.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"$ref": "http://127.0.0.1:{port}/schema.json"}""")]
    [InlineData("""{"type": "object", "properties": {"a": {"$ref": "http://127.0.0.1:{port}/a.json#/x"}}}""")]
    [InlineData("""{"$id": "http://127.0.0.1:{port}/root.json", "$ref": "other.json"}""")]
    [InlineData("""{"$schema": "http://json-schema.org/draft-07/schema#", "definitions": {"a": {"$ref": "http://127.0.0.1:{port}/d7.json"}}}""")]
    [InlineData("""{"$schema": "http://127.0.0.1:{port}/meta.json"}""")]
    public void Nothing_is_ever_fetched_for_a_reference_outside_the_schema(string template)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var globalFetches = new List<Uri>();
        Func<Uri, SchemaRegistry, IBaseDocument?> globalFetch = SchemaRegistry.Global.Fetch;
        SchemaRegistry.Global.Fetch = (uri, _) =>
        {
            lock (globalFetches)
            {
                globalFetches.Add(uri);
            }

            return null;
        };
        try
        {
            JsonElement schema = Json(template.Replace("{port}", port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
            var error = Assert.Throws<DriftlessSchemaException>(() => new DriftlessConfigValidator().Validate(Plugin, DriftlessComponentKind.Task, Task, schema, Json("{}")));
            Assert.Contains($"127.0.0.1:{port}", error.Problem, StringComparison.Ordinal);
            Assert.False(listener.Pending(), "the validator connected to the schema's address");
            lock (globalFetches)
            {
                Assert.DoesNotContain(globalFetches, uri => uri.Port == port);
            }
        }
        finally
        {
            SchemaRegistry.Global.Fetch = globalFetch;
        }
    }

    [Fact]
    public void References_inside_the_schema_and_recursive_schemas_work()
    {
        JsonElement schema = Json("""
            {
              "$id": "https://plugins.example/tree.json",
              "$defs": {"node": {"type": "object", "properties": {"name": {"$ref": "name.json"}, "children": {"type": "array", "items": {"$ref": "#/$defs/node"}}}}, "name": {"$id": "name.json", "type": "string"}},
              "$ref": "#/$defs/node"
            }
            """);
        var validator = new DriftlessConfigValidator();
        validator.Validate(Plugin, DriftlessComponentKind.Task, Task, schema, Json("""{"name": "a", "children": [{"name": "b", "children": [{"name": "c"}]}]}"""));
        var error = Assert.Throws<DriftlessConfigException>(() => validator.Validate(Plugin, DriftlessComponentKind.Task, Task, schema, Json("""{"name": "a", "children": [{"name": "b", "children": [{"name": 3}]}]}""")));
        Assert.Contains(error.Violations, v => v.Path == "/children/0/children/0/name");
    }

    [Fact]
    public void The_dialect_named_by_schema_is_the_one_applied()
    {
        // In draft-07 the keywords beside $ref are ignored; from 2019-09 on they apply.
        const string Template = """{"$schema": "{dialect}", "definitions": {"s": {"type": "string"}}, "properties": {"a": {"$ref": "#/definitions/s", "maxLength": 1}}}""";
        JsonElement config = Json("""{"a": "long"}""");
        var validator = new DriftlessConfigValidator();
        Assert.True(validator.Check(Plugin, DriftlessComponentKind.Task, "d7", Json(Template.Replace("{dialect}", "http://json-schema.org/draft-07/schema#", StringComparison.Ordinal)), config).IsValid);
        Assert.True(validator.Check(Plugin, DriftlessComponentKind.Task, "d6", Json(Template.Replace("{dialect}", "http://json-schema.org/draft-06/schema", StringComparison.Ordinal)), config).IsValid);
        Assert.False(validator.Check(Plugin, DriftlessComponentKind.Task, "d2020", Json(Template.Replace("{dialect}", "https://json-schema.org/draft/2020-12/schema", StringComparison.Ordinal)), config).IsValid);
        Assert.False(validator.Check(Plugin, DriftlessComponentKind.Task, "d2019", Json(Template.Replace("{dialect}", "https://json-schema.org/draft/2019-09/schema", StringComparison.Ordinal)), config).IsValid);
        Assert.False(validator.Check(Plugin, DriftlessComponentKind.Task, "default", Json(Template.Replace("\"$schema\": \"{dialect}\", ", "", StringComparison.Ordinal)), config).IsValid);

        // Without $schema, draft 2020-12: unknown keywords are annotations, not errors.
        Assert.True(validator.Check(Plugin, DriftlessComponentKind.Task, "custom", Json("""{"type": "object", "x-ui-widget": "textarea"}"""), Json("{}")).IsValid);
    }

    public static TheoryData<string> Dialects => new()
    {
        "",
        "\"$schema\": \"http://json-schema.org/draft-06/schema#\",",
        "\"$schema\": \"http://json-schema.org/draft-07/schema#\",",
        "\"$schema\": \"https://json-schema.org/draft/2019-09/schema\",",
        "\"$schema\": \"https://json-schema.org/draft/2020-12/schema\",",
        "\"$schema\": \"https://json-schema.org/v1/2026\",",
    };

    [Theory]
    [MemberData(nameof(Dialects))]
    public void A_catastrophic_pattern_is_stopped_in_every_dialect(string dialect)
    {
        // ^(a+)+$ against 40 a's and a '!' backtracks 2^40 times without a bound.
        JsonElement schema = Json("{" + dialect + "\"type\": \"object\", \"properties\": {\"name\": {\"type\": \"string\", \"pattern\": \"^(a+)+$\"}}}");
        JsonElement config = Json("{\"name\": \"" + new string('a', 40) + "!\"}");
        var validator = new DriftlessConfigValidator();
        validator.Validate(Plugin, DriftlessComponentKind.Task, Task, schema, Json("""{"name": "aaaa"}"""));

        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<DriftlessSchemaException>(() => validator.Validate(Plugin, DriftlessComponentKind.Task, Task, schema, config));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed}");
        Assert.Contains("the schema's pattern \"^(a+)+$\" took longer than 100 ms to match a string", error.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Dialects))]
    public void A_catastrophic_pattern_property_is_stopped_in_every_dialect(string dialect)
    {
        JsonElement schema = Json("{" + dialect + "\"type\": \"object\", \"patternProperties\": {\"^(a+)+$\": {\"type\": \"integer\"}}}");
        JsonElement config = Json("{\"" + new string('a', 40) + "!\": 1}");
        var validator = new DriftlessConfigValidator();
        Assert.False(validator.Check(Plugin, DriftlessComponentKind.Task, Task, schema, Json("""{"aaa": "not an integer"}""")).IsValid);

        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<DriftlessSchemaException>(() => validator.Validate(Plugin, DriftlessComponentKind.Task, Task, schema, config));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed}");
        Assert.Contains("took longer than 100 ms to match", error.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Dialects))]
    public void References_that_double_at_every_level_are_stopped_in_every_dialect(string dialect)
    {
        // d0 refers to d1 twice, d1 to d2 twice, ...: 2^40 evaluations of d40 without a bound.
        const int Levels = 40;
        string definitions = dialect.Contains("draft-0", StringComparison.Ordinal) ? "definitions" : "$defs";
        var schema = new StringBuilder("{" + dialect + $"\"{definitions}\": {{");
        for (int i = 0; i < Levels; i++)
        {
            schema.Append(CultureInfoInvariant($"\"d{i}\": {{\"allOf\": [{{\"$ref\": \"#/{definitions}/d{i + 1}\"}}, {{\"$ref\": \"#/{definitions}/d{i + 1}\"}}]}},"));
        }

        schema.Append(CultureInfoInvariant($"\"d{Levels}\": {{\"type\": \"integer\"}}}}, \"allOf\": [{{\"$ref\": \"#/{definitions}/d0\"}}]}}"));
        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<DriftlessSchemaException>(() => new DriftlessConfigValidator().Validate(Plugin, DriftlessComponentKind.Task, Task, Json(schema.ToString()), Json("1")));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        AssertStoppedByABudget(error);
    }

    [Theory]
    [InlineData("https://json-schema.org/draft/2020-12/schema")]
    [InlineData("https://json-schema.org/v1/2026")]
    public void Dynamic_references_that_double_at_every_level_are_stopped(string dialect)
    {
        const int Levels = 40;
        var schema = new StringBuilder($"{{\"$schema\": \"{dialect}\", \"$defs\": {{");
        for (int i = 0; i < Levels; i++)
        {
            schema.Append(CultureInfoInvariant($"\"d{i}\": {{\"$dynamicAnchor\": \"a{i}\", \"allOf\": [{{\"$dynamicRef\": \"#a{i + 1}\"}}, {{\"$dynamicRef\": \"#a{i + 1}\"}}]}},"));
        }

        schema.Append(CultureInfoInvariant($"\"d{Levels}\": {{\"$dynamicAnchor\": \"a{Levels}\", \"type\": \"integer\"}}}}, \"allOf\": [{{\"$dynamicRef\": \"#a0\"}}]}}"));
        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<DriftlessSchemaException>(() => new DriftlessConfigValidator().Validate(Plugin, DriftlessComponentKind.Task, Task, Json(schema.ToString()), Json("1")));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        AssertStoppedByABudget(error);
    }

    [Fact]
    public void Recursive_references_that_double_at_every_level_are_stopped()
    {
        // Draft 2019-09: every level of {"a": {"a": ...}} evaluates the root twice.
        JsonElement schema = Json("""
            {"$schema": "https://json-schema.org/draft/2019-09/schema", "$recursiveAnchor": true,
             "type": "object", "properties": {"a": {"allOf": [{"$recursiveRef": "#"}, {"$recursiveRef": "#"}]}}}
            """);
        const int Depth = 40;
        JsonElement config = Json(string.Concat(Enumerable.Repeat("{\"a\": ", Depth)) + "{}" + new string('}', Depth));
        var validator = new DriftlessConfigValidator();
        validator.Validate(Plugin, DriftlessComponentKind.Task, Task, schema, Json("""{"a": {"a": {}}}"""));

        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<DriftlessSchemaException>(() => validator.Validate(Plugin, DriftlessComponentKind.Task, Task, schema, config));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");

        AssertStoppedByABudget(error);
    }

    // The reference budget stops it; on a machine busy enough that 10,000 references take a second, the time budget does.
    private static void AssertStoppedByABudget(DriftlessSchemaException error)
        => Assert.True(
            error.Problem.Contains("followed more than 10000 references", StringComparison.Ordinal) || error.Problem.Contains("took longer than 1 s", StringComparison.Ordinal),
            error.Problem);

    private static string CultureInfoInvariant(FormattableString text) => FormattableString.Invariant(text);
}
