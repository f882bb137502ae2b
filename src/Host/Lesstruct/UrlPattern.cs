using System.Diagnostics.CodeAnalysis;

namespace Airlock.Lesstruct;

/// <summary>
/// One entry of a <see cref="UrlAllowlist"/>: an absolute <c>http</c> or <c>https</c> URL, optionally ending with a single
/// <c>*</c> placed in the path or query, which makes it a prefix. Without <c>*</c> it matches exactly that URL (same path
/// and query). Read one with <see cref="TryParse"/> or <see cref="Parse"/>.
/// </summary>
/// <remarks>
/// <para>Accepted: <c>https://api.example.com/v1/rates</c>, <c>https://api.example.com/*</c>, <c>https://api.example.com/v1/*</c>,
/// <c>https://api.example.com/v1*</c>, <c>https://api.example.com/search?q=*</c>, <c>http://127.0.0.1:5000/*</c>.</para>
/// <para>Refused: a <c>*</c> in the host or port (<c>https://*.example.com/</c>, <c>https://api.example.com*</c>), anywhere but
/// last (<c>https://api.example.com/*/x</c>) or more than once; regular expressions; other schemes; user information;
/// fragments; dot segments (<c>/v1/../</c>, also percent-encoded); malformed percent-escapes; whitespace, control
/// characters and backslashes; host names ending with a dot.</para>
/// <para>The pattern is normalised the way candidate URLs are: the scheme and host are compared case-insensitively, the host
/// in its ASCII (punycode) form, the port with the scheme's default applied, and the path and query after
/// <see cref="Uri"/>'s canonicalisation.</para>
/// </remarks>
public sealed class UrlPattern : IEquatable<UrlPattern>
{
    private const string Example = "such as https://api.example.com/v1/*";

    private UrlPattern(string text, UrlSyntax.Parts parts, bool isPrefix)
    {
        Text = text;
        Scheme = parts.Scheme;
        Host = parts.Host;
        Port = parts.Port;
        PathAndQuery = parts.PathAndQuery;
        IsPrefix = isPrefix;
    }

    /// <summary>The pattern as written.</summary>
    public string Text { get; }

    /// <summary>The scheme, lowercase: <c>http</c> or <c>https</c>.</summary>
    public string Scheme { get; }

    /// <summary>The host, lowercase; an internationalised name is held in its ASCII (punycode) form.</summary>
    public string Host { get; }

    /// <summary>The port, with the scheme's default (80 or 443) applied.</summary>
    public int Port { get; }

    /// <summary>The canonical path and query, without the trailing <c>*</c> of a prefix pattern.</summary>
    public string PathAndQuery { get; }

    /// <summary>Whether the pattern ended with <c>*</c>: a URL matches when its path and query start with <see cref="PathAndQuery"/>.</summary>
    public bool IsPrefix { get; }

    /// <summary>Reads a pattern.</summary>
    /// <param name="text">The pattern, such as <c>https://api.example.com/v1/*</c>.</param>
    /// <param name="pattern">The pattern, when it is valid.</param>
    /// <param name="problem">What is wrong with it, when it is not: a sentence a manifest author can act on.</param>
    /// <returns>Whether the pattern is valid.</returns>
    public static bool TryParse(string? text, [NotNullWhen(true)] out UrlPattern? pattern, [NotNullWhen(false)] out string? problem)
    {
        pattern = null;
        problem = Check(text, out string? stripped, out bool isPrefix);
        if (problem is not null)
        {
            return false;
        }

        if (!UrlSyntax.TryParse(stripped!, "the pattern", out UrlSyntax.Parts parts, out problem))
        {
            return false;
        }

        pattern = new UrlPattern(text!, parts, isPrefix);
        return true;
    }

