using System.Buffers;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.RegularExpressions;
using Airlock.Runtime;
using Json.Schema;
using Json.Schema.Keywords;
using Draft201909Keywords = Json.Schema.Keywords.Draft201909;
using Draft202012Keywords = Json.Schema.Keywords.Draft202012;

namespace Airlock.Manifest;

/// <summary>The JSON Schema dialect a <see cref="ConfigSchema"/> without <c>$schema</c> is read in.</summary>
internal enum ConfigSchemaDialect
{
    /// <summary>JSON Schema v1 (2026), JsonSchema.Net's default: unknown keywords are errors.</summary>
    V1,

    /// <summary>Draft 2020-12: unknown keywords are annotations.</summary>
    Draft202012,
}

/// <summary>
/// A JSON Schema that came from a plugin, compiled with JsonSchema.Net for validating configurations: the one place
/// Airlock builds and evaluates configuration schemas (<c>plugin.json</c>'s <c>config_schema</c>, Driftless definitions'
/// <c>config_schema</c>). The schema is treated as hostile:
/// <list type="bullet">
/// <item>it may be at most <see cref="MaxDepth"/> levels deep, have at most <see cref="MaxNodes"/> JSON values and
/// <see cref="MaxTextChars"/> characters of strings and names;</item>
/// <item>nothing is ever fetched: a <c>$ref</c> to a document the schema does not contain is an error, whatever
/// <see cref="SchemaRegistry.Global"/> is configured to do;</item>
/// <item><c>$schema</c> may only stand at the root and name a dialect JsonSchema.Net knows (draft-06, draft-07, 2019-09,
/// 2020-12, v1); the schema is built in Airlock's bounded copy of that dialect;</item>
/// <item>in that dialect every <c>pattern</c> and <c>patternProperties</c> expression matches with a
/// <see cref="PatternTimeout"/> and is interpreted, not compiled; one evaluation may follow at most
/// <see cref="MaxReferenceEvaluations"/> references (<c>$ref</c>, <c>$dynamicRef</c>, <c>$recursiveRef</c>), which
/// defeats schemas whose references double at every level, and takes at most <see cref="EvaluationTime"/>.</item>
/// </list>
/// Each schema is built in a registry of its own, so an <c>$id</c> loaded twice (hot reload, two hosts) never collides
/// with another schema.
/// </summary>
internal sealed class ConfigSchema
{
    /// <summary>The deepest nesting of JSON values a schema may have.</summary>
    public const int MaxDepth = 64;

    /// <summary>The most JSON values (objects, arrays, strings, numbers, ...) a schema may have.</summary>
    public const int MaxNodes = 20_000;

    /// <summary>The most characters a schema's strings and property names may have together.</summary>
    public const int MaxTextChars = 256 * 1024;

    /// <summary>The most references one evaluation may follow.</summary>
    public const int MaxReferenceEvaluations = 10_000;

    /// <summary>The most violations a result lists.</summary>
    public const int MaxViolations = 100;

    /// <summary>How long one <c>pattern</c> or <c>patternProperties</c> expression may take to match one string.</summary>
    public static readonly TimeSpan PatternTimeout = TimeSpan.FromMilliseconds(100);

    /// <summary>How long one evaluation may take, checked at every reference and pattern.</summary>
    public static readonly TimeSpan EvaluationTime = TimeSpan.FromSeconds(1);

    private static readonly Dialect BoundedDraft06 = Bound(Dialect.Draft06);
    private static readonly Dialect BoundedDraft07 = Bound(Dialect.Draft07);
    private static readonly Dialect BoundedDraft201909 = Bound(Dialect.Draft201909, new CountedRecursiveRef());
    private static readonly Dialect BoundedDraft202012 = Bound(Dialect.Draft202012, new CountedDynamicRef2020());
    private static readonly Dialect BoundedV1 = Bound(Dialect.V1, new CountedDynamicRef());

    // $schema values without their scheme and empty fragment, so that http/https and a trailing '#' do not matter.
    private static readonly Dictionary<string, Dialect> Dialects = new(StringComparer.Ordinal)
    {
        ["json-schema.org/draft-06/schema"] = BoundedDraft06,
        ["json-schema.org/draft-07/schema"] = BoundedDraft07,
        ["json-schema.org/draft/2019-09/schema"] = BoundedDraft201909,
        ["json-schema.org/draft/2020-12/schema"] = BoundedDraft202012,
        ["json-schema.org/v1"] = BoundedV1,
        ["json-schema.org/v1/2026"] = BoundedV1,
    };

