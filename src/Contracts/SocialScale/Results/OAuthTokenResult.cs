namespace Airlock.Contracts.SocialScale;

/// <summary>The result of <see cref="ExchangeCodeRequest"/> and <see cref="RefreshTokenRequest"/>.</summary>
/// <param name="AccessToken">The access token.</param>
/// <param name="RefreshToken">The refresh token, when the platform issues one.</param>
/// <param name="ExpiresIn">Seconds until the access token expires, when known.</param>
/// <param name="TokenType">The token type, usually <c>Bearer</c>.</param>
public sealed record OAuthTokenResult(string AccessToken, string? RefreshToken = null, long? ExpiresIn = null, string? TokenType = null)
{
    /// <summary>Hides the tokens, so that logging a result never leaks them.</summary>
    public override string ToString() => $"OAuthTokenResult {{ TokenType = {TokenType}, ExpiresIn = {ExpiresIn} }}";
}
