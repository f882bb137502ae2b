using System.Text;

namespace Airlock.Abi;

/// <summary>Strings as UTF-8 bytes in guest memory.</summary>
public static class Utf8Payload
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Allocates a guest buffer holding <paramref name="value"/> as UTF-8, encoded in place.</summary>
    /// <param name="guest">The instance.</param>
    /// <param name="value">The string.</param>
    /// <param name="purpose">What the buffer is for, for error messages.</param>
    public static GuestBuffer Write(GuestContext guest, string value, string purpose)
    {
        ArgumentNullException.ThrowIfNull(guest);
        ArgumentNullException.ThrowIfNull(value);
        GuestBuffer buffer = guest.Allocate(Encoding.UTF8.GetByteCount(value), purpose);
        Encoding.UTF8.GetBytes(value, guest.GetSpan(buffer, purpose));
        return buffer;
    }

    /// <summary>Reads a guest buffer as strict UTF-8.</summary>
    /// <param name="guest">The instance.</param>
    /// <param name="buffer">The region, already checked by <see cref="PackedPtrLen"/>.</param>
    /// <param name="region">What the region holds, for error messages.</param>
    /// <exception cref="MalformedResponseException">The bytes are not valid UTF-8.</exception>
    public static string Read(GuestContext guest, GuestBuffer buffer, string region)
    {
        ArgumentNullException.ThrowIfNull(guest);
        ReadOnlySpan<byte> bytes = guest.GetSpan(buffer, region);
        int invalid = Utf8Validation.IndexOfInvalid(bytes);
        if (invalid >= 0)
        {
            throw new MalformedResponseException(guest.Plugin.Id, guest.Export, region, "the bytes are not valid UTF-8.", invalid);
        }

        return Strict.GetString(bytes);
    }
}
