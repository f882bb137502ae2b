using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Airlock.Contracts.Lesstruct;

/// <summary>JSON metadata for every Lesstruct payload: camelCase members, nulls omitted when writing.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true)]
[JsonSerializable(typeof(ContentItem))]
[JsonSerializable(typeof(ContentHookResult))]
[JsonSerializable(typeof(PluginLoadedInfo))]
[JsonSerializable(typeof(HostResult<HttpResponseData>))]
[JsonSerializable(typeof(HostResult<DbQueryData>))]
[JsonSerializable(typeof(HostResult<DbExecData>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(JsonNode))]
public sealed partial class LesstructJsonContext : JsonSerializerContext;
