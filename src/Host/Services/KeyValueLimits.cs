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
}
