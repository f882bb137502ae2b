using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Airlock.Services;

/// <summary>
/// An OAuth credential for one platform, handed to a plugin that holds <c>credential_access</c>. Immutable.
/// </summary>
/// <remarks>
/// <see cref="ToString"/>, string interpolation and the debugger never show the token values (nor their lengths):
/// only whether a refresh token is present, the expiry and the scopes, which are not secret. Code that needs a
/// token must read <see cref="AccessToken"/> or <see cref="RefreshToken"/> explicitly.
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
[DebuggerTypeProxy(typeof(DebugView))]
public sealed class PluginCredential
{
    /// <summary>Creates a credential.</summary>
    /// <param name="accessToken">The access token.</param>
    /// <param name="refreshToken">The refresh token, if the platform issued one.</param>
    /// <param name="expiresAt">When the access token expires, if known.</param>
    /// <param name="scopes">The scopes granted, if known; copied.</param>
    public PluginCredential(string accessToken, string? refreshToken = null, DateTimeOffset? expiresAt = null, IEnumerable<string>? scopes = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(accessToken);
        AccessToken = accessToken;
        RefreshToken = refreshToken;
        ExpiresAt = expiresAt;
        Scopes = scopes?.ToArray();
    }

    /// <summary>The access token. Secret: never log it.</summary>
    [DebuggerBrowsable(DebuggerBrowsableState.Never)]
    public string AccessToken { get; }

    /// <summary>The refresh token, if any. Secret: never log it.</summary>
    [DebuggerBrowsable(DebuggerBrowsableState.Never)]
    public string? RefreshToken { get; }

    /// <summary>When the access token expires; <see langword="null"/> if unknown or never.</summary>
    public DateTimeOffset? ExpiresAt { get; }

    /// <summary>The scopes granted; <see langword="null"/> if unknown.</summary>
    public IReadOnlyList<string>? Scopes { get; }

    /// <summary>Whether the access token has expired at <paramref name="now"/>; <see langword="false"/> if the expiry is unknown.</summary>
    /// <param name="now">The current time, for example <c>timeProvider.GetUtcNow()</c>.</param>
    /// <returns>Whether <see cref="ExpiresAt"/> is at or before <paramref name="now"/>.</returns>
    public bool IsExpiredAt(DateTimeOffset now) => ExpiresAt is { } expires && expires <= now;

    /// <summary>
    /// Describes the credential without its secrets, for example
    /// <c>PluginCredential(access token ***, refresh token ***, expires 2030-01-01T00:00:00.0000000+00:00, scopes: read write)</c>.
    /// </summary>
    /// <returns>The redacted description.</returns>
    public override string ToString()
    {
        var text = new StringBuilder("PluginCredential(access token ***, ");
        text.Append(RefreshToken is null ? "no refresh token" : "refresh token ***");
        text.Append(", expires ");
        text.Append(ExpiresAt is { } expires ? expires.ToString("O", CultureInfo.InvariantCulture) : "unknown");
        if (Scopes is not null)
        {
            text.Append(", scopes: ").AppendJoin(' ', Scopes);
        }

        return text.Append(')').ToString();
    }

    /// <summary>What the debugger shows when the credential is expanded: everything but the secrets.</summary>
    private sealed class DebugView(PluginCredential credential)
    {
        public string AccessToken => "***";

        public string? RefreshToken => credential.RefreshToken is null ? null : "***";

        public DateTimeOffset? ExpiresAt => credential.ExpiresAt;

        public IReadOnlyList<string>? Scopes => credential.Scopes;
    }
}
