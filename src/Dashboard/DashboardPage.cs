using Microsoft.AspNetCore.Antiforgery;

namespace Airlock.Dashboard;

/// <summary>What every page knows about the request: where the dashboard is mounted, who is signed in, and the form token.</summary>
/// <param name="BasePath">The dashboard's path, for links and form actions (no trailing slash).</param>
/// <param name="UserName">The signed-in user's name.</param>
/// <param name="IsAdministrator">Whether the user may approve, deny and revoke (the buttons are shown only then).</param>
/// <param name="Tokens">The anti-forgery field every form carries.</param>
internal sealed record DashboardPage(string BasePath, string UserName, bool IsAdministrator, AntiforgeryTokenSet Tokens)
{
    /// <summary>Writes the page around <paramref name="body"/>.</summary>
    public string Render(string title, string current, Action<HtmlWriter> body)
    {
        var html = new HtmlWriter();
        html.Raw("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>")
            .Text(title).Raw(" · Airlock</title><link rel=\"stylesheet\"").Attribute("href", BasePath + "/assets/dashboard.css").Raw("><script defer")
            .Attribute("src", BasePath + "/assets/dashboard.js").Raw("></script></head><body><header class=\"top\"><span class=\"brand\">Airlock</span><nav>");
        NavLink(html, "plugins", "Plugins", BasePath + "/", current);
        NavLink(html, "audit", "Audit trail", BasePath + "/audit", current);
        html.Raw("</nav><p class=\"who\">Signed in as <strong id=\"user-name\">").Text(UserName).Raw("</strong> ")
            .Element("span", IsAdministrator ? "administrator" : "read-only", IsAdministrator ? "role admin" : "role viewer")
            .Raw("</p></header><main>");
        body(html);
        html.Raw("</main></body></html>");
        return html.ToString();
    }

    /// <summary>Writes a form that posts to <paramref name="action"/> with the anti-forgery field and one button.</summary>
    public void PostButton(HtmlWriter html, string action, string label, string cssClass, string testId)
    {
        html.Raw("<form method=\"post\" class=\"inline\"").Attribute("action", BasePath + action).Raw("><input type=\"hidden\"")
            .Attribute("name", Tokens.FormFieldName).Attribute("value", Tokens.RequestToken).Raw("><button type=\"submit\"")
            .Attribute("class", cssClass).Attribute("data-test", testId).Raw(">").Text(label).Raw("</button></form>");
    }

    private static void NavLink(HtmlWriter html, string id, string label, string href, string current)
    {
        html.Raw("<a").Attribute("href", href);
        if (id == current)
        {
            html.Raw(" aria-current=\"page\"");
        }

        html.Raw(">").Text(label).Raw("</a>");
    }
}
