using System;

// Compiled into both the source generator (netstandard2.0) and the host (net10.0): internal only, and
// no BCL API newer than netstandard2.0.
namespace Airlock.Wasm;

// Function bodies, decoded instruction by instruction for WasmHeapEvidence: whether the code grows or
// measures memory, or takes the address of __heap_base. Decoding every immediate is what makes the
// evidence sound: a byte 0x40 inside an immediate is not a memory.grow. Known instructions are those of
// the core specification with sign extension, saturating conversions, bulk memory, reference types,
// multi-memory, memory64, SIMD (and relaxed SIMD), threads, tail calls, typed function references and
// exception handling. Anything else (GC instructions, for example) stops the decoding of that body and
// is reported as undecoded code, which callers treat as "may use a heap". A body that does not decode
// never fails the read: the host has Wasmtime validate the module first, and the build-time check only
// reports what the host would.
internal static partial class WasmModuleReader
{
    // The address __heap_base holds and the global that exports it.
    private readonly record struct HeapBase(uint Global, uint Address);

    private ref partial struct Parser
    {
        private void ScanBody(uint function, int bodyEnd)
        {
            int sectionEnd = _end;
            _end = bodyEnd;
            try
            {
                if (_undecodedCode is null)
                {
                    DecodeBody(function);
                }
            }
            catch (WasmFormatException exception)
            {
                _undecodedCode = $"function {function} does not decode: {exception.Message}";
            }
            finally
            {
                _end = sectionEnd;
                _position = bodyEnd;
            }
        }

        // A pointer initialised to __heap_base lives in a data segment as the address's bytes.
        private void ScanData(ReadOnlySpan<byte> bytes)
        {
            if (FindHeapBase() is not { Address: not 0 } heap || _takesHeapBase)
            {
                return;
            }

            ReadOnlySpan<byte> address = [(byte)heap.Address, (byte)(heap.Address >> 8), (byte)(heap.Address >> 16), (byte)(heap.Address >> 24)];
            _takesHeapBase = bytes.IndexOf(address) >= 0;
        }

        // The export section precedes the code and data sections, so by then the export is known.
        private HeapBase? FindHeapBase()
        {
            if (!_heapBaseKnown)
            {
                _heapBaseKnown = true;
                if (_exportsByName.TryGetValue("__heap_base", out WasmExport? export) && export.Kind == WasmExternalKind.Global
                    && _globalSpace[(int)export.Index] is { Type: WasmType.I32, ConstantValue: { } value })
                {
                    _heapBase = new HeapBase(export.Index, (uint)value);

                    // A bump pointer kept in a global starts at __heap_base. The first global is skipped:
                    // it is wasm-ld's stack pointer, which starts there too when the stack comes last.
                    for (int i = 1; i < _globals.Count && value != 0; i++)
                    {
                        _takesHeapBase |= _globals[i] is { Type: WasmType.I32, Mutable: true } global && global.ConstantValue == value;
                    }
                }
            }

            return _heapBase;
        }

        private void DecodeBody(uint function)
        {
            HeapBase? heap = FindHeapBase();
            uint locals = U32();
            for (uint i = 0; i < locals; i++)
            {
                _ = U32();
                if (!SkipValueType())
                {
                    _undecodedCode = $"function {function} declares a local of a type this reader does not know, at byte {_position - 1}";
                    return;
                }
            }

            while (_position < _end)
            {
                int at = _position;
                byte op = Byte();
                if (!SkipInstruction(op, heap))
                {
                    _undecodedCode = $"function {function} uses opcode 0x{op:x2} at byte {at}, which this reader does not decode";
                    return;
                }
            }
        }

        // Reads one instruction's immediates, noting what matters for the heap evidence; false for an
        // instruction this reader does not know.
        private bool SkipInstruction(byte op, HeapBase? heap)
        {
            switch (op)
            {
                case 0x00 or 0x01 or 0x05 or 0x0A or 0x0B or 0x0F or 0x19 or 0x1A or 0x1B or 0xD1 or 0xD3 or 0xD4:
                    return true;
                case >= 0x45 and <= 0xC4:
                    // Numeric instructions, sign extension included: no immediates.
                    return true;
                case 0x02 or 0x03 or 0x04 or 0x06:
                    SkipBlockType();
                    return true;
                case 0x07 or 0x08 or 0x09 or 0x0C or 0x0D or 0x10 or 0x12 or 0x14 or 0x15 or 0x18 or 0x20 or 0x21 or 0x22 or 0x24 or 0x25 or 0x26 or 0xD2 or 0xD5 or 0xD6:
                    _ = U32();
                    return true;
                case 0x0E:
                    // br_table: the targets and the default.
                    for (uint targets = U32(), i = 0; i <= targets; i++)
                    {
                        _ = U32();
                    }

                    return true;
                case 0x11 or 0x13:
                    _ = U32();
                    _ = U32();
                    return true;
                case 0x1C:
                    for (uint types = U32(), i = 0; i < types; i++)
                    {
                        if (!SkipValueType())
                        {
                            return false;
                        }
                    }

                    return true;
                case 0x1F:
                    return SkipTryTable();
                case >= 0x28 and <= 0x3E:
                    SkipMemoryArgument();
                    return true;
                case 0x3F:
                    _ = U32();
                    _measuresMemory = true;
                    return true;
                case 0x40:
                    _ = U32();
                    _growsMemory = true;
                    return true;
                case 0x23:
                    _takesHeapBase |= U32() == heap?.Global;
                    return true;
                case 0x41:
                    uint constant = (uint)S32();
                    _takesHeapBase |= heap is { Address: not 0 } known && constant == known.Address;
                    return true;
                case 0x42:
                    _ = S64();
                    return true;
                case 0x43:
                    Skip(4);
                    return true;
                case 0x44:
                    Skip(8);
                    return true;
                case 0xD0:
                    _ = S33();
                    return true;
                case 0xFC:
                    return SkipMiscellaneous(U32());
                case 0xFD:
                    return SkipVector(U32());
                case 0xFE:
                    return SkipAtomic(U32());
                default:
                    return false;
            }
        }

        // 0x40 (empty), a value type, or a type index: all one s33, except (ref null? ht), which is 0x63/0x64 and a heap type.
        private void SkipBlockType()
        {
            if (Peek() is 0x63 or 0x64)
            {
                _position++;
            }

            _ = S33();
        }

        private bool SkipValueType()
        {
            switch (Byte())
            {
                case 0x7F or 0x7E or 0x7D or 0x7C or 0x7B or 0x70 or 0x6F:
                    return true;
                case 0x63 or 0x64:
                    _ = S33();
                    return true;
                default:
                    return false;
            }
        }

        // try_table: a block type, then catch clauses (catch and catch_ref name a tag and a label, catch_all and catch_all_ref a label).
        private bool SkipTryTable()
        {
            SkipBlockType();
            for (uint clauses = U32(), i = 0; i < clauses; i++)
            {
                byte kind = Byte();
                if (kind > 3)
                {
                    return false;
                }

                if (kind < 2)
                {
                    _ = U32();
                }

                _ = U32();
            }

            return true;
        }

        // Alignment (bit 6 says a memory index follows) and an offset, a u64 for 64-bit memories.
        private void SkipMemoryArgument()
        {
            if ((U32() & 0x40) != 0)
            {
                _ = U32();
            }

            _ = U64();
        }

        private bool SkipMiscellaneous(uint op)
        {
            switch (op)
            {
                case <= 7:
                    return true;
                case 8 or 10 or 12 or 14:
                    _ = U32();
                    _ = U32();
                    return true;
                case 9 or 11 or 13 or 15 or 16 or 17:
                    _ = U32();
                    return true;
                default:
                    return false;
            }
        }

        private bool SkipVector(uint op)
        {
            switch (op)
            {
                case <= 11 or 92 or 93:
                    SkipMemoryArgument();
                    return true;
                case 12 or 13:
                    Skip(16);
                    return true;
                case >= 21 and <= 34:
                    Skip(1);
                    return true;
                case >= 84 and <= 91:
                    SkipMemoryArgument();
                    Skip(1);
                    return true;
                case <= 0x113:
                    // Every other SIMD and relaxed SIMD instruction has no immediates.
                    return true;
                default:
                    return false;
            }
        }

        private bool SkipAtomic(uint op)
        {
            switch (op)
            {
                case <= 2 or (>= 0x10 and <= 0x4E):
                    SkipMemoryArgument();
                    return true;
                case 3:
                    Skip(1);
                    return true;
                default:
                    return false;
            }
        }
    }
}
