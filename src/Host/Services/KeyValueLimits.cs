using System.Globalization;
using System.Text;

namespace Airlock.Services;

/// <summary>The limits a <see cref="IPluginKeyValueStore"/> enforces on every plugin.</summary>
public sealed class KeyValueLimits
{
    /// <summary>The defaults: 512-byte keys, 1 MiB values, 10 000 keys and 64 MiB per plugin.</summary>
    public static KeyValueLimits Default { get; } = new();

    /// <summary>The longest key, in UTF-8 bytes. Default 512.</summary>
    public int MaxKeyBytes { get; init; } = 512;

    /// <summary>The largest value, in bytes. Default 1 MiB.</summary>
    public int MaxValueBytes { get; init; } = 1024 * 1024;

    /// <summary>How many keys one plugin may hold. Default 10 000.</summary>
    public int MaxKeysPerPlugin { get; init; } = 10_000;

    /// <summary>
    /// How many bytes one plugin may hold, counting each entry as its key's UTF-8 bytes plus its value's bytes.
    /// Default 64 MiB.
    /// </summary>
    public long MaxBytesPerPlugin { get; init; } = 64L * 1024 * 1024;

    /// <summary>Checks that every limit is positive.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is out of range; the message names it.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxKeyBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxValueBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxKeysPerPlugin);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxBytesPerPlugin);
    }

    /// <summary>Checks a value's length against <see cref="MaxValueBytes"/>.</summary>
    /// <param name="length">The value's length in bytes.</param>
    /// <exception cref="KeyValueLimitException">The value is too large; the message says what to do.</exception>
    public void CheckValue(int length)
    {
        if (length > MaxValueBytes)
        {
            throw new KeyValueLimitException(
                KeyValueLimitException.ValueTooLarge,
                string.Create(CultureInfo.InvariantCulture, $"The value is {length} bytes; the limit is {MaxValueBytes} bytes. Store less, or split it across several keys."));
        }
    }

    /// <summary>
    /// Checks a write against the per-plugin quotas, given what the plugin holds (read in the transaction that
    /// writes, so concurrent writers cannot together pass a quota).
    /// </summary>
    /// <param name="keys">How many keys the plugin holds.</param>
    /// <param name="bytes">How many bytes it holds (keys' UTF-8 bytes plus values' bytes).</param>
    /// <param name="previousSize">The size of the entry the write replaces, or <see langword="null"/> for a new key.</param>
    /// <param name="size">The size of the entry written.</param>
    /// <exception cref="KeyValueLimitException">The write would pass <see cref="MaxKeysPerPlugin"/> or <see cref="MaxBytesPerPlugin"/>.</exception>
    public void CheckQuota(long keys, long bytes, long? previousSize, long size)
    {
        if (previousSize is null && keys >= MaxKeysPerPlugin)
        {
            throw new KeyValueLimitException(
                KeyValueLimitException.TooManyKeys,
                string.Create(CultureInfo.InvariantCulture, $"The plugin already holds {keys} keys, the most allowed ({MaxKeysPerPlugin}). Delete keys it no longer needs, or overwrite existing ones."));
        }

        long after = bytes - (previousSize ?? 0) + size;
        if (after > MaxBytesPerPlugin)
        {
            throw new KeyValueLimitException(
                KeyValueLimitException.QuotaExceeded,
                string.Create(CultureInfo.InvariantCulture, $"Writing this entry ({size} bytes of key and value) would bring the plugin to {after} bytes, over its quota of {MaxBytesPerPlugin} bytes (it holds {bytes}). Delete or shrink other values first."));
        }
    }

    /// <summary>
    /// Checks a key against these limits, as every <see cref="IPluginKeyValueStore"/> does before it touches its
    /// storage, and returns its length in UTF-8 bytes.
    /// </summary>
    /// <param name="key">The key.</param>
    /// <returns>The key's length in UTF-8 bytes.</returns>
    /// <exception cref="KeyValueLimitException">The key is empty, malformed or too long.</exception>
    public int CheckKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length == 0)
        {
            throw new KeyValueLimitException(KeyValueLimitException.InvalidKey, "The key is empty. Use a non-empty key.");
        }

        // Every UTF-16 code unit is at least one UTF-8 byte: refuse obviously long keys before looking at them.
        if (key.Length > MaxKeyBytes)
        {
            throw KeyTooLarge(key.Length > MaxKeyBytes * 3 ? null : Encoding.UTF8.GetByteCount(key));
        }

        int bytes = 0;
        for (int i = 0; i < key.Length; i++)
        {
            char c = key[i];
            if (char.IsControl(c))
            {
                throw new KeyValueLimitException(
                    KeyValueLimitException.InvalidKey,
                    string.Create(CultureInfo.InvariantCulture, $"The key contains the control character U+{(int)c:X4} at position {i}. Keys may not contain control characters (including NUL, tab and newline); encode binary identifiers, for example as hex."));
            }

            if (char.IsHighSurrogate(c) && i + 1 < key.Length && char.IsLowSurrogate(key[i + 1]))
            {
                bytes += 4;
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                throw new KeyValueLimitException(
                    KeyValueLimitException.InvalidKey,
                    string.Create(CultureInfo.InvariantCulture, $"The key contains an unpaired surrogate (U+{(int)c:X4}) at position {i}, so it is not valid Unicode. Send keys as valid UTF-8."));
            }
            else
            {
                bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
            }
        }

        if (bytes > MaxKeyBytes)
        {
            throw KeyTooLarge(bytes);
        }

        return bytes;
    }

    private KeyValueLimitException KeyTooLarge(int? bytes) => new(
        KeyValueLimitException.KeyTooLarge,
        bytes is int b
            ? string.Create(CultureInfo.InvariantCulture, $"The key is {b} UTF-8 bytes; the limit is {MaxKeyBytes}. Use a shorter key, for example a hash of a long identifier.")
            : string.Create(CultureInfo.InvariantCulture, $"The key is over {MaxKeyBytes} UTF-8 bytes, the limit. Use a shorter key, for example a hash of a long identifier."));
}
