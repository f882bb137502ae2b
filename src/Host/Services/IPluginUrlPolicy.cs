namespace Airlock.Services;

/// <summary>
/// Decides which URLs one plugin's HTTP requests may go to: the first URL of a request and every redirect target.
/// <see cref="PluginHttpClient"/> asks it for each hop, after reading the URL (an absolute <c>http</c> or <c>https</c> URL
/// without user information) and before anything is sent. Implemented by <see cref="DomainAllowlist"/> (the network domains a
/// SocialScale plugin declared) and <see cref="Airlock.Lesstruct.UrlAllowlist"/> (the URL patterns of a Lesstruct manifest).
/// </summary>
/// <remarks>
/// A policy decides by the URL only. Which addresses a host may resolve to is decided by the client when it connects
/// (see <see cref="PluginHttpOptions.AllowPrivateNetworks"/>), whatever the policy allowed. Implementations must be
/// thread-safe and must not throw for any absolute URL.
/// </remarks>
public interface IPluginUrlPolicy
{
    /// <summary>
    /// Whether the policy decides between <c>http</c> and <c>https</c> itself, so that a plain <c>http</c> URL it allows is
    /// requested whatever <see cref="PluginHttpOptions.AllowHttp"/> says (URL patterns name their scheme). When
    /// <see langword="false"/>, plain <c>http</c> is refused unless the administrator set <see cref="PluginHttpOptions.AllowHttp"/>.
    /// A redirect from https to http is refused either way.
    /// </summary>
    bool DecidesScheme { get; }

    /// <summary>Decides whether the plugin may request <paramref name="url"/> (the first hop).</summary>
    /// <param name="url">The URL as the plugin gave it: absolute, <c>http</c> or <c>https</c>, already read and checked.</param>
    /// <returns>
    /// <see cref="PluginUrlDecision.Allowed"/>, or a refusal whose <see cref="PluginUrlDecision.ErrorCode"/> becomes the
    /// result's <see cref="PluginHttpResult.ErrorCode"/>.
    /// </returns>
    PluginUrlDecision Check(Uri url);

    /// <summary>Decides whether a redirect from <paramref name="from"/> to <paramref name="to"/> may be followed.</summary>
    /// <param name="from">The URL whose response redirected.</param>
    /// <param name="to">The redirect target, resolved against <paramref name="from"/>, absolute and already read and checked.</param>
    /// <returns>
    /// <see cref="PluginUrlDecision.Allowed"/>, or a refusal; the client reports every refused redirect as
    /// <see cref="PluginHttpErrors.RedirectNotAllowed"/> with the refusal's reason.
    /// </returns>
    PluginUrlDecision CheckRedirect(Uri from, Uri to);
}
