namespace Airlock.Abi;

/// <summary>
/// The packed ptr+len ABI: how buffers cross between host and guest. Inputs are allocated with the
/// guest's <c>alloc</c> and freed with <c>dealloc</c> after the call; results come back packed as
/// <c>(ptr &lt;&lt; 32) | len</c> and are freed once read. See <c>docs/abi/packed-ptr-len.md</c>.
/// </summary>
public static class PackedPtrLen
{
    /// <summary>
    /// Allocates a guest buffer for <paramref name="payload"/> and copies it in. An empty payload is
    /// passed as <c>(0, 0)</c> without allocating.
    /// </summary>
    /// <param name="guest">The instance.</param>
    /// <param name="payload">The bytes to pass.</param>
    /// <param name="purpose">What the buffer is for, for error messages.</param>
    public static GuestBuffer WriteInput(GuestContext guest, ReadOnlySpan<byte> payload, string purpose)
    {
        ArgumentNullException.ThrowIfNull(guest);
        payload.CopyTo(guest.AllocateSpan(payload.Length, purpose, out GuestBuffer buffer));
        return buffer;
    }

    /// <summary>
    /// Unpacks a result an export returned and checks it lies within memory and under the payload limit.
    /// </summary>
    /// <param name="guest">The instance.</param>
    /// <param name="packed">The export's <c>i64</c> result.</param>
    /// <param name="region">What the result holds, for error messages.</param>
    /// <exception cref="GuestMemoryAccessException">The region is out of bounds or over the payload limit.</exception>
    public static GuestBuffer TakeResult(GuestContext guest, long packed, string region)
        => TakeResult(guest, packed, region, out _);

    /// <summary><see cref="TakeResult(GuestContext, long, string)"/>, also returning the result's bytes.</summary>
    internal static GuestBuffer TakeResult(GuestContext guest, long packed, string region, out ReadOnlySpan<byte> bytes)
    {
        ArgumentNullException.ThrowIfNull(guest);
        GuestBuffer buffer = GuestBuffer.Unpack(packed);
        bytes = guest.ReadPayload(buffer, region);
        return buffer;
    }

    /// <summary>Checks and returns a <c>(ptr, len)</c> argument a guest passed to a host function.</summary>
    /// <param name="guest">The instance.</param>
    /// <param name="pointer">The pointer argument.</param>
    /// <param name="length">The length argument.</param>
    /// <param name="region">What the argument holds, for error messages.</param>
    /// <exception cref="GuestMemoryAccessException">The region is out of bounds or over the payload limit.</exception>
    public static GuestBuffer Argument(GuestContext guest, int pointer, int length, string region)
    {
        _ = ArgumentBytes(guest, pointer, length, region);
        return GuestBuffer.FromWasm(pointer, length);
    }

    /// <summary><see cref="Argument"/>, returning the argument's bytes (valid until the guest runs again).</summary>
    internal static ReadOnlySpan<byte> ArgumentBytes(GuestContext guest, int pointer, int length, string region)
    {
        ArgumentNullException.ThrowIfNull(guest);
        return guest.ReadPayload(GuestBuffer.FromWasm(pointer, length), region);
    }

    /// <summary>
    /// Hands a host function's result to the guest: allocates it with the guest's <c>alloc</c> (the
    /// guest owns the buffer) and returns it packed. An empty result is <c>0</c> and allocates nothing.
    /// </summary>
    /// <param name="guest">The instance.</param>
    /// <param name="payload">The result bytes.</param>
    /// <param name="purpose">What the result is, for error messages.</param>
    /// <returns>
    /// The packed buffer; when the result exceeds the payload limit, <see cref="HostCallStatus.TooLarge"/>
    /// for a plugin that takes status codes (a plugin with the plain encoding has its call ended).
    /// </returns>
    public static long ReturnResult(GuestContext guest, ReadOnlySpan<byte> payload, string purpose)
    {
        ArgumentNullException.ThrowIfNull(guest);
        return ExceedsPayloadLimit(guest, payload.Length) ? guest.StatusResult(HostCallStatus.TooLarge, purpose) : WriteInput(guest, payload, purpose).Pack();
    }

    /// <summary>Whether a result of <paramref name="length"/> bytes is over the plugin's payload limit.</summary>
    internal static bool ExceedsPayloadLimit(GuestContext guest, int length) => length > guest.Plugin.Limits.MaxPayloadBytes;
}
