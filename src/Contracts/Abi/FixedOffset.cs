using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Serialization.Metadata;

namespace Airlock.Abi;

/// <summary>
/// The fixed-offset ABI: inputs written at the contract's input offset, results read from the offset
/// an export returns (with the length from the result-length export or the input's), and host-function
/// results framed at the host module's result offset. Nothing is ever written into memory the guest
/// owns. See <c>docs/abi/fixed-offset.md</c>.
/// </summary>
public static class FixedOffset
{
    /// <summary>The bytes of a host result's frame besides the result: the length prefix and the trailing 0.</summary>
    public const int ResultFrameOverhead = sizeof(uint) + 1;

    /// <summary>
    /// Writes an input at <paramref name="offset"/>, growing memory when it does not reach far enough.
    /// </summary>
    /// <param name="guest">The instance.</param>
    /// <param name="payload">The input.</param>
    /// <param name="offset">The contract's input offset.</param>
    /// <param name="purpose">What the input is, for error messages.</param>
    /// <returns>The input's length, the second argument of the export.</returns>
    /// <exception cref="PluginInputTooLargeException">The input does not fit between the offset and the first memory the guest owns.</exception>
    public static int WriteInput(GuestContext guest, ReadOnlySpan<byte> payload, int offset, string purpose)
    {
        payload.CopyTo(ReserveInput(guest, payload.Length, offset, purpose));
        return payload.Length;
    }

    /// <summary>Writes text as UTF-8 at <paramref name="offset"/>; see <see cref="WriteInput"/>.</summary>
    /// <param name="guest">The instance.</param>
    /// <param name="value">The text.</param>
    /// <param name="offset">The contract's input offset.</param>
    /// <param name="purpose">What the input is, for error messages.</param>
    public static int WriteUtf8(GuestContext guest, string value, int offset, string purpose)
    {
        ArgumentNullException.ThrowIfNull(value);
        int length = Encoding.UTF8.GetByteCount(value);
        Encoding.UTF8.GetBytes(value, ReserveInput(guest, length, offset, purpose));
        return length;
    }

    /// <summary>Writes a JSON input at <paramref name="offset"/>; see <see cref="WriteInput"/>.</summary>
    /// <typeparam name="T">The payload type.</typeparam>
    /// <param name="guest">The instance.</param>
    /// <param name="value">The value.</param>
    /// <param name="typeInfo">The payload type's JSON metadata.</param>
    /// <param name="offset">The contract's input offset.</param>
    /// <param name="purpose">What the input is, for error messages.</param>
    public static int WriteJson<T>(GuestContext guest, T value, JsonTypeInfo<T> typeInfo, int offset, string purpose)
    {
        ArgumentNullException.ThrowIfNull(guest);
        int length = WriteInput(guest, JsonPayload.Serialize(guest, value, typeInfo), offset, purpose);
        guest.TrimScratch();
        return length;
    }

    /// <summary>Writes a union input at <paramref name="offset"/>; see <see cref="WasmJsonUnion{T}"/> and <see cref="WriteInput"/>.</summary>
    /// <typeparam name="T">The union type.</typeparam>
    /// <param name="guest">The instance.</param>
    /// <param name="value">The value.</param>
    /// <param name="union">The union's cases.</param>
    /// <param name="offset">The contract's input offset.</param>
    /// <param name="purpose">What the input is, for error messages.</param>
    public static int WriteJson<T>(GuestContext guest, T value, WasmJsonUnion<T> union, int offset, string purpose)
    {
        ArgumentNullException.ThrowIfNull(guest);
        ArgumentNullException.ThrowIfNull(union);
        UnionJson json = union.Serialize(guest, value);
        json.CopyTo(ReserveInput(guest, json.Length, offset, purpose));
        guest.TrimScratch();
        return json.Length;
    }

    /// <summary>
    /// Locates the result of an export that returned <paramref name="resultOffset"/>. Returns the empty
    /// buffer for "no change": a result offset of 0 or a length of 0.
    /// </summary>
    /// <param name="guest">The instance the export ran on.</param>
    /// <param name="resultOffset">What the export returned.</param>
    /// <param name="inputLength">The length of the input the export was given.</param>
    /// <param name="resultLength">
    /// The module's result-length export, called at once with <paramref name="inputLength"/>; when
    /// <see langword="null"/> the result is as long as the input.
    /// </param>
    /// <param name="region">What the result is, for error messages.</param>
    /// <exception cref="GuestMemoryAccessException">The result lies outside memory or is over the payload limit.</exception>
    public static GuestBuffer TakeResult(GuestContext guest, int resultOffset, int inputLength, Func<int, int>? resultLength, string region)
    {
        ArgumentNullException.ThrowIfNull(guest);
        if (resultOffset == 0)
        {
            return default;
        }

        uint length = resultLength is null ? (uint)inputLength : unchecked((uint)resultLength(inputLength));
        if (length == 0)
        {
            return default;
        }

        var buffer = new GuestBuffer(unchecked((uint)resultOffset), length);
        _ = guest.ReadPayload(buffer, region);
        return buffer;
    }

