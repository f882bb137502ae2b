using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace Airlock.Dashboard;

/// <summary>
/// Builds a page. <see cref="Raw"/> takes only the dashboard's own markup; everything else goes through
/// <see cref="Text"/> or <see cref="Attribute"/>, which HTML-encode it: plugin names, versions, log text, URLs and user
/// names are hostile input.
/// </summary>
internal sealed class HtmlWriter
{
    private readonly StringBuilder _html = new(8 * 1024);

    /// <summary>Appends the dashboard's own markup, as is.</summary>
    public HtmlWriter Raw(string markup)
    {
        _html.Append(markup);
        return this;
    }

    /// <summary>Appends text, HTML-encoded.</summary>
    public HtmlWriter Text(string? text)
    {
        if (text is not null)
        {
            _html.Append(HtmlEncoder.Default.Encode(text));
        }

        return this;
    }

    /// <summary>Appends a number in the invariant culture.</summary>
    public HtmlWriter Number(long value)
    {
        _html.Append(value.ToString("N0", CultureInfo.InvariantCulture));
        return this;
    }

    /// <summary>Appends <c> name="value"</c> with the value HTML-encoded (quotes included).</summary>
    public HtmlWriter Attribute(string name, string? value)
    {
        _html.Append(' ').Append(name).Append("=\"").Append(HtmlEncoder.Default.Encode(value ?? string.Empty)).Append('"');
        return this;
    }

    /// <summary>Appends <c>&lt;tag&gt;text&lt;/tag&gt;</c> with the text encoded.</summary>
    public HtmlWriter Element(string tag, string? text, string? cssClass = null)
    {
        _html.Append('<').Append(tag);
        if (cssClass is not null)
        {
            Attribute("class", cssClass);
        }

        _html.Append('>');
        Text(text);
        _html.Append("</").Append(tag).Append('>');
        return this;
    }

    /// <summary>Appends a time as UTC, in a <c>time</c> element.</summary>
    public HtmlWriter Time(DateTimeOffset time)
    {
        _html.Append("<time");
        Attribute("datetime", time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        _html.Append('>');
        Text(time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
        _html.Append("</time>");
        return this;
    }

    /// <inheritdoc/>
    public override string ToString() => _html.ToString();
}
