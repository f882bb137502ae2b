using System.Globalization;
using Airlock.Security;

namespace Airlock.Dashboard;

/// <summary>The dashboard's front page: live charts, plugins and their state, pending approvals, stored approvals.</summary>
internal static class PluginsPage
{
    public static string Render(DashboardPage page, IReadOnlyList<PluginStatus> plugins, ApprovalQueue? queue, string? notice)
    {
        IReadOnlyList<PendingApproval> pending = queue?.Pending ?? [];
        IReadOnlyList<ApprovalRecord> approved = queue?.Approved ?? [];
        return page.Render("Plugins", "plugins", html =>
        {
            if (notice is not null)
            {
                html.Element("p", notice, "notice");
            }

            html.Raw("<section class=\"charts\" id=\"charts\"").Attribute("data-metrics", page.BasePath + "/api/metrics")
                .Raw("><h2>Calls, errors and denials per plugin</h2><p class=\"hint\" id=\"chart-status\">Waiting for measurements…</p><div id=\"chart-list\" class=\"chart-list\"></div></section>");
            WritePending(page, html, pending, queue is not null);
            WritePlugins(page, html, plugins);
            WriteApproved(page, html, approved);
        });
    }

    private static void WritePending(DashboardPage page, HtmlWriter html, IReadOnlyList<PendingApproval> pending, bool hasQueue)
    {
        html.Raw("<section id=\"pending\"><h2>Pending approvals</h2>");
        if (!hasQueue)
        {
            html.Element("p", "This host decides approvals by its own policy; none wait here. Set AirlockOptions.UseApprovalQueue to decide them in the dashboard.", "hint").Raw("</section>");
            return;
        }

        if (pending.Count == 0)
        {
            html.Element("p", "No plugin waits for approval.", "hint").Raw("</section>");
            return;
        }

        foreach (PendingApproval item in pending)
        {
            ApprovalRequest request = item.Request;
            ApprovalChanges changes = item.Changes;
            html.Raw("<article class=\"request\"").Attribute("data-plugin", request.PluginId).Raw("><h3>").Text(request.PluginName).Raw(" <span class=\"id\">")
                .Text(request.PluginId).Raw("</span> <span class=\"version\">").Text(request.Version).Raw("</span></h3><dl>");
            if (request.Author is not null)
            {
                html.Element("dt", "Author").Element("dd", request.Author);
            }

            html.Element("dt", "Module SHA-256").Raw("<dd><code>").Text(request.ModuleSha256).Raw("</code></dd>")
                .Element("dt", "Asked").Raw("<dd>").Time(item.FirstAskedAt).Raw("</dd>")
                .Element("dt", "Permissions requested").Raw("<dd><ul class=\"permissions\">");
            IReadOnlyList<string> lines = request.Requested.Describe();
            if (lines.Count == 0)
            {
                html.Element("li", "none");
            }

            foreach (string line in lines)
            {
                html.Element("li", line);
            }

            html.Raw("</ul></dd>").Element("dt", "Since the last approval").Raw("<dd><ul class=\"changes\">");
            if (changes.IsFirstApproval)
            {
                html.Element("li", "Never approved before: everything requested is new.", "first");
            }
            else
            {
                if (changes.VersionChanged)
                {
                    html.Raw("<li class=\"changed\">Version ").Text(changes.PreviousVersion).Raw(" → ").Text(request.Version).Raw("</li>");
                }

                if (changes.ModuleChanged)
                {
                    html.Raw("<li class=\"changed\">Module ").Raw("<code>").Text(Short(changes.PreviousModuleSha256)).Raw("</code> → <code>").Text(Short(request.ModuleSha256)).Raw("</code></li>");
                }

                foreach (string added in changes.Added)
                {
                    html.Element("li", "+ " + added, "added");
                }

                foreach (string removed in changes.Removed)
                {
                    html.Element("li", "− " + removed, "removed");
                }

                if (!changes.VersionChanged && !changes.ModuleChanged && changes.Added.Count == 0 && changes.Removed.Count == 0)
                {
                    html.Element("li", "Nothing: the same request as the approval that was revoked.", "same");
                }
            }

            html.Raw("</ul></dd></dl>");
            if (page.IsAdministrator)
            {
                html.Raw("<div class=\"actions\">");
                page.PostButton(html, "/approvals/" + item.Id + "/approve", "Approve", "approve", "approve-" + request.PluginId);
                page.PostButton(html, "/approvals/" + item.Id + "/deny", "Deny", "deny", "deny-" + request.PluginId);
                html.Raw("</div>");
            }

            html.Raw("</article>");
        }

        html.Raw("</section>");
    }

