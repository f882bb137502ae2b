namespace Airlock.Contracts.SocialScale;

/// <summary>Refresh an expired OAuth access token (<c>"refresh_token"</c>).</summary>
/// <param name="RefreshToken">The refresh token.</param>
public sealed record RefreshTokenRequest(string RefreshToken) : PluginRequest, IWasmRequest<OAuthTokenResult>;
