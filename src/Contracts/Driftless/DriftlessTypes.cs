using System.Text.Json;
using System.Text.Json.Serialization;

namespace Airlock.Contracts.Driftless;

/// <summary>One entry of a Driftless registry: a task, facts collector, template extension or log component.</summary>
/// <param name="Name">The name executions call it by.</param>
/// <param name="Type">Its type where the registry has one: <c>apply</c>, <c>facts</c> or <c>logs</c> for tasks, <c>filter</c> or <c>function</c> for template extensions.</param>
/// <param name="Description">What it does.</param>
/// <param name="ConfigSchema">The JSON Schema its configuration must satisfy; the host validates each configuration against it before the plugin runs.</param>
public sealed record DriftlessDefinition(
    string Name,
    string? Type = null,
    string? Description = null,
    JsonElement? ConfigSchema = null)
{
    /// <summary>Members of the definition this contract does not name (such as a template extension's <c>args_schema</c>).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>What a task answered on success.</summary>
/// <param name="Changed">Whether the task changed anything.</param>
/// <param name="Message">A human-readable summary.</param>
public sealed record DriftlessTaskResult(bool? Changed = null, string? Message = null) : IJsonOnDeserialized
{
    /// <summary>The task's other result members (such as <c>content</c> or <c>path</c>).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }

    // The envelope's "status" word is the envelope's, not a result member.
    void IJsonOnDeserialized.OnDeserialized() => Extra?.Remove("status");
}

/// <summary>What a facts collector answered on success.</summary>
/// <param name="Facts">The facts, a JSON object.</param>
public sealed record DriftlessFactsResult(JsonElement Facts);

/// <summary>What a template filter or function answered on success.</summary>
/// <param name="Value">The resulting value.</param>
public sealed record DriftlessValueResult(JsonElement Value);

/// <summary>What a log source answered on success.</summary>
/// <param name="Lines">The raw lines it read.</param>
public sealed record DriftlessLogSourceResult(List<string> Lines);

/// <summary>What a log parser answered on success.</summary>
/// <param name="Entry">The parsed entry.</param>
public sealed record DriftlessLogParseResult(DriftlessLogEntry Entry);

/// <summary>What a log filter answered on success.</summary>
/// <param name="Keep">Whether the entry passes the filter.</param>
public sealed record DriftlessLogFilterResult(bool Keep);

/// <summary>What a log output answered on success.</summary>
/// <param name="Output">The formatted text the host writes.</param>
public sealed record DriftlessLogOutputResult(string Output);

/// <summary>One log entry as Driftless's log components exchange it.</summary>
/// <param name="Message">The message.</param>
/// <param name="Timestamp">When it happened (RFC 3339), if known.</param>
/// <param name="Level">Its level (<c>error</c>, <c>warn</c>, <c>info</c>, <c>debug</c>), if known.</param>
/// <param name="Fields">Other fields.</param>
public sealed record DriftlessLogEntry(
    string Message,
    string? Timestamp = null,
    string? Level = null,
    Dictionary<string, JsonElement>? Fields = null);

/// <summary>JSON metadata for every Driftless payload: snake_case members, nulls omitted when writing.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true)]
[JsonSerializable(typeof(List<DriftlessDefinition>))]
[JsonSerializable(typeof(DriftlessTaskResult))]
[JsonSerializable(typeof(DriftlessFactsResult))]
[JsonSerializable(typeof(DriftlessValueResult))]
[JsonSerializable(typeof(DriftlessLogSourceResult))]
[JsonSerializable(typeof(DriftlessLogParseResult))]
[JsonSerializable(typeof(DriftlessLogFilterResult))]
[JsonSerializable(typeof(DriftlessLogOutputResult))]
[JsonSerializable(typeof(DriftlessLogEntry))]
[JsonSerializable(typeof(JsonElement))]
public sealed partial class DriftlessJsonContext : JsonSerializerContext;
