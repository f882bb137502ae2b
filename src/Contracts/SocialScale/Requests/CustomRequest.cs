using System.Text.Json.Nodes;

namespace Airlock.Contracts.SocialScale;

/// <summary>A plugin-specific action (<c>"custom"</c>).</summary>
/// <param name="Action">The action's name.</param>
/// <param name="Payload">Any JSON the action takes.</param>
public sealed record CustomRequest(string Action, JsonNode? Payload = null) : PluginRequest, IWasmRequest<CustomResult>;
