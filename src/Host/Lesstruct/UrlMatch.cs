using System.Diagnostics.CodeAnalysis;

namespace Airlock.Lesstruct;

/// <summary>
/// The answer of <see cref="UrlAllowlist.Match(string)"/>: whether the URL is allowed and, if so, by which pattern and as
/// which normalised <see cref="Uri"/>; if not, why.
/// </summary>
public sealed class UrlMatch
{
    private UrlMatch(Uri? url, UrlPattern? pattern, string? reason)
    {
        IsAllowed = pattern is not null;
        Url = url;
        Pattern = pattern;
        Reason = reason;
    }

    /// <summary>Whether the URL is allowed.</summary>
    [MemberNotNullWhen(true, nameof(Url), nameof(Pattern))]
    [MemberNotNullWhen(false, nameof(Reason))]
    public bool IsAllowed { get; }

    /// <summary>
    /// The URL as parsed and checked, when it could be parsed. Send the request to this <see cref="Uri"/> (not to a
    /// re-parse of the original text), so that what was checked is what is requested.
    /// </summary>
    public Uri? Url { get; }

    /// <summary>The first pattern that matches, when the URL is allowed.</summary>
    public UrlPattern? Pattern { get; }

    /// <summary>Why the URL is refused, when it is: a sentence a plugin author can act on.</summary>
    public string? Reason { get; }

    /// <summary>Describes the answer.</summary>
    public override string ToString() => IsAllowed ? $"allowed by {Pattern}" : $"refused: {Reason}";

    internal static UrlMatch Allowed(Uri url, UrlPattern pattern) => new(url, pattern, null);

    internal static UrlMatch Denied(Uri? url, string reason) => new(url, null, reason);
}
