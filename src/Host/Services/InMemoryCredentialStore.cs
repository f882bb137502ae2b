using System.Collections.Concurrent;

namespace Airlock.Services;

/// <summary>An <see cref="ICredentialStore"/> in process memory: thread-safe, lost when the process ends.</summary>
public sealed class InMemoryCredentialStore : ICredentialStore
{
    private readonly ConcurrentDictionary<string, PluginCredential> _credentials = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public PluginCredential? Get(string platform)
    {
        ArgumentException.ThrowIfNullOrEmpty(platform);
        return _credentials.TryGetValue(platform, out PluginCredential? credential) ? credential : null;
    }

    /// <inheritdoc/>
    public void Set(string platform, PluginCredential credential)
    {
        ArgumentException.ThrowIfNullOrEmpty(platform);
        ArgumentNullException.ThrowIfNull(credential);
        _credentials[platform] = credential;
    }

    /// <inheritdoc/>
    public bool Remove(string platform)
    {
        ArgumentException.ThrowIfNullOrEmpty(platform);
        return _credentials.TryRemove(platform, out _);
    }
}
