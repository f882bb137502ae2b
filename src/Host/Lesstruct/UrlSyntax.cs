using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Airlock.Lesstruct;

/// <summary>
/// The checks URL patterns and candidate URLs share: the raw-text checks made before <see cref="Uri"/> gets a chance to
/// repair anything, and the parse into the normalised parts that are compared.
/// </summary>
internal static class UrlSyntax
{
    /// <summary>The normalised parts of an absolute http or https URL.</summary>
    /// <param name="Uri">The parsed URL.</param>
    /// <param name="Scheme">The scheme, lowercase: <c>http</c> or <c>https</c>.</param>
    /// <param name="Host">The host, lowercase, internationalised names in their ASCII (punycode) form.</param>
    /// <param name="Port">The port, with the scheme's default applied.</param>
    /// <param name="PathAndQuery">The canonical path and query (dot segments removed, percent-escapes in uppercase).</param>
    internal readonly record struct Parts(Uri Uri, string Scheme, string Host, int Port, string PathAndQuery)
    {
        /// <summary>The origin as written in messages, such as <c>https://api.example.com</c> or <c>https://api.example.com:8443</c>.</summary>
        public string Origin => Describe(Scheme, Host, Port);
    }

    public static string Describe(string scheme, string host, int port)
    {
        string shownHost = host.Contains(':', StringComparison.Ordinal) ? "[" + host + "]" : host;
        int defaultPort = scheme == Uri.UriSchemeHttps ? 443 : 80;
        return port == defaultPort ? $"{scheme}://{shownHost}" : $"{scheme}://{shownHost}:{port}";
    }

