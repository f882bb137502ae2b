using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Airlock.Auditing;
using Spectre.Console;

namespace Airlock.Cli.Commands;

/// <summary><c>airlock audit</c>: the audit log AddAirlock keeps (audit.db), filtered as an administrator would.</summary>
internal static class AuditCommand
{
    public static Command Create(CliContext context)
    {
        var plugin = new Option<string?>("--plugin") { Description = "Only this plugin's records." };
        var since = new Option<string?>("--since") { Description = "Only records from this time: an ISO date or time (2025-01-31, 2025-01-31T12:00Z) or a duration back from now (30m, 12h, 7d)." };
        var json = new Option<bool>("--json") { Description = "Write the records as JSON (one array)." };
        var command = new Command(
            "audit",
            "Show the audit log AddAirlock keeps (audit.db in the data directory): approvals, installs, revocations, and every host call plugins made, allowed or denied.\n\n"
            + "Examples:\n  airlock audit --plugin com.airlock.samples.chirp-c --since 1d\n  airlock audit --json | jq '.[] | select(.allowed == false)'\n\n"
            + "Exit codes: 0 shown, 2 bad --since or unreadable log.")
        {
            plugin,
            since,
            json,
        };
        command.SetAction((parsed, _) =>
        {
            DateTimeOffset? from = parsed.GetValue(since) is { } text ? ParseSince(text, DateTimeOffset.UtcNow) : null;
            using SqliteAuditLog audit = context.OpenAudit(parsed);
            IReadOnlyList<AuditEntry> entries = audit.Query(parsed.GetValue(plugin), from);
            if (parsed.GetValue(json))
            {
                Output.Json(context.Console, new JsonArray([.. entries.Select(e => (JsonNode)new JsonObject
                {
                    ["timestamp"] = e.Timestamp.ToString("O", CultureInfo.InvariantCulture),
                    ["plugin"] = e.PluginId,
                    ["version"] = e.PluginVersion,
                    ["action"] = e.Action,
                    ["target"] = e.Target,
                    ["allowed"] = e.Allowed,
                    ["detail"] = e.Detail,
                    ["count"] = e.Count,
                })]));
                return Task.FromResult(ExitCodes.Ok);
            }

            if (entries.Count == 0)
            {
                context.Console.Out.WriteLine("No audit records" + (parsed.GetValue(plugin) is { } id ? " of " + id : string.Empty) + (from is { } f ? " since " + f.ToString("u", CultureInfo.InvariantCulture) : string.Empty) + ".");
                return Task.FromResult(ExitCodes.Ok);
            }

            Table table = Output.Table("time (UTC)", "plugin", "action", "target", "allowed", "detail");
            foreach (AuditEntry entry in entries)
            {
                table.AddRow(
                    new Text(entry.Timestamp.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)),
                    new Text(entry.PluginId + " " + entry.PluginVersion),
                    new Text(entry.Action + (entry.Count > 1 ? $" x{entry.Count}" : string.Empty)),
                    new Text(entry.Target),
                    new Markup(entry.Allowed ? "[green]yes[/]" : "[red]no[/]"),
                    new Text(entry.Detail ?? string.Empty));
            }

            context.Console.Out.Write(table);
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    /// <summary>An ISO date or time, or a duration back from <paramref name="now"/> (30m, 12h, 7d).</summary>
    public static DateTimeOffset ParseSince(string text, DateTimeOffset now)
    {
        if (text.Length >= 2 && char.IsAsciiDigit(text[0]) && text[^1] is 'm' or 'h' or 'd' && int.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out int amount))
        {
            return now - (text[^1] switch { 'm' => TimeSpan.FromMinutes(amount), 'h' => TimeSpan.FromHours(amount), _ => TimeSpan.FromDays(amount) });
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset at))
        {
            return at;
        }

        throw new CliException(ExitCodes.CouldNot, $"--since '{text}' is neither a date or time (2025-01-31, 2025-01-31T12:00Z) nor a duration back from now (30m, 12h, 7d).");
    }
}