    // Keywords whose value is an object of schemas keyed by names that are not keywords.
    private static readonly HashSet<string> SchemaMaps = new(StringComparer.Ordinal)
    {
        "properties", "patternProperties", "$defs", "definitions", "dependentSchemas", "dependencies",
    };

    // Keywords whose value is data, never a schema.
    private static readonly HashSet<string> DataKeywords = new(StringComparer.Ordinal) { "const", "default", "examples", "enum" };

    [ThreadStatic]
    private static Budget? t_budget;

    private readonly JsonSchema _schema;

    private ConfigSchema(JsonSchema schema)
    {
        _schema = schema;
    }

    /// <summary>Checks and builds a schema.</summary>
    /// <param name="schema">The schema (an object or a boolean).</param>
    /// <param name="defaultDialect">The dialect of a schema without <c>$schema</c>.</param>
    /// <param name="compiled">The schema, ready to evaluate.</param>
    /// <param name="problem">Why the schema cannot be used, as a sentence without a final period.</param>
    /// <returns>Whether the schema can be used.</returns>
    public static bool TryCompile(JsonElement schema, ConfigSchemaDialect defaultDialect, [NotNullWhen(true)] out ConfigSchema? compiled, [NotNullWhen(false)] out string? problem)
    {
        compiled = null;
        if (schema.ValueKind is not (JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False))
        {
            problem = $"a schema is an object or a boolean, not {Describe(schema.ValueKind)}";
            return false;
        }

        var shape = new Shape();
        problem = shape.Walk(schema, depth: 0, isSchema: true, isRoot: true);
        if (problem is not null)
        {
            return false;
        }

        Dialect dialect = defaultDialect == ConfigSchemaDialect.V1 ? BoundedV1 : BoundedDraft202012;
        JsonElement element = schema.Clone();
        if (schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("$schema", out JsonElement declared))
        {
            string? uri = declared.ValueKind == JsonValueKind.String ? declared.GetString() : null;
            if (uri is null || !Dialects.TryGetValue(DialectKey(uri), out Dialect? named))
            {
                problem = $"$schema {(uri is null ? "is not a string" : $"\"{PluginText.Sanitize(uri, 200)}\" is not a dialect the host knows")}; use draft-06, draft-07, 2019-09, 2020-12 or v1 (or leave $schema out)";
                return false;
            }

