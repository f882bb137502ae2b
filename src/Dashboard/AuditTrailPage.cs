using System.Globalization;
using Airlock.Auditing;
using Microsoft.AspNetCore.Http;

namespace Airlock.Dashboard;

/// <summary>The audit trail: filters (plugin, time range, action, outcome) and pages, newest first.</summary>
internal static class AuditTrailPage
{
    // datetime-local inputs send minutes or seconds, without an offset: the dashboard shows and reads UTC.
    private static readonly string[] TimeFormats = ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd"];

    public static string Render(DashboardPage page, IAuditLog audit, IQueryCollection query, int pageSize)
    {
        var problems = new List<string>();
        string? plugin = Value(query, "plugin");
        string? action = Value(query, "action");
        string? fromText = Value(query, "from");
        string? toText = Value(query, "to");
        string? outcome = Value(query, "outcome");
        DateTimeOffset? from = Time(fromText, "From", problems);
        DateTimeOffset? to = Time(toText, "To", problems);
        bool? allowed = outcome switch
        {
            null => null,
            "allowed" => true,
            "denied" => false,
            _ => Problem<bool?>(problems, "Outcome must be allowed or denied."),
        };
        int number = 1;
        if (Value(query, "page") is { } pageText && (!int.TryParse(pageText, NumberStyles.None, CultureInfo.InvariantCulture, out number) || number < 1 || number > 1_000_000))
        {
            problems.Add("Page must be a whole number from 1.");
            number = 1;
        }

        AuditPage result = audit.Search(new AuditQuery
        {
            PluginId = plugin,
            Action = action,
            From = from,
            To = to,
            Allowed = allowed,
            Skip = (number - 1) * pageSize,
            Take = pageSize,
        });
        long pages = Math.Max(1, (result.Total + pageSize - 1) / pageSize);

        return page.Render("Audit trail", "audit", html =>
        {
            html.Raw("<section id=\"audit\"><h2>Audit trail</h2><form method=\"get\" class=\"filters\"").Attribute("action", page.BasePath + "/audit").Raw(">");
            Input(html, "plugin", "Plugin", plugin, "text");
            Input(html, "from", "From (UTC)", fromText, "datetime-local");
            Input(html, "to", "To (UTC)", toText, "datetime-local");
            Input(html, "action", "Action", action, "text");
            html.Raw("<label>Outcome <select name=\"outcome\" id=\"filter-outcome\">");
            Option(html, string.Empty, "any", outcome);
            Option(html, "allowed", "allowed", outcome);
            Option(html, "denied", "denied", outcome);
            html.Raw("</select></label><button type=\"submit\" id=\"filter-apply\">Filter</button> <a").Attribute("href", page.BasePath + "/audit").Raw(">Clear</a></form>");
            foreach (string problem in problems)
            {
                html.Element("p", problem, "problem");
            }

            html.Raw("<p class=\"hint\" id=\"audit-count\">").Number(result.Total).Raw(result.Total == 1 ? " entry" : " entries").Raw(", page ").Number(number).Raw(" of ").Number(pages).Raw("</p>");
            html.Raw("<table id=\"audit-table\"><thead><tr><th>Time (UTC)</th><th>Plugin</th><th>Version</th><th>Action</th><th>Outcome</th><th>Target</th><th>Detail</th><th>Count</th></tr></thead><tbody>");
            foreach (AuditEntry entry in result.Entries)
            {
                html.Raw("<tr><td>").Time(entry.Timestamp).Raw("</td>").Element("td", entry.PluginId).Element("td", entry.PluginVersion).Element("td", entry.Action)
                    .Raw("<td>").Element("span", entry.Allowed ? "allowed" : "denied", entry.Allowed ? "outcome allowed" : "outcome denied").Raw("</td>")
                    .Element("td", entry.Target, "target").Element("td", entry.Detail, "detail").Raw("<td>").Number(entry.Count).Raw("</td></tr>");
            }

            html.Raw("</tbody></table><nav class=\"pages\">");
            if (number > 1)
            {
                html.Raw("<a rel=\"prev\" id=\"page-prev\"").Attribute("href", Link(page, query, number - 1)).Raw(">← Newer</a>");
            }

            if (number < pages)
            {
                html.Raw("<a rel=\"next\" id=\"page-next\"").Attribute("href", Link(page, query, number + 1)).Raw(">Older →</a>");
            }

            html.Raw("</nav></section>");
        });
    }

    private static string? Value(IQueryCollection query, string name)
        => query.TryGetValue(name, out Microsoft.Extensions.Primitives.StringValues values) && values.Count > 0 && !string.IsNullOrWhiteSpace(values[0]) ? values[0]!.Trim() : null;

    private static DateTimeOffset? Time(string? text, string label, List<string> problems)
    {
        if (text is null)
        {
            return null;
        }

        if (DateTimeOffset.TryParseExact(text, TimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset time))
        {
            return time;
        }

        problems.Add(label + " must be a date and time such as 2026-12-07T14:30 (UTC).");
        return null;
    }

    private static T? Problem<T>(List<string> problems, string problem)
    {
        problems.Add(problem);
        return default;
    }

    private static void Input(HtmlWriter html, string name, string label, string? value, string type)
        => html.Raw("<label>").Text(label).Raw(" <input").Attribute("type", type).Attribute("name", name).Attribute("id", "filter-" + name).Attribute("value", value)
            .Raw(type == "datetime-local" ? " step=\"1\"" : string.Empty).Raw("></label>");

    private static void Option(HtmlWriter html, string value, string label, string? current)
        => html.Raw("<option").Attribute("value", value).Raw((current ?? string.Empty) == value ? " selected" : string.Empty).Raw(">").Text(label).Raw("</option>");

    // The filters travel on, encoded as query values; the page number changes.
    private static string Link(DashboardPage page, IQueryCollection query, int number)
    {
        var parts = new List<string>();
        foreach (string name in (string[])["plugin", "from", "to", "action", "outcome"])
        {
            if (Value(query, name) is { } value)
            {
                parts.Add(name + "=" + Uri.EscapeDataString(value));
            }
        }

        parts.Add("page=" + number.ToString(CultureInfo.InvariantCulture));
        return page.BasePath + "/audit?" + string.Join('&', parts);
    }
}