    /// <summary>Reads a pattern, throwing when it is not valid.</summary>
    /// <param name="text">The pattern, such as <c>https://api.example.com/v1/*</c>.</param>
    /// <exception cref="ArgumentException">The pattern is not valid; the message says why.</exception>
    public static UrlPattern Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out UrlPattern? pattern, out string? problem)
            ? pattern
            : throw new ArgumentException($"Invalid URL pattern \"{text}\": {problem}", nameof(text));
    }

    /// <summary>Where a normalised URL stops matching this pattern.</summary>
    internal Mismatch Compare(in UrlSyntax.Parts url)
    {
        if (!string.Equals(url.Host, Host, StringComparison.Ordinal))
        {
            return Mismatch.Host;
        }

        if (!string.Equals(url.Scheme, Scheme, StringComparison.Ordinal))
        {
            return Mismatch.Scheme;
        }

        if (url.Port != Port)
        {
            return Mismatch.Port;
        }

        bool pathMatches = IsPrefix
            ? url.PathAndQuery.StartsWith(PathAndQuery, StringComparison.Ordinal)
            : string.Equals(url.PathAndQuery, PathAndQuery, StringComparison.Ordinal);
        return pathMatches ? Mismatch.None : Mismatch.PathAndQuery;
    }

    /// <summary>The origin of the pattern, such as <c>https://api.example.com</c>.</summary>
    internal string Origin => UrlSyntax.Describe(Scheme, Host, Port);

    /// <summary>Two patterns are equal when they match the same URLs: same normalised parts and kind.</summary>
    /// <param name="other">The other pattern.</param>
    public bool Equals(UrlPattern? other) =>
        other is not null
        && Scheme == other.Scheme
        && Host == other.Host
        && Port == other.Port
        && PathAndQuery == other.PathAndQuery
        && IsPrefix == other.IsPrefix;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as UrlPattern);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Scheme, Host, Port, PathAndQuery, IsPrefix);

    /// <summary>The pattern as written.</summary>
    public override string ToString() => Text;

    /// <summary>The checks made on the raw text, before <see cref="Uri"/> parses (and repairs) it.</summary>
    private static string? Check(string? text, out string? stripped, out bool isPrefix)
    {
        stripped = null;
        isPrefix = false;
        if (string.IsNullOrEmpty(text))
        {
            return $"the pattern is empty; expected an http or https URL, {Example}.";
        }

        if (UrlSyntax.CheckCharacters(text, "the pattern") is { } characters)
        {
            return characters;
        }

        if (text[0] == '^' || text[^1] == '$')
        {
            return $"patterns are not regular expressions; write a URL with an optional single trailing '*', {Example}.";
        }

        if (!UrlSyntax.TryReadScheme(text, out string scheme))
        {
            return $"the pattern is not an absolute URL; expected an http or https URL, {Example}.";
        }

        if (scheme is not ("http" or "https"))
        {
            return $"scheme {scheme} is not allowed; a pattern must be an http or https URL.";
        }

        int authorityStart = scheme.Length + 1;
        if (!text.AsSpan(authorityStart).StartsWith("//", StringComparison.Ordinal))
        {
            return $"expected '//' after '{scheme}:'; write the pattern as {scheme}://host/path.";
        }

        authorityStart += 2;
        int authorityEnd = UrlSyntax.AuthorityEnd(text, authorityStart);
        ReadOnlySpan<char> authority = text.AsSpan(authorityStart, authorityEnd - authorityStart);
        if (authority.Contains('@'))
        {
            return "user information (user@ or user:password@ before the host) is not allowed in a pattern.";
        }

        if (authority.Contains('*'))
        {
            return "'*' is not allowed in the host or port; list each host as its own pattern, and end the path with '*' to allow every path (such as https://api.example.com/*).";
        }

        int notUrl = text.AsSpan(authorityEnd).IndexOfAny("|{}^`<>\"[]");
        if (notUrl >= 0 || authority.IndexOfAny("|{}^`<>\"") >= 0)
        {
            char c = notUrl >= 0 ? text[authorityEnd + notUrl] : authority[authority.IndexOfAny("|{}^`<>\"")];
            return $"the pattern contains '{c}', which is not allowed in a URL (percent-encode it); patterns are not regular expressions or globs, {Example}.";
        }

        if (text.Contains('#', StringComparison.Ordinal))
        {
            return "fragments ('#...') are not allowed in a pattern; they are never sent to the server.";
        }

        int star = text.IndexOf('*', StringComparison.Ordinal);
        if (star >= 0)
        {
            if (star != text.Length - 1)
            {
                return $"'*' is only allowed once, as the last character, {Example}; patterns are not regular expressions or globs.";
            }

            if (authorityEnd >= text.Length || text[authorityEnd] != '/')
            {
                return "'*' must be in the path, after the '/' that follows the host (such as https://api.example.com/*).";
            }

            isPrefix = true;
            text = text[..^1];
        }

        if (!UrlSyntax.HasWellFormedPercentEncoding(text))
        {
            return "the pattern has a '%' that is not followed by two hexadecimal digits.";
        }

        int pathEnd = text.IndexOf('?', authorityEnd);
        string path = text[authorityEnd..(pathEnd < 0 ? text.Length : pathEnd)];
        if (UrlSyntax.HasAmbiguousDotSegment(path))
        {
            return "dot segments ('.' or '..', also percent-encoded) are not allowed in a pattern's path.";
        }

        stripped = text;
        return null;
    }

    /// <summary>The first part of a URL that differs from a pattern, in the order they are compared.</summary>
    internal enum Mismatch
    {
        None,
        PathAndQuery,
        Port,
        Scheme,
        Host,
    }
}
