using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;

namespace Airlock.Services;

/// <summary>
/// The network domains a plugin declared (and its user approved): the host names its outbound HTTP requests may reach.
/// Immutable; create one with the constructor, or with <see cref="TryCreate"/> when reading a manifest.
/// </summary>
/// <remarks>
/// <para>Two kinds of entry:</para>
/// <list type="bullet">
/// <item><description>An exact host name, such as <c>api.example.com</c>: allows that host only. It does not allow
/// <c>www.api.example.com</c>, <c>example.com</c>, or look-alikes such as <c>api.example.com.evil.com</c>.</description></item>
/// <item><description>A wildcard <c>*.example.com</c>: allows every subdomain at any depth (<c>a.example.com</c>,
/// <c>a.b.example.com</c>) but <b>not</b> the bare <c>example.com</c>; declare <c>example.com</c> as well to allow it.
/// Look-alikes such as <c>evil-example.com</c> or <c>example.com.evil.com</c> never match. At least two labels must follow
/// <c>*.</c>, so <c>*.com</c> is refused; public suffixes of two labels (<c>*.co.uk</c>) are not detected.</description></item>
/// </list>
/// <para>Entries are normalised before they are stored or compared: lowercase, internationalised names in their ASCII
/// (punycode) form (<c>bücher.example</c> is <c>xn--bcher-kva.example</c>). Refused: schemes, ports, paths, queries, user
/// information, whitespace, a trailing or leading dot, empty labels, labels that are not letters, digits and inner hyphens
/// (so no underscores), a <c>*</c> anywhere but a single leading <c>*.</c>, single-label names (<c>intranet</c>, which
/// resolvers complete with local search domains), <c>localhost</c> names, and IP literals in every form a resolver accepts:
/// <c>127.0.0.1</c>, <c>[::1]</c>, <c>2130706433</c>, <c>0x7f.1</c>, <c>0177.0.0.1</c>, <c>127.1</c>, and any name whose last
/// label is a number (the WHATWG URL rule: such hosts are parsed as IPv4 addresses).</para>
/// <para>The allowlist decides which names may be requested; which addresses those names may resolve to is decided when
/// connecting (see <see cref="PluginHttpClient"/>). As an <see cref="IPluginUrlPolicy"/> it decides by the URL's host
/// only: any path and port; the scheme is the client's rule (<see cref="PluginHttpOptions.AllowHttp"/>).</para>
/// </remarks>
public sealed class DomainAllowlist : IPluginUrlPolicy
{
    private const int MaxListedInReasons = 10;

    private static readonly IdnMapping Idn = new() { UseStd3AsciiRules = true, AllowUnassigned = false };

    private readonly string[] _domains;
    private readonly HashSet<string> _exact;
    private readonly string[] _suffixes;

    /// <summary>Creates an allowlist from the declared domains.</summary>
    /// <param name="domains">Host names (<c>api.example.com</c>) and wildcards (<c>*.example.com</c>).</param>
    /// <exception cref="ArgumentException">An entry is not valid; the message names it and says why.</exception>
    public DomainAllowlist(IEnumerable<string> domains)
        : this(Normalize(domains))
    {
    }

    private DomainAllowlist(string[] normalized)
    {
        _domains = normalized;
        _exact = new HashSet<string>(normalized.Where(d => !d.StartsWith("*.", StringComparison.Ordinal)), StringComparer.Ordinal);
        _suffixes = normalized.Where(d => d.StartsWith("*.", StringComparison.Ordinal)).Select(d => d[1..]).ToArray();
    }

    /// <summary>
    /// What a refusal tells the plugin's author to do, after the reason: where the plugin declares its domains. Default
    /// SocialScale's (<c>required_network_domains</c>, approved by the user); see <see cref="WithDeclarationHint"/>.
    /// </summary>
    public string DeclarationHint { get; private init; } = "Declare the domain in required_network_domains; the user approves it when installing.";

    /// <summary>The same domains, with refusals that point to another place of declaration (such as a Samuel manifest's hosts).</summary>
    /// <param name="hint">A sentence saying where to declare a domain.</param>
    public DomainAllowlist WithDeclarationHint(string hint)
    {
        ArgumentException.ThrowIfNullOrEmpty(hint);
        return new DomainAllowlist(_domains) { DeclarationHint = hint };
    }

    /// <summary>An allowlist without domains: every host is refused.</summary>
    public static DomainAllowlist Empty { get; } = new(Array.Empty<string>());

    /// <summary>The declared domains, normalised (lowercase, punycode), without duplicates, in the order declared.</summary>
    public IReadOnlyList<string> Domains => _domains;

    /// <summary>Whether there are no domains (every host is refused).</summary>
    public bool IsEmpty => _domains.Length == 0;

