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

    /// <summary>Takes the bytes an export returned as a packed <c>i64</c>: checks, copies and frees them.</summary>
    /// <param name="guest">The instance.</param>
    /// <param name="packed">The export's result.</param>
    /// <param name="region">What the result is, for error messages.</param>
    public static byte[] Take(GuestContext guest, long packed, string region)
    {
        GuestBuffer buffer = PackedPtrLen.TakeResult(guest, packed, region, out ReadOnlySpan<byte> bytes);
        byte[] value = bytes.ToArray();
        guest.Free(buffer);
        return value;
    }

    /// <summary>Copies a byte argument a guest passed to a host function as (ptr, len).</summary>
    /// <param name="guest">The calling instance.</param>
    /// <param name="pointer">The argument's pointer.</param>
    /// <param name="length">The argument's length.</param>
    /// <param name="region">What the argument is, for error messages.</param>
    public static byte[] ReadArgument(GuestContext guest, int pointer, int length, string region)
        => PackedPtrLen.ArgumentBytes(guest, pointer, length, region).ToArray();

    /// <summary>
    /// Views a byte argument a guest passed to a host function in place. The span is valid only until
    /// the guest runs again (including any call to its <c>alloc</c>).
    /// </summary>
    /// <param name="guest">The calling instance.</param>
    /// <param name="pointer">The argument's pointer.</param>
    /// <param name="length">The argument's length.</param>
    /// <param name="region">What the argument is, for error messages.</param>
    public static ReadOnlySpan<byte> ViewArgument(GuestContext guest, int pointer, int length, string region)
        => PackedPtrLen.ArgumentBytes(guest, pointer, length, region);

    /// <summary>
    /// Returns bytes from a host function: copied into a buffer from the guest's <c>alloc</c> and packed,
    /// or "not found" for <see langword="null"/> in the plugin's <see cref="WasmPluginInfo.HostResults"/>
    /// encoding (<c>0</c>, or <see cref="HostCallStatus.NotFound"/>).
    /// </summary>
    /// <param name="guest">The calling instance.</param>
    /// <param name="value">The bytes.</param>
    /// <param name="purpose">What the buffer is for, for error messages.</param>
    public static long Return(GuestContext guest, byte[]? value, string purpose)
        => value is null ? guest.StatusResult(HostCallStatus.NotFound, purpose) : PackedPtrLen.ReturnResult(guest, value, purpose);

    /// <summary>Returns bytes from a host function: copied into a buffer from the guest's <c>alloc</c> and packed.</summary>
    /// <param name="guest">The calling instance.</param>
    /// <param name="value">The bytes.</param>
    /// <param name="purpose">What the buffer is for, for error messages.</param>
    public static long Return(GuestContext guest, ReadOnlySpan<byte> value, string purpose)
        => PackedPtrLen.ReturnResult(guest, value, purpose);

    /// <summary>Copies bytes out of guest memory.</summary>
    /// <param name="guest">The instance.</param>
    /// <param name="buffer">The region.</param>
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
