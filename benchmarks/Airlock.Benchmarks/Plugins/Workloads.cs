using System.Text.Json;
using Airlock.Contracts.Lesstruct;

namespace Airlock.Benchmarks.Plugins;

/// <summary>The inputs every scenario sends, the same for the generated and the hand-written path.</summary>
public static class Workloads
{
    /// <summary>The text of the publish request (non-ASCII included, sent as UTF-8).</summary>
    public const string PublishText =
        "Airlock benchmarks: publishing a post of about two hundred characters through a real WebAssembly plugin, "
        + "with hashtags and one media URL, to time the JSON round trip. Ünïcödé too ✓";

    /// <summary>The media URLs of the publish request.</summary>
    public static IReadOnlyList<string> MediaUrls { get; } = ["https://cdn.bench.example/media/launch-banner.png"];

    /// <summary>The hashtags of the publish request.</summary>
    public static IReadOnlyList<string> Hashtags { get; } = ["wasm", "dotnet", "airlock", "benchmarks"];

    /// <summary>
    /// A content item of about 1 KB whose custom fields hold words the redact plugin masks, so
    /// <c>hook_before_save</c> answers with a result (as long as the input) rather than "no change".
    /// </summary>
    public static ContentItem ContentItem { get; } = new()
    {
        ContentId = 4242,
        UserId = 7,
        Title = "Release notes: what changed in the content pipeline this week",
        Content = "The content pipeline now validates every item before it is saved, enriches custom fields from "
            + "the rates service, and redacts blocked words in reviewer notes. Saving an item runs each plugin's "
            + "before_save hook in order; a hook that makes no change answers zero and costs nothing more. "
            + "Publishing runs the after_publish hooks, whose results are ignored. Deleting asks every "
            + "before_delete hook first, and any of them may refuse. Plugins run in a sandbox with fuel, a "
            + "deadline and a memory limit, and every host call they make is checked against their manifest.",
        Tags = ["release-notes", "pipeline", "plugins", "wasm"],
        Status = "draft",
        PostType = "post",
        CustomFields = JsonSerializer.Deserialize(
            """{"reviewer_note":"Darn good release, but heck, the changelog is long.","seo_title":"Content pipeline release notes","rating":4,"flags":{"featured":true,"notes":["frak, the build is green","ship it"]}}""",
            LesstructJsonContext.Default.IReadOnlyDictionaryStringJsonElement)!,
    };
}
