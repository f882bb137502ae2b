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
        Encoding.UTF8.GetBytes(value, guest.AllocateSpan(Encoding.UTF8.GetByteCount(value), purpose, out GuestBuffer buffer));
        return buffer;
    }

    /// <summary>Takes the text an export returned as a packed <c>i64</c>: checks, reads strictly and frees it.</summary>
    /// <param name="guest">The instance.</param>
    /// <param name="packed">The export's result.</param>
    /// <param name="region">What the result is, for error messages.</param>
    /// <exception cref="MalformedResponseException">The bytes are not valid UTF-8.</exception>
    public static string Take(GuestContext guest, long packed, string region)
    {
        GuestBuffer buffer = PackedPtrLen.TakeResult(guest, packed, region, out ReadOnlySpan<byte> bytes);
        string value = Decode(guest, bytes, region);
        guest.Free(buffer);
        return value;
    }

    /// <summary>Reads a UTF-8 argument a guest passed to a host function as (ptr, len).</summary>
    /// <param name="guest">The calling instance.</param>
    /// <param name="pointer">The argument's pointer.</param>
    /// <param name="length">The argument's length.</param>
    /// <param name="region">What the argument is, for error messages.</param>
    public static string ReadArgument(GuestContext guest, int pointer, int length, string region)
        => Decode(guest, PackedPtrLen.ArgumentBytes(guest, pointer, length, region), region);

    /// <summary>
    /// Returns text from a host function: written into a buffer from the guest's <c>alloc</c> and
    /// packed, or "not found" for <see langword="null"/> in the plugin's
    /// <see cref="WasmPluginInfo.HostResults"/> encoding.
    /// </summary>
    /// <param name="guest">The calling instance.</param>
    /// <param name="value">The text.</param>
    /// <param name="purpose">What the buffer is for, for error messages.</param>
    public static long Return(GuestContext guest, string? value, string purpose)
    {
        ArgumentNullException.ThrowIfNull(guest);
        if (value is null)
        {
            return guest.StatusResult(HostCallStatus.NotFound, purpose);
        }

        return PackedPtrLen.ExceedsPayloadLimit(guest, Encoding.UTF8.GetByteCount(value))
            ? guest.StatusResult(HostCallStatus.TooLarge, purpose)
            : Write(guest, value, purpose).Pack();
    }

    /// <summary>Reads UTF-8 text from guest memory, strictly: invalid sequences are an error, not replaced.</summary>
    /// <param name="guest">The instance.</param>
    /// <param name="buffer">The region.</param>
    /// <param name="region">What the region holds, for error messages.</param>
    public static string Read(GuestContext guest, GuestBuffer buffer, string region)
    {
        ArgumentNullException.ThrowIfNull(guest);
        return Decode(guest, guest.GetSpan(buffer, region), region);
    }

    private static string Decode(GuestContext guest, ReadOnlySpan<byte> bytes, string region)
    {
        int invalid = Utf8Validation.IndexOfInvalid(bytes);
        if (invalid >= 0)
        {
            throw new MalformedResponseException(guest.Plugin.Id, guest.Export, region, "the bytes are not valid UTF-8.", invalid);
        }

        return Strict.GetString(bytes);
    }
}