    /// <summary>Creates an allowlist, reporting the first invalid entry instead of throwing: for manifest readers.</summary>
    /// <param name="domains">Host names (<c>api.example.com</c>) and wildcards (<c>*.example.com</c>).</param>
    /// <param name="allowlist">The allowlist, when every entry is valid.</param>
    /// <param name="problem">What is wrong, naming the entry, when one is not: a sentence a manifest author can act on.</param>
    /// <returns>Whether every entry is valid.</returns>
    public static bool TryCreate(IEnumerable<string?>? domains, [NotNullWhen(true)] out DomainAllowlist? allowlist, [NotNullWhen(false)] out string? problem)
    {
        allowlist = null;
        if (domains is null)
        {
            problem = "the list of domains is missing.";
            return false;
        }

        var normalized = new List<string>();
        foreach (string? domain in domains)
        {
            if (!TryNormalizeDomain(domain, out string? entry, out string? entryProblem))
            {
                problem = $"invalid domain \"{Shown(domain)}\": {entryProblem}";
                return false;
            }

            if (!normalized.Contains(entry, StringComparer.Ordinal))
            {
                normalized.Add(entry);
            }
        }

        allowlist = new DomainAllowlist(normalized.ToArray());
        problem = null;
        return true;
    }

    /// <summary>Checks and normalises one declared domain.</summary>
    /// <param name="domain">A host name (<c>api.example.com</c>) or wildcard (<c>*.example.com</c>).</param>
    /// <param name="normalized">The entry in lowercase, internationalised labels in punycode, when it is valid.</param>
    /// <param name="problem">What is wrong with it, when it is not.</param>
    /// <returns>Whether the entry is valid.</returns>
    public static bool TryNormalizeDomain(string? domain, [NotNullWhen(true)] out string? normalized, [NotNullWhen(false)] out string? problem)
    {
        normalized = null;
        problem = Check(domain, out string? result);
        if (problem is not null)
        {
            return false;
        }

        normalized = result!;
        return true;
    }

    /// <summary>Decides whether a request to <paramref name="host"/> is allowed.</summary>
    /// <param name="host">The host of a parsed URL, as <see cref="Uri.IdnHost"/> gives it (IPv6 with or without brackets).</param>
    /// <param name="reason">Why it is refused, when it is: a sentence naming the host and the declared domains.</param>
    /// <returns>Whether the host is an exact entry or a subdomain of a wildcard entry.</returns>
    public bool IsAllowed(string host, [NotNullWhen(false)] out string? reason)
    {
        ArgumentNullException.ThrowIfNull(host);
        if (IsIpLiteral(host))
        {
            reason = $"{Shown(host)} is an IP address; IP literals are refused; declare a domain and request it by name.";
            return false;
        }

        if (!TryNormalizeHost(host, out string? name, out string? problem))
        {
            reason = problem;
            return false;
        }

        if (_exact.Contains(name))
        {
            reason = null;
            return true;
        }

        foreach (string suffix in _suffixes)
        {
            if (name.Length > suffix.Length && name.EndsWith(suffix, StringComparison.Ordinal))
            {
                reason = null;
                return true;
            }
        }

        if (_domains.Length == 0)
        {
            reason = $"{name} is not allowed: the plugin declared no network domains, so it may not make HTTP requests.";
            return false;
        }

        string listed = string.Join(", ", _domains.Take(MaxListedInReasons)) + (_domains.Length > MaxListedInReasons ? $" and {_domains.Length - MaxListedInReasons} more" : "");
        reason = $"{name} is not among the plugin's declared network domains ({listed}).";
        if (_suffixes.Contains("." + name, StringComparer.Ordinal))
        {
            reason += $" *.{name} covers subdomains only, not {name} itself; declare {name} as well.";
        }

        return false;
    }

    /// <summary>Always <see langword="false"/>: domains do not name a scheme, so plain http is the client's decision (<see cref="PluginHttpOptions.AllowHttp"/>).</summary>
    public bool DecidesScheme => false;

    /// <summary>
    /// Allows a URL whose host is a declared domain. Refuses an IP literal host with <see cref="PluginHttpErrors.IpLiteral"/>
    /// and any other host with <see cref="PluginHttpErrors.DomainNotAllowed"/>.
    /// </summary>
    /// <param name="url">The absolute URL the plugin gave.</param>
    /// <returns>The decision.</returns>
    public PluginUrlDecision Check(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        string host = url.IdnHost;
        if (IsIpLiteral(host))
        {
            return PluginUrlDecision.Denied(PluginHttpErrors.IpLiteral, "its host is an IP address; IP literals are refused; declare a domain and request it by name.");
        }

        return IsAllowed(host, out string? reason)
            ? PluginUrlDecision.Allowed
            : PluginUrlDecision.Denied(PluginHttpErrors.DomainNotAllowed, reason + " " + DeclarationHint);
    }