    private static void WritePlugins(DashboardPage page, HtmlWriter html, IReadOnlyList<PluginStatus> plugins)
    {
        html.Raw("<section id=\"plugins\"><h2>Plugins</h2>");
        if (plugins.Count == 0)
        {
            html.Element("p", "The host has reported no plugins yet.", "hint").Raw("</section>");
            return;
        }

        html.Raw("<table><thead><tr><th>Plugin</th><th>Version</th><th>State</th><th>Module SHA-256</th><th>Limits</th><th>Why</th>")
            .Raw(page.IsAdministrator ? "<th></th>" : string.Empty).Raw("</tr></thead><tbody>");
        foreach (PluginStatus plugin in plugins)
        {
            html.Raw("<tr").Attribute("data-plugin", plugin.Id).Raw("><td>");
            if (plugin.Name is not null)
            {
                html.Element("span", plugin.Name, "name").Raw("<br>");
            }

            html.Element("span", plugin.Id, "id").Raw("</td>").Element("td", plugin.Version)
                .Raw("<td>").Element("span", State(plugin.State), "state " + plugin.State.ToString().ToLowerInvariant()).Raw("<br><small>").Time(plugin.Since).Raw("</small></td><td>");
            if (plugin.ModuleSha256 is not null)
            {
                html.Raw("<code").Attribute("title", plugin.ModuleSha256).Raw(">").Text(Short(plugin.ModuleSha256)).Raw("</code>");
            }

            html.Raw("</td>").Element("td", plugin.Limits is { } limits ? Limits(limits) : null).Element("td", plugin.Problem, plugin.State == PluginState.Failed ? "problem" : "why");
            if (page.IsAdministrator)
            {
                html.Raw("<td>");
                if (plugin.State is PluginState.Loaded or PluginState.Failed)
                {
                    page.PostButton(html, "/plugins/" + Uri.EscapeDataString(plugin.Id) + "/revoke", "Revoke", "revoke", "revoke-" + plugin.Id);
                }

                html.Raw("</td>");
            }

            html.Raw("</tr>");
        }

        html.Raw("</tbody></table></section>");
    }

    private static void WriteApproved(DashboardPage page, HtmlWriter html, IReadOnlyList<ApprovalRecord> approved)
    {
        html.Raw("<section id=\"approved\"><h2>Stored approvals</h2>");
        if (approved.Count == 0)
        {
            html.Element("p", "No approvals are stored.", "hint").Raw("</section>");
            return;
        }

        html.Raw("<table><thead><tr><th>Plugin</th><th>Version</th><th>Permissions</th><th>Module SHA-256</th><th>Approved</th><th>By</th>")
            .Raw(page.IsAdministrator ? "<th></th>" : string.Empty).Raw("</tr></thead><tbody>");
        foreach (ApprovalRecord record in approved)
        {
            html.Raw("<tr>").Element("td", record.PluginId).Element("td", record.Version).Element("td", record.Fingerprint.Length == 0 ? "none" : record.Fingerprint.Replace(";", "; ", StringComparison.Ordinal))
                .Raw("<td><code").Attribute("title", record.ModuleSha256).Raw(">").Text(Short(record.ModuleSha256)).Raw("</code></td><td>").Time(record.ApprovedAt).Raw("</td>")
                .Element("td", record.ApprovedBy);
            if (page.IsAdministrator)
            {
                html.Raw("<td>");
                page.PostButton(html, "/plugins/" + Uri.EscapeDataString(record.PluginId) + "/revoke", "Revoke", "revoke", "revoke-approval-" + record.PluginId);
                html.Raw("</td>");
            }

            html.Raw("</tr>");
        }

        html.Raw("</tbody></table></section>");
    }

    private static string State(PluginState state) => state switch
    {
        PluginState.Loaded => "loaded",
        PluginState.AwaitingApproval => "awaiting approval",
        PluginState.Failed => "failed",
        _ => "unloaded",
    };

    private static string Limits(PluginLimits limits)
    {
        string fuel = limits.FuelPerCall is { } budget ? budget.ToString("N0", CultureInfo.InvariantCulture) + " fuel" : "no fuel budget";
        return string.Create(CultureInfo.InvariantCulture, $"{limits.MemoryBytes / (1024 * 1024)} MiB, {limits.Timeout.TotalSeconds:0.###} s, {fuel}, {limits.MaxInstances} instance(s)");
    }

    private static string Short(string? sha256) => sha256 is null or "" ? "(none)" : sha256.Length > 16 ? sha256[..16] + "…" : sha256;
}
