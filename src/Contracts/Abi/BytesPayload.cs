namespace Airlock.Abi;

/// <summary>Raw bytes in guest memory.</summary>
public static class BytesPayload
{
    /// <summary>Allocates a guest buffer holding <paramref name="value"/>.</summary>
    /// <param name="guest">The instance.</param>
    /// <param name="value">The bytes.</param>
    /// <param name="purpose">What the buffer is for, for error messages.</param>
    public static GuestBuffer Write(GuestContext guest, ReadOnlySpan<byte> value, string purpose)
        => PackedPtrLen.WriteInput(guest, value, purpose);

    /// <summary>Copies a guest buffer into a new array.</summary>
    /// <param name="guest">The instance.</param>
    /// <param name="buffer">The region, already checked by <see cref="PackedPtrLen"/>.</param>
    /// <param name="region">What the region holds, for error messages.</param>
    public static byte[] Read(GuestContext guest, GuestBuffer buffer, string region)
    {
        ArgumentNullException.ThrowIfNull(guest);
        return guest.GetSpan(buffer, region).ToArray();
    }

    /// <summary>
    /// Returns the guest memory of a buffer without copying. Valid only until the guest runs again.
    /// </summary>
    /// <param name="guest">The instance.</param>
    /// <param name="buffer">The region, already checked by <see cref="PackedPtrLen"/>.</param>
    /// <param name="region">What the region holds, for error messages.</param>
    public static ReadOnlySpan<byte> View(GuestContext guest, GuestBuffer buffer, string region)
    {
        ArgumentNullException.ThrowIfNull(guest);
        return guest.GetSpan(buffer, region);
    }
}
