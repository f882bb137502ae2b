using Airlock.Abi;

namespace Airlock.Runtime;

/// <summary>
/// Works out which parts of linear memory a module's guest code owns, from the binary alone: its
/// active data segments, its exported <c>__data_end</c> and <c>__heap_base</c>, and its stack
/// pointer's initial value. Reads only the import, global, export and data sections, with every
/// length and index bounds-checked.
/// </summary>
internal static class WasmMemoryLayoutReader
{
    private const byte ImportSection = 2;
    private const byte GlobalSection = 6;
    private const byte ExportSection = 7;
    private const byte DataSection = 11;
    private const byte GlobalKind = 3;
    private const byte I32 = 0x7F;

    /// <summary>Reads the layout of <paramref name="module"/>, a module Wasmtime has already validated.</summary>
    /// <param name="module">The module's bytes.</param>
    /// <param name="boundaries">Addresses where host windows end (input and result offsets).</param>
    /// <exception cref="FormatException">The bytes are not a module this reader understands.</exception>
    public static GuestMemoryLayout Read(ReadOnlySpan<byte> module, IEnumerable<ulong> boundaries)
    {
        var reader = new Reader(module);
        if (reader.Remaining < 8 || !module[..4].SequenceEqual("\0asm"u8))
        {
            throw new FormatException("the bytes are not a WebAssembly binary (no \\0asm header).");
        }

        reader.Skip(8);
        int importedGlobals = 0;
        var globals = new List<GlobalInfo>();
        var exportedGlobals = new Dictionary<string, int>(StringComparer.Ordinal);
        var data = new List<(ulong Start, ulong End)>();
        while (reader.Remaining > 0)
        {
            byte id = reader.Byte();
            uint size = reader.U32();
            var section = new Reader(reader.Take(size));
            switch (id)
            {
                case ImportSection:
                    importedGlobals = CountImportedGlobals(ref section, globals);
                    break;
                case GlobalSection:
                    ReadGlobals(ref section, globals);
                    break;
                case ExportSection:
                    ReadExportedGlobals(ref section, exportedGlobals);
                    break;
                case DataSection:
                    ReadData(ref section, globals, data);
                    break;
            }
        }

        return Build(globals, importedGlobals, exportedGlobals, data, boundaries);
    }

