using System.Text.Json;

namespace Airlock.Contracts.Lesstruct;

/// <summary>
/// The content item Lesstruct hooks receive: the eight fields of a post, page or custom type, as
/// camelCase JSON.
/// </summary>
public sealed record ContentItem
{
    /// <summary>The content's id; 0 when it is being created.</summary>
    public long ContentId { get; init; }

    /// <summary>The authenticated user performing the action.</summary>
    public long UserId { get; init; }

    /// <summary>The title.</summary>
    public string Title { get; init; } = string.Empty;

    /// <summary>The body.</summary>
    public string Content { get; init; } = string.Empty;

    /// <summary>The tags.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary><c>draft</c>, <c>published</c>, <c>archived</c> or a custom status.</summary>
    public string Status { get; init; } = "draft";

    /// <summary><c>post</c>, <c>page</c> or a custom type.</summary>
    public string PostType { get; init; } = "post";

    /// <summary>Regular and system custom fields, by name.</summary>
    public IReadOnlyDictionary<string, JsonElement> CustomFields { get; init; } = new Dictionary<string, JsonElement>();
}
