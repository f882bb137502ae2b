using System.Buffers.Binary;
using System.ComponentModel;

namespace Airlock.Abi;

/// <summary>
/// The wasm-bindgen ABI (<see cref="WasmAbi.WasmBindgen"/>): what generated bindings need besides the
/// payload readers and writers the packed ABI shares. Arguments are allocated with
/// <c>__wbindgen_malloc</c> and belong to the callee from the moment they are passed (the host never
/// frees them: freeing a buffer the callee already freed corrupts its heap). A buffer result arrives
/// as <c>(ptr, len)</c> in a return slot the host passes as the first parameter; the host reads it and
/// frees it with <c>__wbindgen_free</c>. See <c>docs/abi/wasm-bindgen.md</c>.
/// </summary>
public static class WasmBindgen
{
    // What wasm-bindgen 0.2.83's __wbindgen_malloc(0) returns (a dangling, 4-aligned address): an
    // empty argument is passed with it rather than with 0, which Rust may not turn into a slice.
    private const int EmptyPointer = 4;

    /// <summary>
    /// The instance's return slot: 8 bytes allocated once with <c>__wbindgen_malloc</c> and reused by
    /// every call (the module has no <c>__wbindgen_add_to_stack_pointer</c> to carve it from the stack).
    /// </summary>
    /// <param name="guest">The instance.</param>
    /// <returns>The slot's address, to pass as the export's first parameter.</returns>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static int ReturnSlot(GuestContext guest)
    {
        ArgumentNullException.ThrowIfNull(guest);
        return guest.WasmBindgenReturnSlot();
    }

    /// <summary>The pointer to pass for an argument: an empty one is passed as wasm-bindgen passes it.</summary>
    /// <param name="argument">The argument's buffer.</param>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static int Pointer(GuestBuffer argument) => argument.Length == 0 ? EmptyPointer : argument.WasmPointer;

    /// <summary>
    /// Reads the <c>(ptr, len)</c> an export wrote to the return slot, as the packed <c>i64</c> the
    /// result readers take (they check the region and free it once read).
    /// </summary>
    /// <param name="guest">The instance.</param>
    /// <param name="slot">The slot from <see cref="ReturnSlot"/>.</param>
    /// <param name="region">What the result is, for error messages.</param>
    /// <exception cref="GuestMemoryAccessException">The slot no longer lies within memory.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static long TakeReturn(GuestContext guest, int slot, string region)
    {
        ArgumentNullException.ThrowIfNull(guest);
        ReadOnlySpan<byte> words = guest.GetSpan(new GuestBuffer(unchecked((uint)slot), 8), "return slot of the ", region);
        uint pointer = BinaryPrimitives.ReadUInt32LittleEndian(words);
        uint length = BinaryPrimitives.ReadUInt32LittleEndian(words[4..]);
        return length == 0 ? 0 : ((long)pointer << 32) | length;
    }
}
