namespace Airlock.Services;

/// <summary>
/// A key-value operation was refused because of a <see cref="KeyValueLimits"/> limit or a malformed key. Nothing
/// was written. <see cref="Code"/> is stable and meant to be handed back to the plugin; the message says what to do.
/// </summary>
public sealed class KeyValueLimitException : Exception
{
    /// <summary>The key is longer than <see cref="KeyValueLimits.MaxKeyBytes"/> UTF-8 bytes.</summary>
    public const string KeyTooLarge = "key_too_large";

    /// <summary>The value is larger than <see cref="KeyValueLimits.MaxValueBytes"/>.</summary>
    public const string ValueTooLarge = "value_too_large";

    /// <summary>The plugin already holds <see cref="KeyValueLimits.MaxKeysPerPlugin"/> keys.</summary>
    public const string TooManyKeys = "too_many_keys";

    /// <summary>The write would take the plugin over <see cref="KeyValueLimits.MaxBytesPerPlugin"/>.</summary>
    public const string QuotaExceeded = "quota_exceeded";

    /// <summary>
    /// The key is empty, contains a control character (U+0000–U+001F, U+007F–U+009F) or is not valid UTF-16
    /// (an unpaired surrogate, which would not survive the trip to UTF-8).
    /// </summary>
    public const string InvalidKey = "invalid_key";

    /// <summary>Creates the exception.</summary>
    /// <param name="code">One of the codes defined on this class.</param>
    /// <param name="message">What was wrong and what to do about it.</param>
    public KeyValueLimitException(string code, string message)
        : base(message)
    {
        ArgumentException.ThrowIfNullOrEmpty(code);
        Code = code;
    }

    /// <summary>The machine-readable reason, for example <see cref="QuotaExceeded"/>.</summary>
    public string Code { get; }
}
