namespace Airlock.Abi;

/// <summary>
/// A region of a plugin's linear memory: an unsigned 32-bit pointer and length. The canonical empty
/// buffer is <c>(0, 0)</c>; a zero-length buffer at any in-bounds address is a valid empty value.
/// </summary>
/// <param name="Pointer">The region's start address.</param>
/// <param name="Length">The region's length in bytes.</param>
public readonly record struct GuestBuffer(uint Pointer, uint Length)
{
    /// <summary>The pointer as the <c>i32</c> a wasm function takes.</summary>
    public int WasmPointer => unchecked((int)Pointer);

    /// <summary>The length as the <c>i32</c> a wasm function takes.</summary>
    public int WasmLength => unchecked((int)Length);

    /// <summary>Whether the region has no bytes.</summary>
    public bool IsEmpty => Length == 0;

    /// <summary>Packs the region as <c>(ptr &lt;&lt; 32) | len</c>.</summary>
    public long Pack() => unchecked((long)(((ulong)Pointer << 32) | Length));

    /// <summary>Unpacks <c>(ptr &lt;&lt; 32) | len</c>, reading both halves as unsigned.</summary>
    /// <param name="packed">The packed value a plugin returned.</param>
    public static GuestBuffer Unpack(long packed)
    {
        ulong bits = unchecked((ulong)packed);
        return new GuestBuffer((uint)(bits >> 32), (uint)bits);
    }

    /// <summary>Reads the <c>(ptr, len)</c> arguments of a wasm function as unsigned values.</summary>
    /// <param name="pointer">The <c>i32</c> pointer argument.</param>
    /// <param name="length">The <c>i32</c> length argument.</param>
    public static GuestBuffer FromWasm(int pointer, int length) => new(unchecked((uint)pointer), unchecked((uint)length));

    /// <inheritdoc/>
    public override string ToString() => $"{Length} bytes at 0x{Pointer:x8}";
}
