using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace Airlock.Cli;

/// <summary>How commands write results: JSON for scripts, tables for people.</summary>
internal static class Output
{
    private static readonly JsonSerializerOptions Pretty = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes <paramref name="node"/> as indented JSON on standard output, uncoloured.</summary>
    public static void Json(CliConsole console, JsonNode? node)
        => console.Out.Profile.Out.Writer.WriteLine(node is null ? "null" : node.ToJsonString(Pretty));

    /// <summary>Writes a JSON element as indented JSON.</summary>
    public static void Json(CliConsole console, JsonElement element)
        => console.Out.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(element, Pretty));

    /// <summary>A table with plain borders (readable when redirected).</summary>
    public static Table Table(params string[] columns)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (string column in columns)
        {
            table.AddColumn(new TableColumn(Markup.Escape(column)));
        }

        return table;
    }

    /// <summary>Adds a row of plain text cells.</summary>
    public static void Row(Table table, params string[] cells) => table.AddRow([.. cells.Select(c => new Text(c))]);

    /// <summary>A heading line.</summary>
    public static void Heading(CliConsole console, string text) => console.Out.MarkupLine("[bold]" + Markup.Escape(text) + "[/]");

    /// <summary>Bytes as a short human size.</summary>
    public static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:0.#} KiB",
        < 1024L * 1024 * 1024 => $"{bytes / (1024.0 * 1024):0.#} MiB",
        _ => $"{bytes / (1024.0 * 1024 * 1024):0.#} GiB",
    };
}
