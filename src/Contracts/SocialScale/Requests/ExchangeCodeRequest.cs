namespace Airlock.Contracts.SocialScale;

/// <summary>Exchange an OAuth authorization code for tokens (<c>"exchange_code"</c>).</summary>
/// <param name="Code">The authorization code.</param>
/// <param name="RedirectUri">The redirect URI the code was issued for.</param>
public sealed record ExchangeCodeRequest(string Code, string RedirectUri) : PluginRequest, IWasmRequest<OAuthTokenResult>;
