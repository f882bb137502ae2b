using System;
using System.Collections.Generic;
using System.Text;

// Compiled into both the source generator (netstandard2.0) and the host (net10.0): internal only, and
// no BCL API newer than netstandard2.0.
namespace Airlock.Wasm;

/// <summary>A WebAssembly value type.</summary>
internal enum WasmType : byte
{
    /// <summary><c>i32</c>.</summary>
    I32,

    /// <summary><c>i64</c>.</summary>
    I64,

    /// <summary><c>f32</c>.</summary>
    F32,

    /// <summary><c>f64</c>.</summary>
    F64,

    /// <summary><c>v128</c>.</summary>
    V128,

    /// <summary><c>funcref</c>.</summary>
    FuncRef,

    /// <summary><c>externref</c>.</summary>
    ExternRef,
}

/// <summary>What an import or export is; the values are the binary encoding's.</summary>
internal enum WasmExternalKind : byte
{
    /// <summary>A function.</summary>
    Function = 0,

    /// <summary>A table.</summary>
    Table = 1,

    /// <summary>A linear memory.</summary>
    Memory = 2,

    /// <summary>A global.</summary>
    Global = 3,

    /// <summary>An exception tag.</summary>
    Tag = 4,
}

/// <summary>A function type: parameter and result types. Equality is structural.</summary>
internal sealed class WasmFunctionSignature : IEquatable<WasmFunctionSignature>
{
    public WasmFunctionSignature(IReadOnlyList<WasmType> parameters, IReadOnlyList<WasmType> results)
    {
        Parameters = parameters;
        Results = results;
    }

    public IReadOnlyList<WasmType> Parameters { get; }

    public IReadOnlyList<WasmType> Results { get; }

    /// <summary>The spelling of a value type in signatures: <c>i32</c>, <c>funcref</c>, …</summary>
    public static string Spell(WasmType type) => type switch
    {
        WasmType.I32 => "i32",
        WasmType.I64 => "i64",
        WasmType.F32 => "f32",
        WasmType.F64 => "f64",
        WasmType.V128 => "v128",
        WasmType.FuncRef => "funcref",
        WasmType.ExternRef => "externref",
        _ => "unknown",
    };

    /// <summary>Whether the signature is exactly <paramref name="parameters"/> → <paramref name="results"/>.</summary>
    public bool Matches(IReadOnlyList<WasmType> parameters, IReadOnlyList<WasmType> results)
        => SameTypes(Parameters, parameters) && SameTypes(Results, results);

    public bool Equals(WasmFunctionSignature? other)
        => other is not null && (ReferenceEquals(this, other) || Matches(other.Parameters, other.Results));

    public override bool Equals(object? obj) => Equals(obj as WasmFunctionSignature);

    public override int GetHashCode()
    {
        int hash = 17;
        foreach (WasmType type in Parameters)
        {
            hash = unchecked((hash * 31) + (int)type);
        }

        hash = unchecked((hash * 31) + 99);
        foreach (WasmType type in Results)
        {
            hash = unchecked((hash * 31) + (int)type);
        }

        return hash;
    }

    /// <summary>For example <c>(i32, i32) -> i64</c>, <c>() -> ()</c>, <c>(i32) -> (i32, i32)</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        AppendList(text, Parameters);
        text.Append(" -> ");
        if (Results.Count == 1)
        {
            text.Append(Spell(Results[0]));
        }
        else
        {
            AppendList(text, Results);
        }

