using Airlock.Abi;
using Airlock.Wasm;

namespace Airlock.Runtime;

/// <summary>
/// The public <see cref="GuestMemoryLayout"/> of a module, from <see cref="WasmMemoryMap"/> (shared with
/// the compile-time checks). Reads the module with <see cref="WasmModuleReader"/>, which checks every
/// length, count and index.
/// </summary>
internal static class WasmMemoryLayoutReader
{
    /// <summary>Reads the layout of <paramref name="module"/>, a module Wasmtime has already validated.</summary>
    /// <param name="module">The module's bytes.</param>
    /// <param name="boundaries">Addresses where host windows end (input and result offsets).</param>
    /// <exception cref="FormatException">The bytes are not a module this reader understands.</exception>
    public static GuestMemoryLayout Read(ReadOnlySpan<byte> module, IEnumerable<ulong> boundaries)
    {
        WasmModuleInfo info;
        try
        {
            info = WasmModuleReader.Read(module);
        }
        catch (WasmFormatException exception)
        {
            throw new FormatException(exception.Message, exception);
        }

        return Read(info, boundaries);
    }

    /// <summary>Works out the layout of a module already read.</summary>
    /// <param name="info">The module.</param>
    /// <param name="boundaries">Addresses where host windows end (input and result offsets).</param>
    public static GuestMemoryLayout Read(WasmModuleInfo info, IEnumerable<ulong> boundaries)
        => new(WasmMemoryMap.GuestRegions(info).Select(r => new GuestMemoryRegion(r.Start, r.End, r.Description)), boundaries);
}