    /// <summary>Refuses backslashes, whitespace, control and invisible formatting characters, which parsers disagree on.</summary>
    /// <returns>The problem, or <see langword="null"/>.</returns>
    public static string? CheckCharacters(string text, string noun)
    {
        foreach (char c in text)
        {
            if (c == '\\')
            {
                return $"{noun} contains a backslash ('\\'); backslashes are refused because parsers disagree on them (write '/').";
            }

            if (char.IsWhiteSpace(c) || char.IsControl(c) || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
            {
                return $"{noun} contains whitespace or a control character (U+{(int)c:X4}); such URLs are refused (percent-encode a space as %20).";
            }
        }

        return null;
    }

    /// <summary>Reads an RFC 3986 scheme (<c>ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"</c>), lowercased.</summary>
    public static bool TryReadScheme(string text, out string scheme)
    {
        scheme = "";
        if (text.Length == 0 || !char.IsAsciiLetter(text[0]))
        {
            return false;
        }

        for (int i = 1; i < text.Length; i++)
        {
            char c = text[i];
            if (c == ':')
            {
                scheme = text[..i].ToLowerInvariant();
                return true;
            }

            if (!char.IsAsciiLetterOrDigit(c) && c is not ('+' or '-' or '.'))
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>The index where the authority that starts at <paramref name="start"/> ends: the first '/', '?' or '#', or the end.</summary>
    public static int AuthorityEnd(string text, int start)
    {
        int end = text.AsSpan(start).IndexOfAny('/', '?', '#');
        return end < 0 ? text.Length : start + end;
    }

    /// <summary>
    /// Whether a path has a segment that a server may take for <c>.</c> or <c>..</c> although <see cref="Uri"/> did not
    /// resolve it: segments are split at '/' and at the encoded slashes <c>%2F</c> and <c>%5C</c>, <c>%2E</c> is read as
    /// '.', and path parameters (<c>..;x</c>) are ignored.
    /// </summary>
    public static bool HasAmbiguousDotSegment(string path)
    {
        string split = path
            .Replace("%2f", "/", StringComparison.OrdinalIgnoreCase)
            .Replace("%5c", "/", StringComparison.OrdinalIgnoreCase);
        foreach (string rawSegment in split.Split('/'))
        {
            string segment = rawSegment;
            int parameters = segment.IndexOf(';', StringComparison.Ordinal);
            if (parameters >= 0)
            {
                segment = segment[..parameters];
            }

            segment = segment.Replace("%2e", ".", StringComparison.OrdinalIgnoreCase);
            if (segment is "." or "..")
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether every '%' is followed by two hexadecimal digits.</summary>
    public static bool HasWellFormedPercentEncoding(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '%' && (i + 2 >= text.Length || !char.IsAsciiHexDigit(text[i + 1]) || !char.IsAsciiHexDigit(text[i + 2])))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Parses an absolute http or https URL into its normalised parts. The caller has already checked the characters
    /// and the scheme. Refuses user information, a missing host, a host ending in a dot and ambiguous dot segments.
    /// </summary>
    public static bool TryParse(string text, string noun, out Parts parts, [NotNullWhen(false)] out string? problem)
    {
        parts = default;
        if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) || uri.Scheme is not ("http" or "https"))
        {
            problem = $"{noun} is not a valid absolute http or https URL.";
            return false;
        }

        string host;
        try
        {
            host = uri.IdnHost.ToLowerInvariant();
        }
        catch (Exception exception) when (exception is UriFormatException or InvalidOperationException or ArgumentException)
        {
            problem = $"{noun} has a host name that cannot be converted to its ASCII form: {exception.Message}";
            return false;
        }

        if (uri.UserInfo.Length > 0)
        {
            problem = $"{noun} has user information (user@ or user:password@ before the host); URLs with user information are refused.";
            return false;
        }

        if (host.Length == 0)
        {
            problem = $"{noun} has no host.";
            return false;
        }

        if (host.EndsWith('.'))
        {
            problem = $"{noun} has the host {host}, which ends with a dot; host names ending with a dot are refused (write {host.TrimEnd('.')}).";
            return false;
        }

        if (HasAmbiguousDotSegment(uri.AbsolutePath))
        {
            problem = $"{noun} has a path ({uri.AbsolutePath}) with an encoded dot segment ('..' or '.' next to %2F, %5C or ';'), which servers may resolve differently; such URLs are refused.";
            return false;
        }

        parts = new Parts(uri, uri.Scheme, host, uri.Port, UppercasePercentEscapes(uri.PathAndQuery));
        problem = null;
        return true;
    }

    /// <summary>
    /// Reads a URL as a request target: the raw-text checks (characters, an http or https scheme followed by '//', no '@'
    /// in the authority) and then <see cref="TryParse"/>. The same checks, with the same messages, as
    /// <see cref="UrlAllowlist.Match(string)"/> makes before it compares.
    /// </summary>
    public static bool TryParseRequestUrl(string text, string noun, out Parts parts, [NotNullWhen(false)] out string? problem)
    {
        parts = default;
        if (text.Length == 0)
        {
            problem = $"{noun} is empty.";
            return false;
        }

        problem = CheckCharacters(text, noun);
        if (problem is not null)
        {
            return false;
        }

        if (!TryReadScheme(text, out string scheme))
        {
            problem = $"{noun} is not absolute; expected an http or https URL such as https://api.example.com/path.";
            return false;
        }

        if (scheme is not ("http" or "https"))
        {
            problem = $"scheme {scheme} is not allowed; only http and https URLs can be requested.";
            return false;
        }

        int authorityStart = scheme.Length + 1;
        if (!text.AsSpan(authorityStart).StartsWith("//", StringComparison.Ordinal))
        {
            problem = $"{noun} is not a valid absolute URL; expected '//' after '{scheme}:'.";
            return false;
        }

        authorityStart += 2;
        if (text.AsSpan(authorityStart, AuthorityEnd(text, authorityStart) - authorityStart).Contains('@'))
        {
            problem = $"{noun} has user information (a '@' before the host); URLs with user information are refused.";
            return false;
        }

        return TryParse(text, noun, out parts, out problem);
    }

    /// <summary>Writes the hexadecimal digits of percent-escapes in uppercase (<c>%2f</c> and <c>%2F</c> are the same octet).</summary>
    private static string UppercasePercentEscapes(string text)
    {
        int percent = text.IndexOf('%', StringComparison.Ordinal);
        if (percent < 0)
        {
            return text;
        }

        var builder = new StringBuilder(text);
        for (int i = percent; i < builder.Length; i++)
        {
            if (builder[i] == '%' && i + 2 < builder.Length && char.IsAsciiHexDigit(builder[i + 1]) && char.IsAsciiHexDigit(builder[i + 2]))
            {
                builder[i + 1] = char.ToUpperInvariant(builder[i + 1]);
                builder[i + 2] = char.ToUpperInvariant(builder[i + 2]);
                i += 2;
            }
        }

        return builder.ToString();
    }
}