    /// <summary>
    /// Hands a host function's result to the guest: frames it at <paramref name="resultOffset"/> as a
    /// little-endian <c>u32</c> length, the bytes and a 0 byte, and returns the offset.
    /// </summary>
    /// <param name="guest">The calling instance.</param>
    /// <param name="payload">The result bytes.</param>
    /// <param name="resultOffset">The host module's result offset.</param>
    /// <param name="purpose">What the result is, for error messages.</param>
    /// <returns>
    /// <paramref name="resultOffset"/>, or <see cref="HostCallStatus.TooLarge"/> when the frame does
    /// not fit before the first memory the guest owns (nothing is written then).
    /// </returns>
    public static int ReturnResult(GuestContext guest, ReadOnlySpan<byte> payload, int resultOffset, string purpose)
    {
        if (!TryReserveResult(guest, payload.Length, resultOffset, purpose, out Span<byte> destination))
        {
            return (int)guest.StatusResult(HostCallStatus.TooLarge, purpose);
        }

        payload.CopyTo(destination);
        return resultOffset;
    }

    /// <summary>Returns text from a host function; <see langword="null"/> writes nothing and returns 0.</summary>
    /// <param name="guest">The calling instance.</param>
    /// <param name="value">The text.</param>
    /// <param name="resultOffset">The host module's result offset.</param>
    /// <param name="purpose">What the result is, for error messages.</param>
    public static int ReturnUtf8(GuestContext guest, string? value, int resultOffset, string purpose)
    {
        if (value is null)
        {
            return 0;
        }

        int length = Encoding.UTF8.GetByteCount(value);
        if (!TryReserveResult(guest, length, resultOffset, purpose, out Span<byte> destination))
        {
            return (int)guest.StatusResult(HostCallStatus.TooLarge, purpose);
        }

        Encoding.UTF8.GetBytes(value, destination);
        return resultOffset;
    }

    /// <summary>Returns bytes from a host function; <see langword="null"/> writes nothing and returns 0.</summary>
    /// <param name="guest">The calling instance.</param>
    /// <param name="value">The bytes.</param>
    /// <param name="resultOffset">The host module's result offset.</param>
    /// <param name="purpose">What the result is, for error messages.</param>
    public static int ReturnBytes(GuestContext guest, byte[]? value, int resultOffset, string purpose)
        => value is null ? 0 : ReturnResult(guest, value, resultOffset, purpose);

    /// <summary>Returns a JSON result from a host function; <see langword="null"/> writes nothing and returns 0.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="guest">The calling instance.</param>
    /// <param name="value">The result.</param>
    /// <param name="typeInfo">The result type's JSON metadata.</param>
    /// <param name="resultOffset">The host module's result offset.</param>
    /// <param name="purpose">What the result is, for error messages.</param>
    public static int ReturnJson<T>(GuestContext guest, T? value, JsonTypeInfo<T> typeInfo, int resultOffset, string purpose)
    {
        ArgumentNullException.ThrowIfNull(guest);
        if (value is null)
        {
            return 0;
        }

        int result = ReturnResult(guest, JsonPayload.Serialize(guest, value, typeInfo), resultOffset, purpose);
        guest.TrimScratch();
        return result;
    }

    // Checks the input window, grows memory and returns the span the input goes into.
    private static Span<byte> ReserveInput(GuestContext guest, int length, int offset, string purpose)
    {
        ArgumentNullException.ThrowIfNull(guest);
        ulong start = (uint)offset;
        ulong end = guest.FreeWindowEnd(start);
        if (start + (ulong)length > end)
        {
            guest.FreeWindowEnd(start, out string limit);
            throw new PluginInputTooLargeException(guest.Plugin.Id, guest.Export, purpose, length, (long)(end - start), limit);
        }

        guest.EnsureMemory(start + (ulong)length);
        return guest.GetSpan(new GuestBuffer((uint)offset, (uint)length), purpose);
    }

    // Checks the result window, grows memory, writes the frame's length and trailing 0, and returns
    // the span between them for the result's bytes.
    private static bool TryReserveResult(GuestContext guest, int length, int resultOffset, string purpose, out Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(guest);
        ulong start = (uint)resultOffset;
        ulong frameEnd = start + (ulong)length + ResultFrameOverhead;
        if (frameEnd > guest.FreeWindowEnd(start))
        {
            destination = default;
            return false;
        }

        guest.EnsureMemory(frameEnd);
        Span<byte> frame = guest.GetSpan(new GuestBuffer((uint)resultOffset, (uint)(frameEnd - start)), purpose);
        BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)length);
        frame[^1] = 0;
        destination = frame[sizeof(uint)..^1];
        return true;
    }
}
