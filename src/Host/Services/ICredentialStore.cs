namespace Airlock.Services;

/// <summary>
/// Where the host keeps the OAuth credentials plugins with <c>credential_access</c> use, one per platform. The host
/// decides which platform a plugin serves and only ever looks up that one for it. Implementations are thread-safe.
/// </summary>
public interface ICredentialStore
{
    /// <summary>Reads the credential for <paramref name="platform"/>.</summary>
    /// <param name="platform">The platform, for example <c>my-platform</c>; compared ordinally.</param>
    /// <returns>The credential, or <see langword="null"/> if there is none.</returns>
    PluginCredential? Get(string platform);

    /// <summary>Stores <paramref name="credential"/> for <paramref name="platform"/>, replacing any previous one.</summary>
    /// <param name="platform">The platform; compared ordinally.</param>
    /// <param name="credential">The credential.</param>
    void Set(string platform, PluginCredential credential);

    /// <summary>Removes the credential for <paramref name="platform"/>.</summary>
    /// <param name="platform">The platform; compared ordinally.</param>
    /// <returns>Whether there was one.</returns>
    bool Remove(string platform);
}