    /// <summary>Allows a redirect whose target's host is a declared domain (never an IP literal), whatever it came from.</summary>
    /// <param name="from">The URL whose response redirected.</param>
    /// <param name="to">The resolved redirect target.</param>
    /// <returns>The decision.</returns>
    public PluginUrlDecision CheckRedirect(Uri from, Uri to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        string host = to.IdnHost;
        if (IsIpLiteral(host))
        {
            return PluginUrlDecision.Denied(PluginHttpErrors.IpLiteral, "its host is an IP address; IP literals are refused.");
        }

        return IsAllowed(host, out string? reason) ? PluginUrlDecision.Allowed : PluginUrlDecision.Denied(PluginHttpErrors.DomainNotAllowed, reason);
    }

    /// <summary>The declared domains, comma-separated.</summary>
    public override string ToString() => string.Join(", ", _domains);

    /// <summary>
    /// Whether a host is an IP address in any form: IPv6 (with or without brackets), dotted IPv4, and what resolvers read as
    /// IPv4 (<c>2130706433</c>, <c>0x7f.1</c>, <c>127.1</c>, any name whose last label is a decimal or <c>0x</c> number).
    /// </summary>
    internal static bool IsIpLiteral(string host)
    {
        string bare = host.Length >= 2 && host[0] == '[' && host[^1] == ']' ? host[1..^1] : host;
        return bare.Contains(':', StringComparison.Ordinal)
            ? IPAddress.TryParse(bare, out _)
            : IPAddress.TryParse(bare, out _) || EndsInNumber(bare);
    }

    /// <summary>Normalises a host from a URL for comparison: lowercase, punycode; refuses malformed names.</summary>
    internal static bool TryNormalizeHost(string host, [NotNullWhen(true)] out string? normalized, [NotNullWhen(false)] out string? problem)
    {
        normalized = null;
        if (host.Length == 0)
        {
            problem = "the URL has no host.";
            return false;
        }

        string name = host.ToLowerInvariant();
        if (!System.Text.Ascii.IsValid(name))
        {
            try
            {
                name = Idn.GetAscii(name).ToLowerInvariant();
            }
            catch (ArgumentException)
            {
                problem = $"{Shown(host)} is not a valid host name.";
                return false;
            }
        }

        if (name.EndsWith('.'))
        {
            problem = $"{Shown(host)} ends with a dot; host names ending with a dot are refused (write {Shown(host.TrimEnd('.'))}).";
            return false;
        }

        if (name.StartsWith('.') || name.Contains("..", StringComparison.Ordinal) || name.AsSpan().IndexOfAny(":/@[]") >= 0)
        {
            problem = $"{Shown(host)} is not a valid host name.";
            return false;
        }

        normalized = name;
        problem = null;
        return true;
    }

    private static string[] Normalize(IEnumerable<string> domains)
    {
        ArgumentNullException.ThrowIfNull(domains);
        return TryCreate(domains, out DomainAllowlist? allowlist, out string? problem)
            ? allowlist._domains
            : throw new ArgumentException(char.ToUpperInvariant(problem[0]) + problem[1..], nameof(domains));
    }

