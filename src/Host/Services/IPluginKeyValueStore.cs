namespace Airlock.Services;

/// <summary>
/// The plugin-scoped key-value store behind <c>host_store_get</c> and <c>host_store_set</c>. Every key lives in the
/// namespace of one plugin id, so no plugin can read, overwrite or list another's values. The plugin id is always
/// supplied by the host (the plugin the call came from), never taken from what the plugin sends.
/// </summary>
/// <remarks>
/// Implementations are thread-safe. Keys are compared as exact strings (ordinal, no Unicode normalization), and
/// every method validates the key against the store's <see cref="KeyValueLimits"/>, throwing
/// <see cref="KeyValueLimitException"/> with an <see cref="KeyValueLimitException.Code"/> the host can hand back to
/// the plugin.
/// </remarks>
public interface IPluginKeyValueStore
{
    /// <summary>Reads the value stored under <paramref name="key"/> for <paramref name="pluginId"/>.</summary>
    /// <param name="pluginId">The calling plugin, as the host knows it.</param>
    /// <param name="key">The key.</param>
    /// <returns>A copy of the value, or <see langword="null"/> if the plugin has no such key.</returns>
    /// <exception cref="KeyValueLimitException">The key is empty, malformed or too long.</exception>
    byte[]? Get(string pluginId, string key);

    /// <summary>
    /// Stores <paramref name="value"/> under <paramref name="key"/> for <paramref name="pluginId"/>, replacing any
    /// previous value. When this returns the value is as durable as the implementation promises.
    /// </summary>
    /// <param name="pluginId">The calling plugin, as the host knows it.</param>
    /// <param name="key">The key.</param>
    /// <param name="value">The value; may be empty.</param>
    /// <exception cref="KeyValueLimitException">A limit would be exceeded; nothing was written.</exception>
    void Set(string pluginId, string key, ReadOnlySpan<byte> value);

    /// <summary>Deletes <paramref name="key"/> for <paramref name="pluginId"/>.</summary>
    /// <param name="pluginId">The calling plugin, as the host knows it.</param>
    /// <param name="key">The key.</param>
    /// <returns>Whether the key existed.</returns>
    /// <exception cref="KeyValueLimitException">The key is empty, malformed or too long.</exception>
    bool Delete(string pluginId, string key);

    /// <summary>Lists the keys of <paramref name="pluginId"/> in ordinal order; for tools and tests.</summary>
    /// <param name="pluginId">The plugin.</param>
    /// <returns>The plugin's keys.</returns>
    IReadOnlyList<string> Keys(string pluginId);
}
