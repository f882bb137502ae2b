using System.Net;

namespace Airlock.Services;

/// <summary>
/// The limits and administrator settings of <see cref="PluginHttpClient"/>, the executor of every plugin system's HTTP
/// requests. The client copies them when it is created; later changes have no effect on it.
/// </summary>
public sealed class PluginHttpOptions
{
    /// <summary>The most bytes of a (decompressed) response body a plugin receives: 1 MiB by default. A longer body is refused with <c>response_too_large</c>.</summary>
    public int MaxResponseBytes { get; set; } = 1024 * 1024;

    /// <summary>The most bytes of a request body (as sent: UTF-8 for text) a plugin may send: 1 MiB by default.</summary>
    public int MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>How many redirects one request may follow: 5 by default. One more is refused with <c>too_many_redirects</c>.</summary>
    public int MaxRedirects { get; set; } = 5;

    /// <summary>
    /// The longest one request may take, redirects, name resolution, connecting and reading the body included: 30 s by
    /// default (Lesstruct's default client uses 10 s, as Lesstruct does). A request never runs longer than the smaller of
    /// this and the time the plugin's call has left, and ends when the call's token is cancelled.
    /// </summary>
    public TimeSpan MaxTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Whether plugins whose URL policy does not name schemes (a <see cref="DomainAllowlist"/>) may request plain
    /// <c>http://</c> URLs (and follow redirects to them): <see langword="false"/> by default, so their URLs must be
    /// <c>https://</c>. URL patterns (<see cref="Airlock.Lesstruct.UrlAllowlist"/>) name their scheme, so this does not apply
    /// to them (<see cref="IPluginUrlPolicy.DecidesScheme"/>). A redirect from https to http is refused either way. The
    /// targets of <see cref="Upstreams"/> may be http regardless.
    /// </summary>
    public bool AllowHttp { get; set; }

    /// <summary>
    /// Whether plugins' hosts may resolve to loopback, private, link-local and other non-public addresses:
    /// <see langword="false"/> by default. Leave it off outside development; prefer <see cref="PrivateNetworkExceptions"/>.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>
    /// What plugins may reach although it is not public, such as an intranet API the administrator lets plugins use: host
    /// names (exact, or wildcards such as <c>*.corp.example</c>, written as in a <see cref="DomainAllowlist"/>) that may
    /// resolve to non-public addresses, and addresses (<c>10.1.2.3</c>, <c>fd00::5</c>, <c>127.0.0.1</c>) or ranges
    /// (<c>10.1.0.0/16</c>) that may be connected to whatever name or URL led there (Lesstruct URL patterns may name an
    /// address). Addresses must be written plainly (four decimal octets for IPv4). The plugin's own policy must still allow
    /// the URL.
    /// </summary>
    public IList<string> PrivateNetworkExceptions { get; } = new List<string>();

    /// <summary>
    /// Administrator overrides: a request the plugin makes to a host named here (the key, an exact host name) is sent to
    /// the base URI given instead, whatever its scheme and port; the plugin's path and query are appended to the base
    /// URI's path. For example, map <c>api.chirp.example</c> to <c>http://127.0.0.1:5123/</c> to point a connector at a
    /// loopback server. The plugin's URL is still checked against its allowlist and the https rule, and redirects are
    /// resolved against the plugin's URL; the private-address rule does not apply to upstream targets, which the
    /// administrator chose. The Host header is the upstream's.
    /// </summary>
    public IDictionary<string, Uri> Upstreams { get; } = new Dictionary<string, Uri>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Resolves a host name to its addresses; <see langword="null"/> for <see cref="Dns.GetHostAddressesAsync(string, CancellationToken)"/>.
    /// Tests supply their own to map test names to chosen addresses.
    /// </summary>
    public Func<string, CancellationToken, ValueTask<IPAddress[]>>? Resolve { get; set; }
}
