using System.Text.Json;
using System.Text.Json.Serialization;

namespace Airlock.Contracts.SocialScale;

/// <summary>The fields of an ok response, untyped: what <see cref="ISocialScalePlugin.HandleRequestAsync"/> returns.</summary>
public sealed class PluginResponse : IJsonOnDeserialized
{
    /// <summary>Every member of the ok response except <c>"status"</c>.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement> Fields { get; set; } = [];

    void IJsonOnDeserialized.OnDeserialized() => Fields.Remove("status");
}