    private static string? Check(string? text, out string? normalized)
    {
        normalized = null;
        const string Example = "such as api.example.com or *.example.com";
        if (string.IsNullOrEmpty(text))
        {
            return $"the domain is empty; declare a host name, {Example}.";
        }

        foreach (char c in text)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c) || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
            {
                return $"it contains whitespace or a control character (U+{(int)c:X4}); declare the bare host name, {Example}.";
            }
        }

        int schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd >= 0)
        {
            string suggestion = Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) && uri.Host.Length > 0 ? $" (write {uri.Host})" : "";
            return $"declare the host name only, without a scheme{suggestion}; the scheme is not part of a domain declaration.";
        }

        if (text.Contains('@', StringComparison.Ordinal))
        {
            return $"user information ('@') is not allowed; declare the host name only, {Example}.";
        }

        if (text.AsSpan().IndexOfAny('/', '\\') >= 0)
        {
            return $"paths are not allowed; declare the host name only, {Example} (every path of an allowed host may be requested).";
        }

        if (text.AsSpan().IndexOfAny('?', '#') >= 0)
        {
            return $"queries and fragments are not allowed; declare the host name only, {Example}.";
        }

        if (text[0] == '[' || IsIpLiteral(text))
        {
            return $"{IpDescription(text)}; IP literals are refused; declare a domain name, {Example}.";
        }

        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            return IsIpLiteral(text[..colon])
                ? $"{IpDescription(text[..colon])}; IP literals are refused; declare a domain name, {Example}."
                : $"ports are not allowed; declare the host name only (write {Shown(text[..colon])}); any port of an allowed host may be requested.";
        }

        bool wildcard = text.StartsWith("*.", StringComparison.Ordinal);
        string name = wildcard ? text[2..] : text;
        if (name.Contains('*', StringComparison.Ordinal) || text == "*")
        {
            return "the only wildcard allowed is a single leading '*.', as in *.example.com (which allows every subdomain of example.com); patterns, regular expressions and other wildcards are not.";
        }

        if (name.EndsWith('.'))
        {
            return $"it ends with a dot; host names ending with a dot are refused (write {Shown((wildcard ? "*." : "") + name.TrimEnd('.'))}).";
        }

        if (name.StartsWith('.'))
        {
            string bare = name.TrimStart('.');
            return $"it starts with a dot; write *.{Shown(bare)} to allow its subdomains, or {Shown(bare)} for the domain itself.";
        }

        if (name.Contains("..", StringComparison.Ordinal) || name.Length == 0)
        {
            return "it has an empty label ('..'); write a host name such as api.example.com.";
        }

        string ascii = name.ToLowerInvariant();
        if (!System.Text.Ascii.IsValid(ascii))
        {
            try
            {
                ascii = Idn.GetAscii(ascii).ToLowerInvariant();
            }
            catch (ArgumentException)
            {
                return "it is not a valid internationalised domain name.";
            }

            if (ascii.EndsWith('.') || ascii.Contains("..", StringComparison.Ordinal) || ascii.StartsWith('.'))
            {
                return $"it maps to {Shown(ascii)}, which has an empty label; write a host name such as api.example.com.";
            }
        }

        if (EndsInNumber(ascii))
        {
            return $"{IpDescription(ascii)}; IP literals are refused; declare a domain name, {Example}.";
        }

        if (ascii.Length > 253)
        {
            return "it is longer than 253 characters, the most a DNS name can have.";
        }

        string[] labels = ascii.Split('.');
        foreach (string label in labels)
        {
            if (LabelProblem(label) is { } labelProblem)
            {
                return labelProblem;
            }
        }

        if (wildcard && labels.Length < 2)
        {
            return $"*.{ascii} would allow every name under the top-level domain {ascii}; a wildcard needs at least two labels after '*.' (such as *.example.{ascii}).";
        }

        if (!wildcard && labels.Length < 2)
        {
            return $"{ascii} is a single-label name, which resolvers complete with local search domains; declare a fully qualified name such as api.example.com.";
        }

        if (ascii == "localhost" || ascii.EndsWith(".localhost", StringComparison.Ordinal))
        {
            return "localhost names always resolve to this machine; they are refused.";
        }

        normalized = wildcard ? "*." + ascii : ascii;
        return null;
    }

    private static string? LabelProblem(string label)
    {
        if (label.Length > 63)
        {
            return $"the label {Shown(label)} is longer than 63 characters, the most a DNS label can have.";
        }

        foreach (char c in label)
        {
            if (!char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c) && c != '-')
            {
                return $"it contains '{c}'; a host name may contain only letters, digits, hyphens and dots (internationalised names are allowed).";
            }
        }

        if (label[0] == '-' || label[^1] == '-')
        {
            return $"the label {Shown(label)} starts or ends with a hyphen, which host names may not.";
        }

        if (label.StartsWith("xn--", StringComparison.Ordinal))
        {
            try
            {
                _ = Idn.GetUnicode(label);
            }
            catch (ArgumentException)
            {
                return $"the label {Shown(label)} is not valid punycode.";
            }
        }

        return null;
    }

    // The WHATWG URL standard's "ends in a number": hosts whose last label is a decimal or 0x number are parsed as IPv4.
    private static bool EndsInNumber(string host)
    {
        string trimmed = host.EndsWith('.') ? host[..^1] : host;
        string last = trimmed[(trimmed.LastIndexOf('.') + 1)..];
        if (last.Length == 0)
        {
            return false;
        }

        if (last.All(char.IsAsciiDigit))
        {
            return true;
        }

        return last.Length >= 2 && last[0] == '0' && last[1] is ('x' or 'X') && !last.AsSpan(2).ContainsAnyExcept("0123456789abcdefABCDEF");
    }

    private static string IpDescription(string text)
    {
        string bare = text.Length >= 2 && text[0] == '[' && text[^1] == ']' ? text[1..^1] : text;
        return IPAddress.TryParse(bare, out IPAddress? address) && address.ToString() != bare
            ? $"{Shown(text)} is an IP address (resolvers read it as {address})"
            : $"{Shown(text)} is an IP address";
    }

    private static string Shown(string? text)
    {
        if (text is null)
        {
            return "";
        }

        string cut = text.Length > 80 ? text[..80] + "…" : text;
        return string.Create(cut.Length, cut, static (span, source) =>
        {
            for (int i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? ' ' : source[i];
            }
        });
    }
}
