using System.Text.Json;

namespace Airlock.Services;

/// <summary>An event a plugin emitted (<c>host_emit_event</c>) on the <see cref="PluginEventBus"/>.</summary>
/// <param name="PluginId">The plugin that emitted it, as the host knows it (never taken from the payload).</param>
/// <param name="PluginVersion">That plugin's version.</param>
/// <param name="Timestamp">When the host received it.</param>
/// <param name="Payload">
/// The event itself; the bus accepts only a JSON object. The record keeps its own copy (<see cref="JsonElement.Clone"/>),
/// so it outlives the document or buffer the caller parsed it from.
/// </param>
public sealed record PluginEvent(string PluginId, string PluginVersion, DateTimeOffset Timestamp, JsonElement Payload)
{
    private readonly JsonElement _payload = Own(Payload);

    /// <summary>The event itself, as the record's own copy.</summary>
    public JsonElement Payload
    {
        get => _payload;
        init => _payload = Own(value);
    }

    private static JsonElement Own(JsonElement element) => element.ValueKind == JsonValueKind.Undefined ? element : element.Clone();
}
