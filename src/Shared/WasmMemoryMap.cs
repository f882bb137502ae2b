using System;
using System.Collections.Generic;
using System.Linq;

// Compiled into both the source generator (netstandard2.0) and the host (net10.0): internal only, and
// no BCL API newer than netstandard2.0.
namespace Airlock.Wasm;

/// <summary>A range of linear memory the guest owns: [<see cref="Start"/>, <see cref="End"/>).</summary>
internal readonly struct WasmMemoryRegion : IEquatable<WasmMemoryRegion>
{
    public WasmMemoryRegion(ulong start, ulong end, string description)
    {
        Start = start;
        End = end;
        Description = description;
    }

    public ulong Start { get; }

    public ulong End { get; }

    /// <summary>What the guest keeps there: "stack", "data segment 0", …</summary>
    public string Description { get; }

    public bool Contains(ulong address) => address >= Start && address < End;

    public bool Equals(WasmMemoryRegion other) => Start == other.Start && End == other.End && Description == other.Description;

    public override bool Equals(object? obj) => obj is WasmMemoryRegion other && Equals(other);

    public override int GetHashCode() => unchecked((Start.GetHashCode() * 31) + End.GetHashCode());

    /// <summary>For example <c>stack [0x400, 0x10400)</c>.</summary>
    public override string ToString() => Description + " [0x" + Start.ToString("x", System.Globalization.CultureInfo.InvariantCulture) + ", 0x" + End.ToString("x", System.Globalization.CultureInfo.InvariantCulture) + ")";
}

/// <summary>
/// Works out which parts of linear memory a module's guest code owns, from the binary alone: its
/// active data segments, its exported <c>__data_end</c> and <c>__heap_base</c>, its stack pointer's
/// initial value, and — for the heap — what its code shows (<see cref="WasmHeapEvidence"/>). The host
/// uses it before writing at fixed offsets; the analyzers use it to report the same overlap at
/// compile time.
/// </summary>
internal static class WasmMemoryMap
{
    /// <summary>The end of a 32-bit memory: 4 GiB.</summary>
    public const ulong AddressSpaceEnd = 1UL << 32;

    /// <summary>The regions the guest owns, in the order they were found (not sorted, may overlap).</summary>
    public static IReadOnlyList<WasmMemoryRegion> GuestRegions(WasmModuleInfo info)
    {
        var data = new List<WasmMemoryRegion>();
        bool memory64 = info.ImportedMemoryCount + info.Memories.Count > 0 && FirstMemoryIs64(info);
        foreach (WasmDataSegment segment in info.DataSegments)
        {
            if (segment.IsActive && segment.MemoryIndex == 0 && segment.Length > 0)
            {
                // An offset from an imported global (or into a 64-bit memory) is unknown: assume the
                // worst, the whole memory.
                ulong? offset = memory64 || segment.Offset is not { } known ? null : (uint)known;
                ulong start = offset ?? 0;
                ulong stop = offset is null ? AddressSpaceEnd : start + segment.Length;
                data.Add(new WasmMemoryRegion(start, stop, "data segment " + data.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)));
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

        var regions = new List<WasmMemoryRegion>(data);
        ulong lowestData = data.Count == 0 ? ulong.MaxValue : data.Min(d => d.Start);
        ulong highestData = data.Count == 0 ? 0 : data.Max(d => d.End);

        if (stackPointer is { } top)
        {
            if (top <= lowestData || (data.Count == 0 && dataEnd is null))
            {
                regions.Add(new WasmMemoryRegion(0, top, "stack"));
            }
            else
            {
                ulong bottom = Math.Min(dataEnd ?? highestData, top);
                regions.Add(new WasmMemoryRegion(bottom, top, "stack"));
            }
        }

        // The linker ends static memory at __heap_base: what lies between the data and stack we know of
        // and __heap_base is zero-initialised data without a segment. (Knowing neither, where static
        // memory starts is unknown, and none is assumed.)
        ulong staticEnd = Math.Max(Math.Max(highestData, dataEnd ?? 0), stackPointer ?? 0);
        if (heapBase is { } heapStart && heapStart > staticEnd && staticEnd > 0)
        {
            regions.Add(new WasmMemoryRegion(staticEnd, heapStart, "static data (to __heap_base)"));
        }

        // Code that grows memory or starts a heap at __heap_base may hand out any address from there to
        // the end of memory; without that evidence, nothing above the static memory is the guest's.
        // Without __heap_base, assume the allocator takes everything above the last thing we know of.
        if (info.HeapEvidence.ShowsHeap)
        {
            if (heapBase is { } heap)
            {
                regions.Add(new WasmMemoryRegion(heap, AddressSpaceEnd, "heap (from __heap_base)"));
            }
            else if (staticEnd > 0)
            {
                regions.Add(new WasmMemoryRegion(staticEnd, AddressSpaceEnd, "heap (after data and stack)"));
            }
        }

        if (dataEnd is { } end && end > lowestData && lowestData != ulong.MaxValue)
        {
            regions.Add(new WasmMemoryRegion(lowestData, end, "static data (to __data_end)"));
        }

        return regions;
    }

    /// <summary>The first non-empty region (by start address) that contains <paramref name="address"/>, if any.</summary>
    public static WasmMemoryRegion? RegionAt(IReadOnlyList<WasmMemoryRegion> regions, ulong address)
    {
        WasmMemoryRegion? found = null;
        foreach (WasmMemoryRegion region in regions)
        {
            if (region.End > region.Start && region.Contains(address) && (found is null || region.Start < found.Value.Start))
            {
                found = region;
            }
        }

        return found;
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
