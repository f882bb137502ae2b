using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Text;

// Compiled into both the source generator (netstandard2.0) and the host (net10.0): internal only, and
// no BCL API newer than netstandard2.0.
namespace Airlock.Wasm;

/// <summary>The bytes are not a WebAssembly module <see cref="WasmModuleReader"/> can read.</summary>
internal sealed class WasmFormatException : Exception
{
    public WasmFormatException()
    {
    }

    public WasmFormatException(string message)
        : base(message)
    {
    }

    public WasmFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Reads a WebAssembly core module's structure — types, imports, functions, tables, memories, globals,
/// exports, data segments — with every length, count and index checked. Supports multi-value,
/// reference types, bulk memory, memory64, threads' shared memories, exception tags and extended
/// constant expressions (whose values it reports as unknown). Anything it cannot read, on any input, is
/// a <see cref="WasmFormatException"/> naming the section and the byte offset. Function bodies are
/// decoded only for <see cref="WasmHeapEvidence"/> (see <c>WasmModuleReader.Code.cs</c>); an
/// instruction the reader does not know is reported there, never as an error.
/// </summary>
internal static partial class WasmModuleReader
{
    /// <summary>Memory pages a 32-bit memory can have: 4 GiB.</summary>
    private const ulong MaxPages32 = 65536;

    /// <summary>Memory pages a 64-bit memory can have: 2^64 bytes.</summary>
    private const ulong MaxPages64 = 1UL << 48;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads <paramref name="module"/>.</summary>
    /// <exception cref="WasmFormatException">The bytes are not a module this reader understands.</exception>
    public static WasmModuleInfo Read(ReadOnlySpan<byte> module) => new Parser(module).ParseModule();

    /// <summary>
    /// Reads what compiling <paramref name="module"/> would cost — how many functions it defines and how
    /// large their bodies are — from its section headers and the sizes of its function bodies alone:
    /// nothing is decoded, so this is cheap whatever the module holds, and a host can refuse a module
    /// before compiling it.
    /// </summary>
    /// <exception cref="WasmFormatException">The sections cannot be walked (bad header, truncated or out-of-order sections, inconsistent counts).</exception>
    public static WasmCodeSize ReadCodeSize(ReadOnlySpan<byte> module) => new Parser(module) { SizesOnly = true }.ParseCodeSize();

    /// <summary>The names of a module's custom sections, in order, read from the section headers alone (nothing else is decoded).</summary>
    /// <exception cref="WasmFormatException">The sections cannot be walked.</exception>
    public static IReadOnlyList<string> ReadCustomSectionNames(ReadOnlySpan<byte> module) => new Parser(module) { SizesOnly = true, CustomSectionNames = true }.ParseCustomSectionNames();

