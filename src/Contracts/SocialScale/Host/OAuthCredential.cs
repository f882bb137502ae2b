namespace Airlock.Contracts.SocialScale;

/// <summary>
/// The OAuth tokens the host holds for the platform a plugin serves, as <c>host_credential_get</c>
/// hands them to a plugin with <c>credential_access</c>.
/// </summary>
/// <param name="AccessToken">The access token.</param>
/// <param name="RefreshToken">The refresh token, when the platform issued one.</param>
/// <param name="ExpiresAt">When the access token expires, when known.</param>
public sealed record OAuthCredential(string AccessToken, string? RefreshToken = null, DateTimeOffset? ExpiresAt = null)
{
    /// <summary>Describes the credential without its secrets.</summary>
    public override string ToString() => $"OAuthCredential(access token ***, refresh token {(RefreshToken is null ? "none" : "***")}, expires {ExpiresAt?.ToString("u", System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"})";
}