            dialect = named;
            element = WithoutSchemaKeyword(schema);
        }

        var registry = new SchemaRegistry { Fetch = (uri, _) => throw new RemoteReferenceException(uri) };
        try
        {
            compiled = new ConfigSchema(JsonSchema.Build(element, new BuildOptions { SchemaRegistry = registry, Dialect = dialect }));
            return true;
        }
        catch (RemoteReferenceException exception)
        {
            problem = exception.Message;
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // The schema is the plugin's: whatever the library throws about it is the schema's fault, never the host's.
            problem = PluginText.Sanitize(exception.Message, 500).TrimEnd('.');
        }

        return false;
    }

    /// <summary>Whether <paramref name="schema"/> is within the size and depth bounds (whatever else is wrong with it).</summary>
    public static bool IsWithinSizeBounds(JsonElement schema) =>
        new Shape().Walk(schema, depth: 0, isSchema: false, isRoot: true) is null;

    /// <summary>Evaluates <paramref name="instance"/> against the schema, within the evaluation bounds.</summary>
    /// <param name="instance">The configuration.</param>
    /// <returns>The violations (none when the instance is valid), or the problem that stopped the evaluation.</returns>
    public ConfigSchemaResult Evaluate(JsonElement instance)
    {
        Budget? outer = t_budget;
        t_budget = new Budget(MaxReferenceEvaluations, Stopwatch.GetTimestamp() + (long)(EvaluationTime.TotalSeconds * Stopwatch.Frequency));
        EvaluationResults results;
        try
        {
            results = _schema.Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List });
        }
        catch (RegexMatchTimeoutException exception)
        {
            return ConfigSchemaResult.Failed($"the schema's pattern \"{PluginText.Sanitize(exception.Pattern, 200)}\" took longer than {PatternTimeout.TotalMilliseconds} ms to match a string (catastrophic backtracking)");
        }
        catch (BudgetException exception)
        {
            return ConfigSchemaResult.Failed(exception.Message);
        }
        catch (RemoteReferenceException exception)
        {
            return ConfigSchemaResult.Failed(exception.Message);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            return ConfigSchemaResult.Failed("the schema could not be evaluated: " + PluginText.Sanitize(exception.Message, 500).TrimEnd('.'));
        }
        finally
        {
            t_budget = outer;
        }

        if (results.IsValid)
        {
            return ConfigSchemaResult.Valid;
        }

        var violations = new List<ConfigSchemaViolation>();
        var seen = new HashSet<ConfigSchemaViolation>();
        int total = 0;
        foreach (EvaluationResults detail in (results.Details ?? []).Prepend(results))
        {
            if (detail.Errors is null)
            {
                continue;
            }

            string pointer = PluginText.Sanitize(detail.InstanceLocation.ToString(), 300);
            foreach (KeyValuePair<string, string> error in detail.Errors)
            {
                var violation = new ConfigSchemaViolation(pointer, PluginText.Sanitize(error.Key, 100), PluginText.Sanitize(error.Value, 300));
                if (seen.Add(violation) && ++total <= MaxViolations)
                {
                    violations.Add(violation);
                }
            }
        }

        if (total == 0)
        {
            // Invalid without a message (a false schema reports none in some dialects): still a violation.
            violations.Add(new ConfigSchemaViolation("", "schema", "the value does not match the schema"));
            total = 1;
        }

        return new ConfigSchemaResult(violations, total, null);
    }

    private static Dialect Bound(Dialect dialect, params IKeywordHandler[] references) =>
        dialect.With([new TimedPattern(), new TimedPatternProperties(), new CountedRef(), .. references]);

    private static string DialectKey(string uri)
    {
        string key = uri.Trim();
        foreach (string scheme in (string[])["https://", "http://"])
        {
            if (key.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            {
                key = key[scheme.Length..];
                break;
            }
        }

        return key.TrimEnd('#');
    }

    /// <summary>The root object without its <c>$schema</c> member (the dialect it names is applied through the build options).</summary>
    private static JsonElement WithoutSchemaKeyword(JsonElement schema)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (JsonProperty property in schema.EnumerateObject())
            {
                if (property.Name != "$schema")
                {
                    property.WriteTo(writer);
                }
            }

            writer.WriteEndObject();
        }

        using JsonDocument document = JsonDocument.Parse(buffer.WrittenMemory, new JsonDocumentOptions { MaxDepth = MaxDepth + 2 });
        return document.RootElement.Clone();
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static Regex Timed(string pattern) => new(pattern, RegexOptions.ECMAScript, PatternTimeout);

    private static void Spend(bool reference)
    {
        if (t_budget is not { } budget)
        {
            return;
        }

        if (reference && --budget.ReferencesLeft < 0)
        {
            throw new BudgetException($"evaluating the schema followed more than {MaxReferenceEvaluations} references ($ref, $dynamicRef, $recursiveRef); the schema's references multiply");
        }

        if (Stopwatch.GetTimestamp() > budget.Deadline)
        {
            throw new BudgetException($"evaluating the schema took longer than {EvaluationTime.TotalSeconds} s");
        }
    }

    /// <summary>Counts a schema's values and text and finds a misplaced <c>$schema</c>.</summary>
    private sealed class Shape
    {
        private int _nodes;
        private long _chars;

        public string? Walk(JsonElement value, int depth, bool isSchema, bool isRoot)
        {
            if (depth > MaxDepth)
            {
                return $"the schema is nested more than {MaxDepth} levels deep";
            }

            if (++_nodes > MaxNodes)
            {
                return $"the schema has more than {MaxNodes} JSON values";
            }

            switch (value.ValueKind)
            {
                case JsonValueKind.String:
                    return Text(value.GetString()!.Length);
                case JsonValueKind.Array:
                    foreach (JsonElement item in value.EnumerateArray())
                    {
                        if (Walk(item, depth + 1, isSchema, isRoot: false) is { } problem)
                        {
                            return problem;
                        }
                    }

                    return null;
                case JsonValueKind.Object:
                    foreach (JsonProperty property in value.EnumerateObject())
                    {
                        if (Text(property.Name.Length) is { } tooLong)
                        {
                            return tooLong;
                        }

                        if (isSchema && !isRoot && property.Name == "$schema")
                        {
                            return "$schema may only stand at the schema's root (a schema that changes dialect part-way is not supported)";
                        }

                        string? problem = isSchema && SchemaMaps.Contains(property.Name) && property.Value.ValueKind == JsonValueKind.Object
                            ? WalkMap(property.Value, depth + 1)
                            : Walk(property.Value, depth + 1, isSchema && !DataKeywords.Contains(property.Name), isRoot: false);
                        if (problem is not null)
                        {
                            return problem;
                        }
                    }

                    return null;
                default:
                    return null;
            }
        }

        private string? WalkMap(JsonElement map, int depth)
        {
            if (++_nodes > MaxNodes)
            {
                return $"the schema has more than {MaxNodes} JSON values";
            }

            foreach (JsonProperty entry in map.EnumerateObject())
            {
                if ((Text(entry.Name.Length) ?? Walk(entry.Value, depth + 1, isSchema: true, isRoot: false)) is { } problem)
                {
                    return problem;
                }
            }

            return null;
        }

        private string? Text(int length)
        {
            _chars += length;
            return _chars > MaxTextChars ? $"the schema has more than {MaxTextChars} characters of strings and names" : null;
        }
    }

    private sealed class Budget(int references, long deadline)
    {
        public int ReferencesLeft = references;
        public readonly long Deadline = deadline;
    }

    private sealed class BudgetException(string message) : Exception(message);

    private sealed class RemoteReferenceException(Uri uri)
        : Exception($"the schema refers to \"{PluginText.Sanitize(uri.OriginalString, 200)}\", which it does not contain; the host never fetches schemas, so every $ref must point into the schema itself");

    private sealed class TimedPattern : PatternKeyword
    {
        public override object? ValidateKeywordValue(JsonElement value) =>
            value.ValueKind == JsonValueKind.String ? Timed(value.GetString()!) : base.ValidateKeywordValue(value);

        public override KeywordEvaluation Evaluate(KeywordData keyword, EvaluationContext context)
        {
            Spend(reference: false);
            return base.Evaluate(keyword, context);
        }
    }

    private sealed class TimedPatternProperties : PatternPropertiesKeyword
    {
        public override object? ValidateKeywordValue(JsonElement value)
        {
            if (value.ValueKind != JsonValueKind.Object)
            {
                return base.ValidateKeywordValue(value);
            }

            var patterns = new Dictionary<string, Regex>(StringComparer.Ordinal);
            foreach (JsonProperty property in value.EnumerateObject())
            {
                patterns[property.Name] = Timed(property.Name);
            }

            return patterns;
        }

        public override KeywordEvaluation Evaluate(KeywordData keyword, EvaluationContext context)
        {
            Spend(reference: false);
            return base.Evaluate(keyword, context);
        }
    }

    private sealed class CountedRef : RefKeyword
    {
        public override KeywordEvaluation Evaluate(KeywordData keyword, EvaluationContext context)
        {
            Spend(reference: true);
            return base.Evaluate(keyword, context);
        }
    }

    private sealed class CountedRecursiveRef : Draft201909Keywords.RecursiveRefKeyword
    {
        public override KeywordEvaluation Evaluate(KeywordData keyword, EvaluationContext context)
        {
            Spend(reference: true);
            return base.Evaluate(keyword, context);
        }
    }

    private sealed class CountedDynamicRef2020 : Draft202012Keywords.DynamicRefKeyword
    {
        public override KeywordEvaluation Evaluate(KeywordData keyword, EvaluationContext context)
        {
            Spend(reference: true);
            return base.Evaluate(keyword, context);
        }
    }

    private sealed class CountedDynamicRef : DynamicRefKeyword
    {
        public override KeywordEvaluation Evaluate(KeywordData keyword, EvaluationContext context)
        {
            Spend(reference: true);
            return base.Evaluate(keyword, context);
        }
    }
}