    private static string SectionName(byte id) => id switch
    {
        0 => "custom section",
        1 => "type section",
        2 => "import section",
        3 => "function section",
        4 => "table section",
        5 => "memory section",
        6 => "global section",
        7 => "export section",
        8 => "start section",
        9 => "element section",
        10 => "code section",
        11 => "data section",
        12 => "data count section",
        13 => "tag section",
        _ => "section " + id.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    // The position of each known section in the order the binary format requires; 0 for custom
    // sections (anywhere), -1 for unknown ids.
    private static int SectionRank(byte id) => id switch
    {
        0 => 0,
        1 or 2 or 3 or 4 or 5 => id,
        13 => 6,
        6 or 7 or 8 or 9 => id + 1,
        12 => 11,
        10 => 12,
        11 => 13,
        _ => -1,
    };

    private static string Plural(ulong count, string noun, string? plural = null)
        => count.ToString(System.Globalization.CultureInfo.InvariantCulture) + " " + (count == 1 ? noun : plural ?? noun + "s");

    // Names from the module, cut short for error messages.
    private static string Shorten(string name) => name.Length <= 64 ? name : name.Substring(0, 61) + "...";

    private readonly record struct ConstantExpression(WasmType? Type, long? Value);

    private ref partial struct Parser
    {
        private readonly ReadOnlySpan<byte> _bytes;
        private readonly List<WasmFunctionSignature> _types = [];
        private readonly List<WasmImport> _imports = [];
        private readonly List<uint> _functions = [];
        private readonly List<uint> _functionTypes = [];
        private readonly List<WasmTableType> _tables = [];
        private readonly List<WasmLimits> _memories = [];
        private readonly List<WasmLimits> _memorySpace = [];
        private readonly List<WasmGlobal> _globals = [];
        private readonly List<WasmGlobal> _globalSpace = [];
        private readonly List<uint> _tags = [];
        private readonly List<WasmExport> _exports = [];
        private readonly Dictionary<string, WasmExport> _exportsByName = new(StringComparer.Ordinal);
        private readonly List<WasmDataSegment> _data = [];
        private readonly List<string> _customSections = [];
        private int _position;
        private int _end;
        private string _section = "module header";
        private int _tableCount;
        private int _tagCount;
        private uint? _start;
        private uint? _dataCount;
        private int? _codeCount;
        private bool _growsMemory;
        private bool _measuresMemory;
        private bool _takesHeapBase;
        private string? _undecodedCode;
        private HeapBase? _heapBase;
        private bool _heapBaseKnown;
        private int _declaredFunctions;
        private long _codeBytes;
        private uint _largestBody;
        private int _largestBodyIndex = -1;

        public Parser(ReadOnlySpan<byte> bytes)
        {
            _bytes = bytes;
            _end = bytes.Length;
        }

        private readonly int Remaining => _end - _position;

        /// <summary>Reads only the counts and sizes <see cref="ParseCodeSize"/> reports, skipping everything else.</summary>
        public bool SizesOnly { get; init; }

        /// <summary>With <see cref="SizesOnly"/>, reads the names of the custom sections instead of the sizes.</summary>
        public bool CustomSectionNames { get; init; }

        public WasmCodeSize ParseCodeSize()
        {
            ReadSections();
            _section = "module";
            _end = _bytes.Length;
            if ((_codeCount ?? 0) != _declaredFunctions)
            {
                throw Invalid($"the code section has {Plural((uint)(_codeCount ?? 0), "function body", "function bodies")} but the function section declares {Plural((uint)_declaredFunctions, "function")}");
            }

            return new WasmCodeSize(_declaredFunctions, _codeBytes, _largestBody, _largestBodyIndex);
        }

        public IReadOnlyList<string> ParseCustomSectionNames()
        {
            ReadSections();
            return _customSections.ToArray();
        }

        public WasmModuleInfo ParseModule()
        {
            ReadSections();
            _section = "module";
            _end = _bytes.Length;
            if ((_codeCount ?? 0) != _functions.Count)
            {
                throw Invalid($"the function section declares {Plural((uint)_functions.Count, "function")} but there is no code section");
            }

            if (_dataCount is { } dataCount && dataCount != (uint)_data.Count)
            {
                throw Invalid($"the data count section says {dataCount} but there are {Plural((uint)_data.Count, "data segment")}");
            }

            // Also for a module without code or data, whose globals may still hold __heap_base.
            _ = FindHeapBase();
            return new WasmModuleInfo(
                Freeze(_types),
                Freeze(_imports),
                Freeze(_functions),
                Freeze(_tables),
                Freeze(_memories),
                Freeze(_globals),
                Freeze(_tags),
                Freeze(_exports),
                Freeze(_data),
                Freeze(_customSections),
                _start,
                _dataCount,
                new WasmHeapEvidence(_growsMemory, _measuresMemory, _takesHeapBase, _undecodedCode),
                Freeze(_functionTypes),
                Freeze(_globalSpace),
                new Dictionary<string, WasmExport>(_exportsByName, StringComparer.Ordinal));
        }

        // The header and every section in order, each read by ReadSection within its declared size.
        private void ReadSections()
        {
            ReadHeader();
            int lastRank = 0;
            byte lastId = 0;
            while (_position < _bytes.Length)
            {
                int sectionStart = _position;
                _section = "section header";
                _end = _bytes.Length;
                byte id = Byte();
                int rank = SectionRank(id);
                if (rank < 0)
                {
                    throw new WasmFormatException($"invalid section header at byte {sectionStart}: unknown section id {id}");
                }

                uint size = U32();
                if (size > (uint)Remaining)
                {
                    throw new WasmFormatException($"truncated {SectionName(id)} at byte {sectionStart}: its size is {Plural(size, "byte")}, but only {Remaining} are left (the section runs past the end of the module)");
                }

                if (rank > 0)
                {
                    if (rank == lastRank)
                    {
                        throw new WasmFormatException($"invalid module at byte {sectionStart}: duplicate {SectionName(id)}");
                    }

                    if (rank < lastRank)
                    {
                        throw new WasmFormatException($"invalid module at byte {sectionStart}: the {SectionName(id)} is out of order (it follows the {SectionName(lastId)})");
                    }

                    lastRank = rank;
                    lastId = id;
                }

                _section = SectionName(id);
                _end = _position + (int)size;
                ReadSection(id);
                if (_position != _end)
                {
                    throw Invalid($"the section's contents end {Plural((uint)(_end - _position), "byte")} before its declared end");
                }
            }
        }

        private static ReadOnlyCollection<T> Freeze<T>(List<T> list) => new(list.ToArray());

        private void ReadHeader()
        {
            ReadOnlySpan<byte> magic = [0x00, 0x61, 0x73, 0x6D];
            if (_bytes.IsEmpty)
            {
                throw new WasmFormatException("not a WebAssembly binary: the input is empty (expected the \\0asm magic at byte 0)");
            }

            int length = Math.Min(_bytes.Length, 4);
            if (!_bytes.Slice(0, length).SequenceEqual(magic.Slice(0, length)))
            {
                throw new WasmFormatException("not a WebAssembly binary: bad magic at byte 0 (expected \\0asm)");
            }

            Need(8);
            ReadOnlySpan<byte> version = _bytes.Slice(4, 4);
            if (version[0] != 1 || version[1] != 0 || version[2] != 0 || version[3] != 0)
            {
                throw new WasmFormatException($"invalid module header at byte 4: version {version[0]:x2} {version[1]:x2} {version[2]:x2} {version[3]:x2} is not 01 00 00 00 (only core modules, version 1, are supported)");
            }

            _position = 8;
        }

        private void ReadSection(byte id)
        {
            if (SizesOnly)
            {
                ReadSizes(id);
                return;
            }

            switch (id)
            {
                case 0:
                    _customSections.Add(Name());
                    _position = _end;
                    break;
                case 1:
                    ReadTypes();
                    break;
                case 2:
                    ReadImports();
                    break;
                case 3:
                    ReadFunctions();
                    break;
                case 4:
                    ReadTables();
                    break;
                case 5:
                    ReadMemories();
                    break;
                case 6:
                    ReadGlobals();
                    break;
                case 7:
                    ReadExports();
                    break;
                case 8:
                    int at = _position;
                    uint start = U32();
                    _start = start < (uint)_functionTypes.Count ? start : throw InvalidAt(at, $"the start function {start} does not exist (the module has {Plural((uint)_functionTypes.Count, "function")})");
                    break;
                case 9:
                    // Element segments are not needed: skip them by size.
                    _position = _end;
                    break;
                case 10:
                    ReadCode();
                    break;
                case 11:
                    ReadData();
                    break;
                case 12:
                    _dataCount = U32();
                    break;
                case 13:
                    ReadTags();
                    break;
            }
        }

        private void ReadTypes()
        {
            int count = Count(3, "type");
            for (int i = 0; i < count; i++)
            {
                int at = _position;
                byte form = Byte();
                if (form != 0x60)
                {
                    throw InvalidAt(at, $"type {i} has form 0x{form:x2}; only function types (0x60) are supported");
                }

                WasmType[] parameters = ValueTypes();
                WasmType[] results = ValueTypes();
                _types.Add(new WasmFunctionSignature(Array.AsReadOnly(parameters), Array.AsReadOnly(results)));
            }
        }

        private WasmType[] ValueTypes()
        {
            int count = Count(1, "value type");
            var types = new WasmType[count];
            for (int i = 0; i < count; i++)
            {
                types[i] = ValueType();
            }

            return types;
        }

        private void ReadImports()
        {
            int count = Count(4, "import");
            for (int i = 0; i < count; i++)
            {
                string module = Name();
                string name = Name();
                int at = _position;
                byte kind = Byte();
                switch (kind)
                {
                    case 0:
                        uint type = TypeIndex();
                        _imports.Add(new WasmImport(module, name, WasmExternalKind.Function, (uint)_functionTypes.Count) { TypeIndex = type, Signature = _types[(int)type] });
                        _functionTypes.Add(type);
                        break;
                    case 1:
                        _imports.Add(new WasmImport(module, name, WasmExternalKind.Table, (uint)_tableCount) { Table = TableType() });
                        _tableCount++;
                        break;
                    case 2:
                        WasmLimits memory = Limits(isMemory: true);
                        _imports.Add(new WasmImport(module, name, WasmExternalKind.Memory, (uint)_memorySpace.Count) { Memory = memory });
                        _memorySpace.Add(memory);
                        break;
                    case 3:
                        WasmGlobalType global = GlobalType();
                        _imports.Add(new WasmImport(module, name, WasmExternalKind.Global, (uint)_globalSpace.Count) { Global = global });
                        _globalSpace.Add(new WasmGlobal(global.Type, global.Mutable, null));
                        break;
                    case 4:
                        uint tagType = TagType();
                        _imports.Add(new WasmImport(module, name, WasmExternalKind.Tag, (uint)_tagCount) { TypeIndex = tagType, Signature = _types[(int)tagType] });
                        _tagCount++;
                        break;
                    default:
                        throw InvalidAt(at, $"import {i} ({Shorten(module)}.{Shorten(name)}) has unknown kind {kind}");
                }
            }
        }

        private void ReadFunctions()
        {
            int count = Count(1, "function");
            for (int i = 0; i < count; i++)
            {
                uint type = TypeIndex();
                _functions.Add(type);
                _functionTypes.Add(type);
            }
        }

        private void ReadTables()
        {
            int count = Count(3, "table");
            for (int i = 0; i < count; i++)
            {
                if (Peek() == 0x40)
                {
                    // A table with an initialiser (function references): 0x40 0x00 tabletype expr.
                    _position++;
                    int at = _position;
                    if (Byte() != 0)
                    {
                        throw InvalidAt(at, $"table {i} has an initialiser with a non-zero reserved byte");
                    }

                    WasmTableType table = TableType();
                    ReadConstantExpression();
                    _tables.Add(table);
                }
                else
                {
                    _tables.Add(TableType());
                }

                _tableCount++;
            }
        }

        private void ReadMemories()
        {
            int count = Count(2, "memory");
            for (int i = 0; i < count; i++)
            {
                WasmLimits memory = Limits(isMemory: true);
                _memories.Add(memory);
                _memorySpace.Add(memory);
            }
        }

        private void ReadTags()
        {
            int count = Count(2, "tag");
            for (int i = 0; i < count; i++)
            {
                _tags.Add(TagType());
                _tagCount++;
            }
        }

        private void ReadGlobals()
        {
            int count = Count(3, "global");
            for (int i = 0; i < count; i++)
            {
                WasmGlobalType type = GlobalType();
                ConstantExpression init = ReadConstantExpression();
                var global = new WasmGlobal(type.Type, type.Mutable, init.Type == type.Type ? init.Value : null);
                _globals.Add(global);
                _globalSpace.Add(global);
            }
        }

        private void ReadExports()
        {
            int count = Count(3, "export");
            for (int i = 0; i < count; i++)
            {
                int at = _position;
                string name = Name();
                int kindAt = _position;
                byte kind = Byte();
                int indexAt = _position;
                uint index = U32();
                (string noun, int limit) = kind switch
                {
                    0 => ("function", _functionTypes.Count),
                    1 => ("table", _tableCount),
                    2 => ("memory", _memorySpace.Count),
                    3 => ("global", _globalSpace.Count),
                    4 => ("tag", _tagCount),
                    _ => throw InvalidAt(kindAt, $"export {i} ('{Shorten(name)}') has unknown kind {kind}"),
                };
                if (index >= (uint)limit)
                {
                    throw InvalidAt(indexAt, $"export '{Shorten(name)}' refers to {noun} {index}, but the module has {Plural((uint)limit, noun, noun == "memory" ? "memories" : null)}");
                }

                var export = new WasmExport(name, (WasmExternalKind)kind, index);
                if (_exportsByName.ContainsKey(name))
                {
                    throw InvalidAt(at, $"duplicate export name '{Shorten(name)}'");
                }

                _exportsByName.Add(name, export);
                _exports.Add(export);
            }
        }

        // What ParseCodeSize needs: the function count and each body's size; other sections are skipped.
        private void ReadSizes(byte id)
        {
            if (CustomSectionNames)
            {
                // Only the names of custom sections: every other section is skipped whole.
                if (id == 0)
                {
                    _customSections.Add(Name());
                }

                _position = _end;
            }
            else if (id == 3)
            {
                _declaredFunctions = Count(1, "function");
                _position = _end;
            }
            else if (id == 10)
            {
                int count = Count(2, "function body");
                for (int i = 0; i < count; i++)
                {
                    uint size = U32();
                    Skip(size);
                    _codeBytes += size;
                    if (size > _largestBody)
                    {
                        _largestBody = size;
                        _largestBodyIndex = i;
                    }
                }

                _codeCount = count;
            }
            else
            {
                _position = _end;
            }
        }

        private void ReadCode()
        {
            int at = _position;
            int count = Count(2, "function body");
            if (count != _functions.Count)
            {
                throw InvalidAt(at, $"the code section has {Plural((uint)count, "function body", "function bodies")} but the function section declares {Plural((uint)_functions.Count, "function")}");
            }

            for (int i = 0; i < count; i++)
            {
                uint size = U32();
                Need(size);
                ScanBody((uint)(_functionTypes.Count - _functions.Count + i), _position + (int)size);
            }

            _codeCount = count;
        }

        private void ReadData()
        {
            int count = Count(2, "data segment");
            for (int i = 0; i < count; i++)
            {
                int at = _position;
                uint flags = U32();
                bool active = flags != 1;
                uint memory = 0;
                long? offset = null;
                switch (flags)
                {
                    case 0:
                        break;
                    case 1:
                        break;
                    case 2:
                        at = _position;
                        memory = U32();
                        break;
                    default:
                        throw InvalidAt(at, $"data segment {i} has unknown flags {flags}");
                }

                if (active)
                {
                    ConstantExpression expression = ReadConstantExpression();
                    if (memory >= (uint)_memorySpace.Count)
                    {
                        throw InvalidAt(at, $"data segment {i} is for memory {memory}, but the module has {Plural((uint)_memorySpace.Count, "memory", "memories")}");
                    }

                    WasmType indexType = _memorySpace[(int)memory].Is64 ? WasmType.I64 : WasmType.I32;
                    offset = expression.Type == indexType ? expression.Value : null;
                }

                uint length = U32();
                int start = _position;
                Skip(length);
                ScanData(_bytes.Slice(start, (int)length));
                _data.Add(new WasmDataSegment(active, memory, offset, length, start));
            }
        }

        // A constant expression up to its end. Its value is known only when it is a single i32.const,
        // i64.const or global.get of a known immutable global; extended constant expressions
        // (add, sub, mul) are accepted but their values are not worked out.
        private ConstantExpression ReadConstantExpression()
        {
            WasmType? type = null;
            long? value = null;
            int instructions = 0;
            while (true)
            {
                int at = _position;
                byte op = Byte();
                switch (op)
                {
                    case 0x0B:
                        return instructions == 1 ? new ConstantExpression(type, value) : new ConstantExpression(null, null);
                    case 0x41:
                        (type, value) = (WasmType.I32, S32());
                        break;
                    case 0x42:
                        (type, value) = (WasmType.I64, S64());
                        break;
                    case 0x43:
                        Skip(4);
                        (type, value) = (WasmType.F32, null);
                        break;
                    case 0x44:
                        Skip(8);
                        (type, value) = (WasmType.F64, null);
                        break;
                    case 0x23:
                        uint index = U32();
                        if (index >= (uint)_globalSpace.Count)
                        {
                            throw InvalidAt(at, $"a constant expression reads global {index}, but only {Plural((uint)_globalSpace.Count, "global")} are defined before it");
                        }

                        WasmGlobal global = _globalSpace[(int)index];
                        (type, value) = (global.Type, global.Mutable ? null : global.ConstantValue);
                        break;
                    case 0xD0:
                        S33();
                        (type, value) = (null, null);
                        break;
                    case 0xD2:
                        uint function = U32();
                        if (function >= (uint)_functionTypes.Count)
                        {
                            throw InvalidAt(at, $"a constant expression refers to function {function}, but the module has {Plural((uint)_functionTypes.Count, "function")}");
                        }

                        (type, value) = (WasmType.FuncRef, null);
                        break;
                    case 0xFD:
                        uint simd = U32();
                        if (simd != 12)
                        {
                            throw InvalidAt(at, $"a constant expression uses SIMD opcode {simd}, which is not v128.const");
                        }

                        Skip(16);
                        (type, value) = (WasmType.V128, null);
                        break;
                    case 0x6A or 0x6B or 0x6C or 0x7C or 0x7D or 0x7E:
                        // Extended constant expressions: accepted, value not computed.
                        (type, value) = (null, null);
                        break;
                    default:
                        throw InvalidAt(at, $"a constant expression uses opcode 0x{op:x2}, which this reader does not know");
                }

                instructions++;
            }
        }

        private WasmType ValueType()
        {
            int at = _position;
            byte code = Byte();
            return code switch
            {
                0x7F => WasmType.I32,
                0x7E => WasmType.I64,
                0x7D => WasmType.F32,
                0x7C => WasmType.F64,
                0x7B => WasmType.V128,
                0x70 => WasmType.FuncRef,
                0x6F => WasmType.ExternRef,
                _ => throw InvalidAt(at, $"unknown or unsupported value type 0x{code:x2}"),
            };
        }

        private WasmTableType TableType()
        {
            int at = _position;
            WasmType element = ValueType();
            if (element is not (WasmType.FuncRef or WasmType.ExternRef))
            {
                throw InvalidAt(at, $"a table's element type must be a reference type, not {WasmFunctionSignature.Spell(element)}");
            }

            return new WasmTableType(element, Limits(isMemory: false));
        }

        private WasmGlobalType GlobalType()
        {
            WasmType type = ValueType();
            int at = _position;
            byte mutability = Byte();
            return mutability switch
            {
                0 => new WasmGlobalType(type, false),
                1 => new WasmGlobalType(type, true),
                _ => throw InvalidAt(at, $"a global's mutability must be 0 or 1, not {mutability}"),
            };
        }

        private uint TagType()
        {
            int at = _position;
            byte attribute = Byte();
            if (attribute != 0)
            {
                throw InvalidAt(at, $"a tag's attribute must be 0 (exception), not {attribute}");
            }

            return TypeIndex();
        }

        private uint TypeIndex()
        {
            int at = _position;
            uint index = U32();
            return index < (uint)_types.Count ? index : throw InvalidAt(at, $"type index {index} is out of range (the module has {Plural((uint)_types.Count, "type")})");
        }

        private WasmLimits Limits(bool isMemory)
        {
            int at = _position;
            byte flags = Byte();
            int allowed = isMemory ? 0x07 : 0x05;
            if ((flags & ~allowed) != 0)
            {
                throw InvalidAt(at, $"{(isMemory ? "memory" : "table")} limits flags 0x{flags:x2} are not supported");
            }

            bool hasMaximum = (flags & 0x01) != 0;
            bool shared = (flags & 0x02) != 0;
            bool is64 = (flags & 0x04) != 0;
            ulong minimum = is64 ? U64() : U32();
            ulong? maximum = hasMaximum ? (is64 ? U64() : U32()) : null;
            if (maximum < minimum)
            {
                throw InvalidAt(at, $"limits maximum {maximum} is below the minimum {minimum}");
            }

            ulong pages = is64 ? MaxPages64 : MaxPages32;
            if (isMemory && (minimum > pages || maximum > pages))
            {
                throw InvalidAt(at, $"a {(is64 ? "64" : "32")}-bit memory can have at most {pages} pages");
            }

            return new WasmLimits(minimum, maximum, is64, shared);
        }

        // A count of items each at least minimumBytes long: checked against the bytes left before anything is allocated.
        private int Count(int minimumBytes, string noun)
        {
            int at = _position;
            uint count = U32();
            if ((ulong)count * (ulong)minimumBytes > (ulong)Remaining)
            {
                throw InvalidAt(at, $"a count of {Plural(count, noun)} cannot fit in the {Plural((uint)Remaining, "byte")} left");
            }

            return (int)count;
        }

        private string Name()
        {
            int at = _position;
            uint length = U32();
            Skip(length);
            byte[] bytes = _bytes.Slice(_position - (int)length, (int)length).ToArray();
            try
            {
                return StrictUtf8.GetString(bytes);
            }
            catch (ArgumentException)
            {
                throw InvalidAt(at, "a name is not valid UTF-8");
            }
        }

        private readonly byte Peek() => _position < _end ? _bytes[_position] : throw Truncated(1);

        private byte Byte()
        {
            if (_position >= _end)
            {
                throw Truncated(1);
            }

            return _bytes[_position++];
        }

        private void Need(ulong count)
        {
            if (count > (ulong)Remaining)
            {
                throw Truncated(count);
            }
        }

        private void Skip(ulong count)
        {
            Need(count);
            _position += (int)count;
        }

        private uint U32()
        {
            int at = _position;
            uint result = 0;
            for (int i = 0; i < 4; i++)
            {
                byte b = Byte();
                result |= (uint)(b & 0x7F) << (7 * i);
                if ((b & 0x80) == 0)
                {
                    return result;
                }
            }

            byte last = Byte();
            if ((last & 0x80) != 0)
            {
                throw InvalidAt(at, "a LEB128 u32 is longer than 5 bytes");
            }

            if ((last & 0x70) != 0)
            {
                throw InvalidAt(at, "a LEB128 u32 does not fit in 32 bits");
            }

            return result | ((uint)last << 28);
        }

        private ulong U64()
        {
            int at = _position;
            ulong result = 0;
            for (int i = 0; i < 9; i++)
            {
                byte b = Byte();
                result |= (ulong)(b & 0x7F) << (7 * i);
                if ((b & 0x80) == 0)
                {
                    return result;
                }
            }

            byte last = Byte();
            if ((last & 0x80) != 0)
            {
                throw InvalidAt(at, "a LEB128 u64 is longer than 10 bytes");
            }

            if ((last & 0x7E) != 0)
            {
                throw InvalidAt(at, "a LEB128 u64 does not fit in 64 bits");
            }

            return result | ((ulong)last << 63);
        }

        private int S32() => (int)Signed(5, "i32");

        private long S33() => Signed(5, "s33");

        private long S64() => Signed(10, "i64");

        // Signed LEB128 of at most maxBytes bytes, whose final byte's unused bits must all copy the sign bit.
        private long Signed(int maxBytes, string what)
        {
            int at = _position;
            int bits = what == "i32" ? 32 : what == "s33" ? 33 : 64;
            long result = 0;
            for (int i = 0; i < maxBytes; i++)
            {
                byte b = Byte();
                int shift = 7 * i;
                result |= (long)(b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                {
                    if (i == maxBytes - 1)
                    {
                        // The bits above the value's width, from the sign bit up, must all be equal.
                        int used = bits - shift;
                        int mask = 0x7F & ~((1 << (used - 1)) - 1);
                        int top = b & mask;
                        if (top != 0 && top != mask)
                        {
                            throw InvalidAt(at, $"a LEB128 {what} does not fit in {bits} bits");
                        }
                    }

                    if (shift + 7 < 64 && (b & 0x40) != 0)
                    {
                        result |= -1L << (shift + 7);
                    }

                    return result;
                }
            }

            throw InvalidAt(at, $"a LEB128 {what} is longer than {maxBytes} bytes");
        }

        private readonly WasmFormatException Truncated(ulong expected)
            => new($"truncated {_section} at byte {_position}: expected {Plural(expected, "byte")}, {Remaining} left");

        private readonly WasmFormatException Invalid(string problem) => InvalidAt(_position, problem);

        private readonly WasmFormatException InvalidAt(int at, string problem) => new($"invalid {_section} at byte {at}: {problem}");
    }
}