    private static GuestMemoryLayout Build(List<GlobalInfo> globals, int importedGlobals, Dictionary<string, int> exported, List<(ulong Start, ulong End)> data, IEnumerable<ulong> boundaries)
    {
        var regions = new List<GuestMemoryRegion>();
        for (int i = 0; i < data.Count; i++)
        {
            regions.Add(new GuestMemoryRegion(data[i].Start, data[i].End, $"data segment {i}"));
        }

        ulong? dataEnd = ExportedValue(globals, exported, "__data_end");
        ulong? heapBase = ExportedValue(globals, exported, "__heap_base");
        ulong lowestData = data.Count == 0 ? ulong.MaxValue : data.Min(d => d.Start);
        ulong highestData = data.Count == 0 ? 0 : data.Max(d => d.End);

        // wasm-ld's __stack_pointer is the first global the module defines: mutable, i32, initialised
        // to a 16-byte-aligned constant.
        ulong? stackPointer = null;
        if (globals.Count > importedGlobals && globals[importedGlobals] is { Mutable: true, Value: { } sp } && sp > 0 && sp % 16 == 0)
        {
            stackPointer = sp;
        }

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

    private static ulong? ExportedValue(List<GlobalInfo> globals, Dictionary<string, int> exported, string name)
        => exported.TryGetValue(name, out int index) && index < globals.Count ? globals[index].Value : null;

    private static int CountImportedGlobals(ref Reader section, List<GlobalInfo> globals)
    {
        uint count = section.U32();
        int imported = 0;
        for (uint i = 0; i < count; i++)
        {
            section.Name();
            section.Name();
            byte kind = section.Byte();
            switch (kind)
            {
                case 0:
                    section.U32();
                    break;
                case 1:
                    section.Byte();
                    SkipLimits(ref section);
                    break;
                case 2:
                    SkipLimits(ref section);
                    break;
                case GlobalKind:
                    section.Byte();
                    section.Byte();
                    globals.Add(new GlobalInfo(false, null));
                    imported++;
                    break;
                case 4:
                    section.Byte();
                    section.U32();
                    break;
                default:
                    throw new FormatException($"import {i} has unknown kind {kind}.");
            }
        }

        return imported;
    }

    private static void SkipLimits(ref Reader section)
    {
        byte flags = section.Byte();
        section.U64();
        if ((flags & 1) != 0)
        {
            section.U64();
        }
    }

    private static void ReadGlobals(ref Reader section, List<GlobalInfo> globals)
    {
        uint count = section.U32();
        for (uint i = 0; i < count; i++)
        {
            byte type = section.Byte();
            bool mutable = section.Byte() == 1;
            ulong? value = ConstantExpression(ref section, globals);
            globals.Add(new GlobalInfo(mutable, type == I32 ? value : null));
        }
    }

    private static void ReadExportedGlobals(ref Reader section, Dictionary<string, int> exported)
    {
        uint count = section.U32();
        for (uint i = 0; i < count; i++)
        {
            string name = section.Name();
            byte kind = section.Byte();
            uint index = section.U32();
            if (kind == GlobalKind && index < int.MaxValue)
            {
                exported[name] = (int)index;
            }
        }
    }

    private static void ReadData(ref Reader section, List<GlobalInfo> globals, List<(ulong Start, ulong End)> data)
    {
        uint count = section.U32();
        for (uint i = 0; i < count; i++)
        {
            uint flags = section.U32();
            ulong? offset = null;
            bool active = flags is 0 or 2;
            uint memory = flags == 2 ? section.U32() : 0;
            if (active)
            {
                offset = ConstantExpression(ref section, globals);
            }
            else if (flags != 1)
            {
                throw new FormatException($"data segment {i} has unknown flags {flags}.");
            }

            uint size = section.U32();
            section.Skip(size);
            if (active && memory == 0 && size > 0)
            {
                // An offset from an imported global is unknown: assume the worst, the whole memory.
                ulong start = offset ?? 0;
                ulong end = offset is null ? GuestMemoryLayout.AddressSpaceEnd : start + size;
                data.Add((start, end));
            }
        }
    }

    // i32.const / i64.const / global.get of a known constant, then end. Anything else: unknown.
    private static ulong? ConstantExpression(ref Reader section, List<GlobalInfo> globals)
    {
        ulong? value = null;
        bool first = true;
        while (true)
        {
            byte op = section.Byte();
            switch (op)
            {
                case 0x0B:
                    return value;
                case 0x41:
                    long i32 = section.S64();
                    value = first ? (ulong)(uint)(int)i32 : null;
                    break;
                case 0x42:
                    section.S64();
                    value = null;
                    break;
                case 0x23:
                    uint index = section.U32();
                    value = first && index < globals.Count && !globals[(int)index].Mutable ? globals[(int)index].Value : null;
                    break;
                case 0x43:
                    section.Skip(4);
                    value = null;
                    break;
                case 0x44:
                    section.Skip(8);
                    value = null;
                    break;
                case 0xD0:
                    section.Byte();
                    value = null;
                    break;
                case 0xD2:
                    section.U32();
                    value = null;
                    break;
                case 0x6A or 0x6B or 0x6C or 0x7C or 0x7D or 0x7E:
                    // Extended constant expressions (add, sub, mul): too clever to trust.
                    value = null;
                    break;
                default:
                    throw new FormatException($"constant expression uses opcode 0x{op:x2}, which this reader does not know.");
            }

            first = false;
        }
    }

    private readonly record struct GlobalInfo(bool Mutable, ulong? Value);

    private ref struct Reader
    {
        private readonly ReadOnlySpan<byte> _bytes;
        private int _position;

        public Reader(ReadOnlySpan<byte> bytes)
        {
            _bytes = bytes;
            _position = 0;
        }

        public readonly int Remaining => _bytes.Length - _position;

        public byte Byte()
        {
            if (_position >= _bytes.Length)
            {
                throw new FormatException($"the module ends early, at byte {_position} of a {_bytes.Length}-byte section.");
            }

            return _bytes[_position++];
        }

        public void Skip(ulong count)
        {
            if (count > (ulong)Remaining)
            {
                throw new FormatException($"a length of {count} runs past the end of the section ({Remaining} bytes left).");
            }

            _position += (int)count;
        }

        public ReadOnlySpan<byte> Take(ulong count)
        {
            int start = _position;
            Skip(count);
            return _bytes[start.._position];
        }

        public uint U32()
        {
            ulong value = U64();
            return value <= uint.MaxValue ? (uint)value : throw new FormatException($"a LEB128 value {value} does not fit 32 bits.");
        }

        public ulong U64()
        {
            ulong result = 0;
            for (int shift = 0; shift < 70; shift += 7)
            {
                byte b = Byte();
                result |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                {
                    return result;
                }
            }

            throw new FormatException("a LEB128 value is longer than 10 bytes.");
        }

        public long S64()
        {
            long result = 0;
            int shift = 0;
            byte b;
            do
            {
                if (shift >= 70)
                {
                    throw new FormatException("a signed LEB128 value is longer than 10 bytes.");
                }

                b = Byte();
                result |= (long)(b & 0x7F) << shift;
                shift += 7;
            }
            while ((b & 0x80) != 0);

            if (shift < 64 && (b & 0x40) != 0)
            {
                result |= -1L << shift;
            }

            return result;
        }

        public string Name()
        {
            uint length = U32();
            return System.Text.Encoding.UTF8.GetString(Take(length));
        }
    }
}
