using System.Text.Json.Serialization;

namespace Airlock.Contracts.SocialScale;

/// <summary>Fetch account analytics for a time range (<c>"fetch_insights"</c>). Instants are sent as ISO 8601 in UTC.</summary>
/// <param name="Start">The start of the range.</param>
/// <param name="End">The end of the range.</param>
public sealed record FetchInsightsRequest(
    [property: JsonConverter(typeof(Iso8601UtcConverter))] DateTimeOffset Start,
    [property: JsonConverter(typeof(Iso8601UtcConverter))] DateTimeOffset End)
    : PluginRequest, IWasmRequest<FetchInsightsResult>;
