using Airlock.Abi;
using Airlock.Wasm;

namespace Airlock.Runtime;

/// <summary>
/// Works out which parts of linear memory a module's guest code owns, from the binary alone: its
/// active data segments, its exported <c>__data_end</c> and <c>__heap_base</c>, and its stack
/// pointer's initial value. Reads the module with <see cref="WasmModuleReader"/>, which checks every
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
    {
        var data = new List<(ulong Start, ulong End)>();
        bool memory64 = info.ImportedMemoryCount + info.Memories.Count > 0 && FirstMemoryIs64(info);
        foreach (WasmDataSegment segment in info.DataSegments)
        {
            if (segment.IsActive && segment.MemoryIndex == 0 && segment.Length > 0)
            {
                // An offset from an imported global (or into a 64-bit memory) is unknown: assume the
                // worst, the whole memory.
                ulong? offset = memory64 || segment.Offset is not { } known ? null : (uint)known;
                ulong start = offset ?? 0;
                ulong end = offset is null ? GuestMemoryLayout.AddressSpaceEnd : start + segment.Length;
                data.Add((start, end));
            }
        }

        ulong? dataEnd = ExportedAddress(info, "__data_end");
        ulong? heapBase = ExportedAddress(info, "__heap_base");

        // wasm-ld's __stack_pointer is the first global the module defines: mutable, i32, initialised
        // to a 16-byte-aligned constant.
        ulong? stackPointer = null;
        if (info.Globals.Count > 0 && info.Globals[0] is { Type: WasmType.I32, Mutable: true, ConstantValue: { } value } && (uint)value > 0 && (uint)value % 16 == 0)
        {
            stackPointer = (uint)value;
        }

        return Build(data, dataEnd, heapBase, stackPointer, boundaries);
    }

    private static GuestMemoryLayout Build(List<(ulong Start, ulong End)> data, ulong? dataEnd, ulong? heapBase, ulong? stackPointer, IEnumerable<ulong> boundaries)
    {
        var regions = new List<GuestMemoryRegion>();
        for (int i = 0; i < data.Count; i++)
        {
            regions.Add(new GuestMemoryRegion(data[i].Start, data[i].End, $"data segment {i}"));
        }

        ulong lowestData = data.Count == 0 ? ulong.MaxValue : data.Min(d => d.Start);
        ulong highestData = data.Count == 0 ? 0 : data.Max(d => d.End);

        if (stackPointer is { } top)
        {
            if (top <= lowestData || (data.Count == 0 && dataEnd is null))
            {
                regions.Add(new GuestMemoryRegion(0, top, "stack"));
            }
            else
            {
                ulong bottom = Math.Min(dataEnd ?? highestData, top);
                regions.Add(new GuestMemoryRegion(bottom, top, "stack"));
            }
        }

        if (heapBase is { } heap)
        {
            regions.Add(new GuestMemoryRegion(heap, GuestMemoryLayout.AddressSpaceEnd, "heap (from __heap_base)"));
        }
        else
        {
            // Without __heap_base, assume the allocator takes everything above the last thing we know of.
            ulong known = Math.Max(Math.Max(highestData, dataEnd ?? 0), stackPointer ?? 0);
            if (known > 0)
            {
                regions.Add(new GuestMemoryRegion(known, GuestMemoryLayout.AddressSpaceEnd, "heap (after data and stack)"));
            }
        }

        if (dataEnd is { } end && end > lowestData && lowestData != ulong.MaxValue)
        {
            regions.Add(new GuestMemoryRegion(lowestData, end, "static data (to __data_end)"));
        }

        return new GuestMemoryLayout(regions, boundaries);
    }

    // Exported i32 globals with a constant value: addresses. Anything else (imported, i64, computed): unknown.
    private static ulong? ExportedAddress(WasmModuleInfo info, string name)
        => info.TryGetExportedGlobal(name, out WasmGlobalType type, out long? value) && type.Type == WasmType.I32 && value is { } known ? (uint)known : null;

    private static bool FirstMemoryIs64(WasmModuleInfo info)
    {
        foreach (WasmImport import in info.Imports)
        {
            if (import is { Kind: WasmExternalKind.Memory, Memory: { } limits })
            {
                return limits.Is64;
            }
        }

        return info.Memories[0].Is64;
    }
}
