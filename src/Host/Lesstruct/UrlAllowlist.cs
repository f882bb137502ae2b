using System.Diagnostics.CodeAnalysis;
using Airlock.Services;

namespace Airlock.Lesstruct;

/// <summary>
/// A list of <see cref="UrlPattern"/>s that decides which http and https URLs may be requested. A URL is allowed when a
/// pattern matches it; the first matching pattern is reported.
/// </summary>
/// <remarks>
/// <para>The URL is parsed and normalised before it is compared, never compared as raw text: it must be an absolute
/// <c>http</c> or <c>https</c> URL with the pattern's scheme; the host is compared exactly (no suffix matching),
/// case-insensitively, internationalised names in their ASCII (punycode) form; the port after the scheme's default is
/// applied (<c>https://h/</c> is <c>https://h:443/</c>); the path and query after <see cref="Uri"/>'s canonicalisation,
/// which removes dot segments, also percent-encoded ones (<c>/v1/%2e%2e/admin</c> is <c>/admin</c>). A prefix pattern
/// compares the start of the path and query, any other pattern the whole of them. The fragment is not compared.</para>
/// <para>Refused whatever the patterns: other schemes; relative URLs; user information (<c>https://api.example.com@evil.com/</c>);
/// host names ending with a dot (<c>https://api.example.com./</c>); whitespace, control characters and backslashes; and
/// paths with a dot segment that <see cref="Uri"/> leaves but a server may resolve, one next to an encoded slash
/// (<c>%2F</c>, <c>%5C</c>) or a path parameter (<c>/v1/..%2Fadmin</c>, <c>/v1/..;/admin</c>).</para>
/// <para>Check every redirect hop with <see cref="MatchRedirect(Uri, Uri)"/> and send each request to <see cref="UrlMatch.Url"/>.
/// As an <see cref="IPluginUrlPolicy"/>, <see cref="PluginHttpClient"/> does both; the patterns decide the scheme, and
/// which addresses a host may resolve to is still decided when connecting.</para>
/// </remarks>
public sealed class UrlAllowlist : IPluginUrlPolicy
{
    private readonly UrlPattern[] _patterns;

