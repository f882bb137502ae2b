namespace Airlock.Services;

/// <summary>The values of <see cref="PluginHttpResult.ErrorCode"/>.</summary>
public static class PluginHttpErrors
{
    /// <summary>The host is not among the plugin's declared domains (<see cref="DomainAllowlist"/>); nothing was sent.</summary>
    public const string DomainNotAllowed = "domain_not_allowed";

    /// <summary>The URL's host is an IP address; plugins must request declared names.</summary>
    public const string IpLiteral = "ip_literal";

    /// <summary>The URL matches none of the plugin's URL patterns (<see cref="Airlock.Lesstruct.UrlAllowlist"/>); nothing was sent.</summary>
    public const string UrlNotAllowed = "url_not_allowed";

    /// <summary>The host resolved to a loopback, private or otherwise non-public address; the connection was refused.</summary>
    public const string AddressNotAllowed = "address_not_allowed";

    /// <summary>A redirect pointed somewhere the plugin may not go (refused by its URL policy, IP literal, http, invalid URL).</summary>
    public const string RedirectNotAllowed = "redirect_not_allowed";

    /// <summary>The request was redirected more than <see cref="PluginHttpOptions.MaxRedirects"/> times.</summary>
    public const string TooManyRedirects = "too_many_redirects";

    /// <summary>The URL, method, a header or the body is not acceptable (<see cref="PluginHttpResult.InvalidPart"/> says which); nothing was sent.</summary>
    public const string InvalidRequest = "invalid_request";

    /// <summary>The response body is longer than <see cref="PluginHttpOptions.MaxResponseBytes"/>.</summary>
    public const string ResponseTooLarge = "response_too_large";

    /// <summary>The response body is not valid UTF-8 text, the only kind a text request (<c>host_http_request</c>) carries.</summary>
    public const string BinaryBody = "binary_body";

    /// <summary>No complete response within the time allowed: the per-request limit or the time the plugin's call had left.</summary>
    public const string Timeout = "timeout";

    /// <summary>Name resolution, connecting, TLS or the HTTP exchange failed, including a body that ended before its declared length.</summary>
    public const string NetworkError = "network_error";
}