/// <summary>One way a configuration does not match its schema.</summary>
/// <param name="Pointer">Where in the configuration (a JSON Pointer; empty for the whole configuration).</param>
/// <param name="Keyword">The schema keyword that failed (such as <c>required</c>).</param>
/// <param name="Message">JsonSchema.Net's explanation (sanitised).</param>
internal readonly record struct ConfigSchemaViolation(string Pointer, string Keyword, string Message)
{
    /// <summary>The violation as <c>pointer: message (keyword)</c>, the whole configuration shown as <c>/</c>.</summary>
    public override string ToString() => $"{(Pointer.Length > 0 ? Pointer : "/")}: {Message} ({Keyword})";
}

/// <summary>What evaluating a configuration against a <see cref="ConfigSchema"/> found.</summary>
/// <param name="Violations">The violations, at most <see cref="ConfigSchema.MaxViolations"/>; empty exactly when the configuration is valid (or the evaluation failed).</param>
/// <param name="TotalViolations">How many distinct violations there were in all.</param>
/// <param name="Problem">Why the schema could not be evaluated (the schema's fault); <see langword="null"/> when it was.</param>
internal readonly record struct ConfigSchemaResult(IReadOnlyList<ConfigSchemaViolation> Violations, int TotalViolations, string? Problem)
{
    public static ConfigSchemaResult Valid => new([], 0, null);

    public static ConfigSchemaResult Failed(string problem) => new([], 0, problem);
}