    /// <summary>Creates an allowlist from pattern texts.</summary>
    /// <param name="patterns">The patterns, such as <c>https://api.example.com/v1/*</c>.</param>
    /// <exception cref="ArgumentException">A pattern is not valid; the message names it and says why.</exception>
    public UrlAllowlist(IEnumerable<string> patterns)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        _patterns = patterns.Select(text => UrlPattern.TryParse(text, out UrlPattern? pattern, out string? problem)
            ? pattern
            : throw new ArgumentException($"Invalid URL pattern \"{text}\": {problem}", nameof(patterns))).ToArray();
    }

    /// <summary>Creates an allowlist from parsed patterns.</summary>
    /// <param name="patterns">The patterns, in the order they are tried.</param>
    public UrlAllowlist(IEnumerable<UrlPattern> patterns)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        _patterns = patterns.ToArray();
        if (Array.IndexOf(_patterns, null) >= 0)
        {
            throw new ArgumentException("The patterns contain null.", nameof(patterns));
        }
    }

    /// <summary>An allowlist without patterns: every URL is refused.</summary>
    public static UrlAllowlist Empty { get; } = new(Array.Empty<UrlPattern>());

    /// <summary>The patterns, in the order they are tried.</summary>
    public IReadOnlyList<UrlPattern> Patterns => _patterns;

    /// <summary>Whether there are no patterns (every URL is refused).</summary>
    public bool IsEmpty => _patterns.Length == 0;

    /// <summary>Reads a pattern; the same as <see cref="UrlPattern.TryParse"/>.</summary>
    /// <param name="pattern">The pattern, such as <c>https://api.example.com/v1/*</c>.</param>
    /// <param name="parsed">The pattern, when it is valid.</param>
    /// <param name="problem">What is wrong with it, when it is not.</param>
    /// <returns>Whether the pattern is valid.</returns>
    public static bool TryParsePattern(string? pattern, [NotNullWhen(true)] out UrlPattern? parsed, [NotNullWhen(false)] out string? problem) =>
        UrlPattern.TryParse(pattern, out parsed, out problem);

    /// <summary>Decides whether a URL may be requested.</summary>
    /// <param name="url">The URL as the plugin gave it.</param>
    /// <returns>The answer: the matching pattern and the normalised URL, or why the URL is refused.</returns>
    public UrlMatch Match(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!UrlSyntax.TryParseRequestUrl(url, "the URL", out UrlSyntax.Parts parts, out string? problem))
        {
            return UrlMatch.Denied(null, problem);
        }

        return Match(parts);
    }

    /// <summary>Decides whether a URL may be requested.</summary>
    /// <param name="url">The URL; it must be absolute. Its original text is checked, as <see cref="Match(string)"/> does.</param>
    /// <returns>The answer: the matching pattern and the normalised URL, or why the URL is refused.</returns>
    public UrlMatch Match(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return url.IsAbsoluteUri
            ? Match(url.OriginalString)
            : UrlMatch.Denied(null, "the URL is not absolute; expected an http or https URL such as https://api.example.com/path.");
    }

    /// <summary>
    /// Decides whether a redirect may be followed: the target (the <c>Location</c> header, which may be relative) is
    /// resolved against the URL that was requested and then checked as <see cref="Match(string)"/> does. Call it for every hop.
    /// </summary>
    /// <param name="requestUrl">The absolute URL whose response redirects.</param>
    /// <param name="location">The redirect target, absolute or relative.</param>
    /// <returns>The answer for the resolved target.</returns>
    /// <exception cref="ArgumentException"><paramref name="requestUrl"/> is not absolute.</exception>
    public UrlMatch MatchRedirect(Uri requestUrl, Uri location)
    {
        ArgumentNullException.ThrowIfNull(requestUrl);
        ArgumentNullException.ThrowIfNull(location);
        if (location.IsAbsoluteUri)
        {
            return WithRedirectPrefix(Match(location));
        }

        return MatchRedirect(requestUrl, location.OriginalString);
    }

    /// <summary>
    /// Decides whether a redirect may be followed: the target (the <c>Location</c> header text, which may be relative) is
    /// resolved against the URL that was requested and then checked as <see cref="Match(string)"/> does. Call it for every hop.
    /// </summary>
    /// <param name="requestUrl">The absolute URL whose response redirects.</param>
    /// <param name="location">The redirect target, absolute or relative.</param>
    /// <returns>The answer for the resolved target.</returns>
    /// <exception cref="ArgumentException"><paramref name="requestUrl"/> is not absolute.</exception>
    public UrlMatch MatchRedirect(Uri requestUrl, string location)
    {
        ArgumentNullException.ThrowIfNull(requestUrl);
        ArgumentNullException.ThrowIfNull(location);
        if (!requestUrl.IsAbsoluteUri)
        {
            throw new ArgumentException("The request URL must be absolute.", nameof(requestUrl));
        }

        if (UrlSyntax.CheckCharacters(location, "the redirect target") is { } characters)
        {
            return UrlMatch.Denied(null, "redirect refused: " + characters);
        }

        if (UrlSyntax.TryReadScheme(location, out _))
        {
            return WithRedirectPrefix(Match(location));
        }

        if (!Uri.TryCreate(requestUrl, location, out Uri? target))
        {
            return UrlMatch.Denied(null, $"redirect refused: the redirect target \"{location}\" is not a valid URL.");
        }

        return WithRedirectPrefix(Match(target));
    }

    /// <summary>Always <see langword="true"/>: every pattern names its scheme, so a plain http URL is allowed exactly when a pattern says so.</summary>
    public bool DecidesScheme => true;

    /// <summary>Allows a URL a pattern matches (as <see cref="Match(Uri)"/>); refuses any other with <see cref="PluginHttpErrors.UrlNotAllowed"/>.</summary>
    /// <param name="url">The absolute URL the plugin gave.</param>
    /// <returns>The decision.</returns>
    public PluginUrlDecision Check(Uri url)
    {
        UrlMatch match = Match(url);
        return match.IsAllowed ? PluginUrlDecision.Allowed : PluginUrlDecision.Denied(PluginHttpErrors.UrlNotAllowed, match.Reason);
    }

    /// <summary>Allows a redirect whose resolved target a pattern matches, checked exactly as a first URL is.</summary>
    /// <param name="from">The URL whose response redirected.</param>
    /// <param name="to">The resolved redirect target.</param>
    /// <returns>The decision.</returns>
    public PluginUrlDecision CheckRedirect(Uri from, Uri to)
    {
        ArgumentNullException.ThrowIfNull(from);
        return Check(to);
    }

    private static UrlMatch WithRedirectPrefix(UrlMatch match) =>
        match.IsAllowed ? match : UrlMatch.Denied(match.Url, "redirect refused: " + match.Reason);

    private UrlMatch Match(UrlSyntax.Parts url)
    {
        if (_patterns.Length == 0)
        {
            return UrlMatch.Denied(url.Uri, "no URL is allowed: the allowlist is empty.");
        }

        UrlPattern.Mismatch closest = UrlPattern.Mismatch.Host;
        foreach (UrlPattern pattern in _patterns)
        {
            UrlPattern.Mismatch mismatch = pattern.Compare(url);
            if (mismatch == UrlPattern.Mismatch.None)
            {
                return UrlMatch.Allowed(url.Uri, pattern);
            }

            closest = mismatch < closest ? mismatch : closest;
        }

        string host = url.Host;
        var sameHost = _patterns.Where(p => p.Host == url.Host).ToArray();
        string reason = closest switch
        {
            UrlPattern.Mismatch.Scheme =>
                $"scheme {url.Scheme} is not allowed for host {host}; its patterns use {string.Join(" or ", sameHost.Select(p => p.Scheme).Distinct())}.",
            UrlPattern.Mismatch.Port =>
                $"port {url.Port} is not allowed for {url.Scheme}://{host}; its patterns use port {string.Join(" or ", sameHost.Where(p => p.Scheme == url.Scheme).Select(p => p.Port).Distinct())}.",
            UrlPattern.Mismatch.PathAndQuery =>
                $"no pattern matches the path {url.PathAndQuery} on {url.Origin}; the patterns for it are {string.Join(", ", sameHost.Where(p => p.Scheme == url.Scheme && p.Port == url.Port))}.",
            _ => $"no pattern matches host {host}; the allowed hosts are {string.Join(", ", _patterns.Select(p => p.Host).Distinct())}.",
        };
        return UrlMatch.Denied(url.Uri, reason);
    }
}
