using System.Text.Json.Serialization;

namespace Airlock.Abi;

/// <summary>JSON metadata for the few values the ABI layer formats itself.</summary>
[JsonSerializable(typeof(string))]
internal sealed partial class JsonPayloadContext : JsonSerializerContext;
