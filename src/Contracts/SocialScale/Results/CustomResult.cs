using System.Text.Json;
using System.Text.Json.Serialization;

namespace Airlock.Contracts.SocialScale;

/// <summary>The result of <see cref="CustomRequest"/>: whatever fields the action returns.</summary>
public sealed class CustomResult : IJsonOnDeserialized
{
    /// <summary>Every member of the ok response except <c>"status"</c>.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement> Fields { get; set; } = [];

    void IJsonOnDeserialized.OnDeserialized() => Fields.Remove("status");
}
