using System.Text.Json;

namespace Airlock.Contracts.Lesstruct;

/// <summary>
/// What a hook returned. Airlock reads back only <see cref="CustomFields"/>, and only from
/// <c>hook_before_save</c>; every other member a plugin writes is ignored.
/// </summary>
public sealed class ContentHookResult
{
    /// <summary>
    /// The custom fields the item should have: they replace the item's custom fields. <see langword="null"/>
    /// (absent or JSON null) leaves them unchanged.
    /// </summary>
    public Dictionary<string, JsonElement>? CustomFields { get; set; }
}