        return text.ToString();
    }

    private static void AppendList(StringBuilder text, IReadOnlyList<WasmType> types)
    {
        text.Append('(');
        for (int i = 0; i < types.Count; i++)
        {
            if (i > 0)
            {
                text.Append(", ");
            }

            text.Append(Spell(types[i]));
        }

        text.Append(')');
    }

    private static bool SameTypes(IReadOnlyList<WasmType> left, IReadOnlyList<WasmType> right)
    {
        if (left.Count != right.Count)
        {
            return false;
        }

        for (int i = 0; i < left.Count; i++)
        {
            if (left[i] != right[i])
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>Limits of a memory (in 64 KiB pages) or a table (in elements).</summary>
/// <param name="Minimum">The initial size.</param>
/// <param name="Maximum">The maximum size, if the module declares one.</param>
/// <param name="Is64">Whether the memory or table is 64-bit indexed (memory64).</param>
/// <param name="Shared">Whether the memory is shared (threads).</param>
internal readonly record struct WasmLimits(ulong Minimum, ulong? Maximum, bool Is64, bool Shared);

/// <summary>A table's element type and limits.</summary>
internal readonly record struct WasmTableType(WasmType ElementType, WasmLimits Limits);

/// <summary>A global's value type and mutability.</summary>
internal readonly record struct WasmGlobalType(WasmType Type, bool Mutable);

/// <summary>
/// A global the module defines. <see cref="ConstantValue"/> is its initial value (for a mutable global,
/// the value it starts with) when the initialiser
/// is a single <c>i32.const</c>/<c>i64.const</c> of the global's type, or a <c>global.get</c> of an
/// immutable global whose value is known that way; otherwise null. An i32 value is sign-extended:
/// cast it to <see cref="uint"/> for an address.
/// </summary>
internal sealed record WasmGlobal(WasmType Type, bool Mutable, long? ConstantValue)
{
    public WasmGlobalType GlobalType => new(Type, Mutable);
}

/// <summary>
/// An import. Exactly one of the descriptions matches <see cref="Kind"/>: <see cref="Signature"/> and
/// <see cref="TypeIndex"/> for functions and tags, <see cref="Table"/>, <see cref="Memory"/> or <see cref="Global"/>.
/// </summary>
/// <param name="Module">The module name, e.g. <c>env</c>.</param>
/// <param name="Name">The item name.</param>
/// <param name="Kind">What is imported.</param>
/// <param name="Index">Its index in the index space of its kind (imports come first).</param>
internal sealed record WasmImport(string Module, string Name, WasmExternalKind Kind, uint Index)
{
    public uint? TypeIndex { get; init; }

    public WasmFunctionSignature? Signature { get; init; }

    public WasmTableType? Table { get; init; }

    public WasmLimits? Memory { get; init; }

    public WasmGlobalType? Global { get; init; }
}

/// <summary>An export: a name for an item of some kind, by its index in that kind's index space.</summary>
internal sealed record WasmExport(string Name, WasmExternalKind Kind, uint Index);

/// <summary>A data segment, without its bytes.</summary>
/// <param name="IsActive">Whether the segment is copied into memory at instantiation (otherwise passive).</param>
/// <param name="MemoryIndex">The memory an active segment is copied into (0 for passive ones).</param>
/// <param name="Offset">An active segment's offset when its offset expression is a known constant (i32 sign-extended); otherwise null.</param>
/// <param name="Length">The number of bytes.</param>
/// <param name="FileOffset">Where the segment's bytes start in the module.</param>
internal sealed record WasmDataSegment(bool IsActive, uint MemoryIndex, long? Offset, uint Length, int FileOffset);

/// <summary>
/// What a module's code and data show of a heap: memory it uses beyond its static data and stack.
/// Every function body is decoded for it, so an instruction hidden in an immediate never counts.
/// </summary>
/// <param name="GrowsMemory">Some function executes <c>memory.grow</c>.</param>
/// <param name="MeasuresMemory">
/// Some function executes <c>memory.size</c>. Not a heap by itself: guests use it to bounds-check
/// the input the host wrote, and an allocator that uses it to find where memory ends still takes its
/// start from <c>__heap_base</c> or gets room with <c>memory.grow</c>.
/// </param>
/// <param name="TakesHeapBase">
/// The module holds the address it exports as <c>__heap_base</c> somewhere an allocator would keep
/// it: an <c>i32.const</c> of it or a <c>global.get</c> of that global in code, its four little-endian
/// bytes in a data segment (a pointer initialised to it), or a mutable global other than the first
/// (the stack pointer) initialised to it. This is how an allocator finds where its heap starts.
/// </param>
/// <param name="UndecodedCode">Why a function body could not be decoded (an instruction this reader does not know), or null when every body was.</param>
internal sealed record WasmHeapEvidence(bool GrowsMemory, bool MeasuresMemory, bool TakesHeapBase, string? UndecodedCode)
{
    /// <summary>Whether the guest may use memory above its static data and stack; undecoded code counts as yes.</summary>
    public bool ShowsHeap => GrowsMemory || TakesHeapBase || UndecodedCode is not null;
}

/// <summary>
/// What compiling a module costs, as <see cref="WasmModuleReader.ReadCodeSize"/> reads it from the
/// module's section headers: the functions it defines and the sizes of their bodies.
/// </summary>
/// <param name="Functions">How many functions the module defines (imports are not compiled).</param>
/// <param name="CodeBytes">The bytes of all function bodies together.</param>
/// <param name="LargestBodyBytes">The size of the largest function body, in bytes; 0 without functions.</param>
/// <param name="LargestBody">The position of that body in the code section (0 for the module's first defined function); -1 without functions.</param>
internal readonly record struct WasmCodeSize(int Functions, long CodeBytes, uint LargestBodyBytes, int LargestBody);

/// <summary>What <see cref="WasmModuleReader"/> found in a module. Immutable.</summary>
internal sealed class WasmModuleInfo
{
    private readonly IReadOnlyList<uint> _functionTypes;
    private readonly IReadOnlyList<WasmGlobal> _globalSpace;
    private readonly Dictionary<string, WasmExport> _exportsByName;

    internal WasmModuleInfo(
        IReadOnlyList<WasmFunctionSignature> types,
        IReadOnlyList<WasmImport> imports,
        IReadOnlyList<uint> functions,
        IReadOnlyList<WasmTableType> tables,
        IReadOnlyList<WasmLimits> memories,
        IReadOnlyList<WasmGlobal> globals,
        IReadOnlyList<uint> tags,
        IReadOnlyList<WasmExport> exports,
        IReadOnlyList<WasmDataSegment> dataSegments,
        IReadOnlyList<string> customSections,
        uint? startFunction,
        uint? dataCount,
        WasmHeapEvidence heapEvidence,
        IReadOnlyList<uint> functionTypes,
        IReadOnlyList<WasmGlobal> globalSpace,
        Dictionary<string, WasmExport> exportsByName)
    {
        Types = types;
        Imports = imports;
        Functions = functions;
        Tables = tables;
        Memories = memories;
        Globals = globals;
        Tags = tags;
        Exports = exports;
        DataSegments = dataSegments;
        CustomSections = customSections;
        StartFunction = startFunction;
        DataCount = dataCount;
        HeapEvidence = heapEvidence;
        _functionTypes = functionTypes;
        _globalSpace = globalSpace;
        _exportsByName = exportsByName;
    }

    /// <summary>The type section: function signatures, by type index.</summary>
    public IReadOnlyList<WasmFunctionSignature> Types { get; }

    /// <summary>The imports, in order.</summary>
    public IReadOnlyList<WasmImport> Imports { get; }

    /// <summary>The type index of each function the module defines (function index minus <see cref="ImportedFunctionCount"/>).</summary>
    public IReadOnlyList<uint> Functions { get; }

    /// <summary>The tables the module defines.</summary>
    public IReadOnlyList<WasmTableType> Tables { get; }

    /// <summary>The memories the module defines.</summary>
    public IReadOnlyList<WasmLimits> Memories { get; }

    /// <summary>The globals the module defines (global index minus <see cref="ImportedGlobalCount"/>).</summary>
    public IReadOnlyList<WasmGlobal> Globals { get; }

    /// <summary>The type index of each tag the module defines.</summary>
    public IReadOnlyList<uint> Tags { get; }

    /// <summary>The exports, in order.</summary>
    public IReadOnlyList<WasmExport> Exports { get; }

    /// <summary>The data segments, in order.</summary>
    public IReadOnlyList<WasmDataSegment> DataSegments { get; }

    /// <summary>The names of the custom sections, in order (their contents are skipped).</summary>
    public IReadOnlyList<string> CustomSections { get; }

    /// <summary>The start function's index, if the module has one.</summary>
    public uint? StartFunction { get; }

    /// <summary>Whether the module has a start function.</summary>
    public bool HasStartFunction => StartFunction is not null;

    /// <summary>The data count section's value, if present.</summary>
    public uint? DataCount { get; }

    /// <summary>What the code and data show of a heap above the static data and stack.</summary>
    public WasmHeapEvidence HeapEvidence { get; }

    public int ImportedFunctionCount => _functionTypes.Count - Functions.Count;

    public int ImportedGlobalCount => _globalSpace.Count - Globals.Count;

    public int ImportedMemoryCount => CountImports(WasmExternalKind.Memory);

    public int ImportedTableCount => CountImports(WasmExternalKind.Table);

    /// <summary>Imported and defined functions.</summary>
    public int FunctionCount => _functionTypes.Count;

    /// <summary>Imported and defined globals.</summary>
    public int GlobalCount => _globalSpace.Count;

    /// <summary>The signature of function <paramref name="functionIndex"/> (imports first, then definitions).</summary>
    public bool TryGetFunctionSignature(uint functionIndex, out WasmFunctionSignature signature)
    {
        if (functionIndex < (uint)_functionTypes.Count)
        {
            signature = Types[(int)_functionTypes[(int)functionIndex]];
            return true;
        }

        signature = null!;
        return false;
    }

    /// <summary>
    /// Global <paramref name="globalIndex"/> (imports first): its type, and its constant value when known
    /// (always null for imported globals).
    /// </summary>
    public bool TryGetGlobal(uint globalIndex, out WasmGlobalType type, out long? constantValue)
    {
        if (globalIndex < (uint)_globalSpace.Count)
        {
            WasmGlobal global = _globalSpace[(int)globalIndex];
            type = global.GlobalType;
            constantValue = global.ConstantValue;
            return true;
        }

        type = default;
        constantValue = null;
        return false;
    }

    /// <summary>The export named <paramref name="name"/>, of any kind.</summary>
    public bool TryGetExport(string name, out WasmExport export)
    {
        if (_exportsByName.TryGetValue(name, out WasmExport? found))
        {
            export = found;
            return true;
        }

        export = null!;
        return false;
    }

    /// <summary>The signature of the function exported as <paramref name="name"/>; false when there is no such function export.</summary>
    public bool TryGetExportedFunction(string name, out WasmFunctionSignature signature)
    {
        if (TryGetExport(name, out WasmExport export) && export.Kind == WasmExternalKind.Function)
        {
            return TryGetFunctionSignature(export.Index, out signature);
        }

        signature = null!;
        return false;
    }

    /// <summary>The type and, when known, constant value of the global exported as <paramref name="name"/>.</summary>
    public bool TryGetExportedGlobal(string name, out WasmGlobalType type, out long? constantValue)
    {
        if (TryGetExport(name, out WasmExport export) && export.Kind == WasmExternalKind.Global)
        {
            return TryGetGlobal(export.Index, out type, out constantValue);
        }

        type = default;
        constantValue = null;
        return false;
    }

    /// <summary>
    /// The known initial value of the global exported as <paramref name="name"/> (for a mutable global, the
    /// value it starts with), or null when there is no such global or its initialiser is not a known constant.
    /// </summary>
    public long? GetExportedGlobalConstant(string name)
        => TryGetExportedGlobal(name, out _, out long? value) ? value : null;

    private int CountImports(WasmExternalKind kind)
    {
        int count = 0;
        foreach (WasmImport import in Imports)
        {
            if (import.Kind == kind)
            {
                count++;
            }
        }

        return count;
    }
}
