using Airlock.Wasm;
using static Airlock.Generators.Tests.WasmBinary;

namespace Airlock.Generators.Tests;

/// <summary>
/// The shared WebAssembly module reader: what it finds in hand-assembled, wat2wasm-compiled and real
/// sample modules, and that hostile bytes of any shape are a <see cref="WasmFormatException"/> and nothing else.
/// </summary>
public sealed class WasmModuleReaderTests
{
    /*
    wat2wasm --enable-extended-const rich.wat:
    (module
      (type $pair (func (param i32 i32) (result i64)))
      (import "env" "log" (func $log (param i32 i32 i32)))
      (import "env" "memory" (memory 1 16))
      (import "env" "base" (global $base i32))
      (import "env" "counter" (global $counter (mut i64)))
      (import "env" "table" (table 1 funcref))
      (func $pair (type $pair) (i64.const 0))
      (func $multi (param f32 f64) (result i32 i64 v128)
        (i32.const 0) (i64.const 0) (v128.const i32x4 0 0 0 0))
      (func $init)
      (table $t 2 10 externref)
      (global $sp (mut i32) (i32.const 65536))
      (global $k i64 (i64.const -5))
      (global $neg i32 (i32.const -1))
      (global $copy i32 (global.get $base))
      (global $f f64 (f64.const 1.5))
      (global $ext i32 (i32.add (global.get $base) (i32.const 4)))
      (global $ref funcref (ref.func $pair))
      (export "pair" (func $pair))
      (export "multi" (func $multi))
      (export "log" (func $log))
      (export "table" (table $t))
      (export "memory" (memory 0))
      (export "sp" (global $sp))
      (export "k" (global $k))
      (export "neg" (global $neg))
      (export "copy" (global $copy))
      (export "ext" (global $ext))
      (start $init)
      (data (i32.const 1024) "hello")
      (data "passive!")
      (data (global.get $base) "xyz"))
    */
    private static readonly byte[] Rich =
    [
        0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x18, 0x04, 0x60, 0x02, 0x7f, 0x7f, 0x01,
        0x7e, 0x60, 0x03, 0x7f, 0x7f, 0x7f, 0x00, 0x60, 0x02, 0x7d, 0x7c, 0x03, 0x7f, 0x7e, 0x7b, 0x60,
        0x00, 0x00, 0x02, 0x43, 0x05, 0x03, 0x65, 0x6e, 0x76, 0x03, 0x6c, 0x6f, 0x67, 0x00, 0x01, 0x03,
        0x65, 0x6e, 0x76, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x01, 0x01, 0x10, 0x03, 0x65,
        0x6e, 0x76, 0x04, 0x62, 0x61, 0x73, 0x65, 0x03, 0x7f, 0x00, 0x03, 0x65, 0x6e, 0x76, 0x07, 0x63,
        0x6f, 0x75, 0x6e, 0x74, 0x65, 0x72, 0x03, 0x7e, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x05, 0x74, 0x61,
        0x62, 0x6c, 0x65, 0x01, 0x70, 0x00, 0x01, 0x03, 0x04, 0x03, 0x00, 0x02, 0x03, 0x04, 0x05, 0x01,
        0x6f, 0x01, 0x02, 0x0a, 0x06, 0x30, 0x07, 0x7f, 0x01, 0x41, 0x80, 0x80, 0x04, 0x0b, 0x7e, 0x00,
        0x42, 0x7b, 0x0b, 0x7f, 0x00, 0x41, 0x7f, 0x0b, 0x7f, 0x00, 0x23, 0x00, 0x0b, 0x7c, 0x00, 0x44,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf8, 0x3f, 0x0b, 0x7f, 0x00, 0x23, 0x00, 0x41, 0x04, 0x6a,
        0x0b, 0x70, 0x00, 0xd2, 0x01, 0x0b, 0x07, 0x43, 0x0a, 0x04, 0x70, 0x61, 0x69, 0x72, 0x00, 0x01,
        0x05, 0x6d, 0x75, 0x6c, 0x74, 0x69, 0x00, 0x02, 0x03, 0x6c, 0x6f, 0x67, 0x00, 0x00, 0x05, 0x74,
        0x61, 0x62, 0x6c, 0x65, 0x01, 0x01, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, 0x02,
        0x73, 0x70, 0x03, 0x02, 0x01, 0x6b, 0x03, 0x03, 0x03, 0x6e, 0x65, 0x67, 0x03, 0x04, 0x04, 0x63,
        0x6f, 0x70, 0x79, 0x03, 0x05, 0x03, 0x65, 0x78, 0x74, 0x03, 0x07, 0x08, 0x01, 0x03, 0x0a, 0x22,
        0x03, 0x04, 0x00, 0x42, 0x00, 0x0b, 0x18, 0x00, 0x41, 0x00, 0x42, 0x00, 0xfd, 0x0c, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0b, 0x02,
        0x00, 0x0b, 0x0b, 0x1e, 0x03, 0x00, 0x41, 0x80, 0x08, 0x0b, 0x05, 0x68, 0x65, 0x6c, 0x6c, 0x6f,
        0x01, 0x08, 0x70, 0x61, 0x73, 0x73, 0x69, 0x76, 0x65, 0x21, 0x00, 0x23, 0x00, 0x0b, 0x03, 0x78,
        0x79, 0x7a,
    ];

    /*
    wat2wasm --enable-memory64 --enable-multi-memory mem64.wat:
    (module
      (import "env" "shared" (memory i64 1 2))
      (memory $big i64 3 65536)
      (data (memory $big) (i64.const 4096) "x"))
    */
    private static readonly byte[] Memory64 =
    [
        0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x02, 0x10, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x06,
        0x73, 0x68, 0x61, 0x72, 0x65, 0x64, 0x02, 0x05, 0x01, 0x02, 0x05, 0x06, 0x01, 0x05, 0x03, 0x80,
        0x80, 0x04, 0x0b, 0x09, 0x01, 0x02, 0x01, 0x42, 0x80, 0x20, 0x0b, 0x01, 0x78,
    ];

    [Fact]
    public void Reads_types_with_multiple_values()
    {
        WasmModuleInfo module = WasmModuleReader.Read(Rich);
        Assert.Equal(4, module.Types.Count);
        Assert.Equal("(i32, i32) -> i64", module.Types[0].ToString());
        Assert.Equal("(i32, i32, i32) -> ()", module.Types[1].ToString());
        Assert.Equal("(f32, f64) -> (i32, i64, v128)", module.Types[2].ToString());
        Assert.Equal("() -> ()", module.Types[3].ToString());
        Assert.Equal([WasmType.F32, WasmType.F64], module.Types[2].Parameters);
        Assert.Equal([WasmType.I32, WasmType.I64, WasmType.V128], module.Types[2].Results);
        Assert.Equal(new WasmFunctionSignature([WasmType.I32, WasmType.I32], [WasmType.I64]), module.Types[0]);
        Assert.True(module.Types[0].Matches([WasmType.I32, WasmType.I32], [WasmType.I64]));
    }

    [Fact]
    public void Reads_imports_of_each_kind()
    {
        WasmModuleInfo module = WasmModuleReader.Read(Rich);
        Assert.Equal(5, module.Imports.Count);

        WasmImport log = module.Imports[0];
        Assert.Equal(("env", "log", WasmExternalKind.Function, 0u), (log.Module, log.Name, log.Kind, log.Index));
        Assert.Equal(1u, log.TypeIndex);
        Assert.Equal("(i32, i32, i32) -> ()", log.Signature!.ToString());

        WasmImport memory = module.Imports[1];
        Assert.Equal(WasmExternalKind.Memory, memory.Kind);
        Assert.Equal(new WasmLimits(1, 16, Is64: false, Shared: false), memory.Memory);

        Assert.Equal(new WasmGlobalType(WasmType.I32, Mutable: false), module.Imports[2].Global);
        Assert.Equal(0u, module.Imports[2].Index);
        Assert.Equal(new WasmGlobalType(WasmType.I64, Mutable: true), module.Imports[3].Global);
        Assert.Equal(1u, module.Imports[3].Index);

        WasmImport table = module.Imports[4];
        Assert.Equal(WasmExternalKind.Table, table.Kind);
        Assert.Equal(new WasmTableType(WasmType.FuncRef, new WasmLimits(1, null, false, false)), table.Table);

        Assert.Equal(1, module.ImportedFunctionCount);
        Assert.Equal(2, module.ImportedGlobalCount);
        Assert.Equal(1, module.ImportedMemoryCount);
        Assert.Equal(1, module.ImportedTableCount);
    }

    [Fact]
    public void Reads_functions_tables_and_the_start_function()
    {
        WasmModuleInfo module = WasmModuleReader.Read(Rich);
        Assert.Equal([0u, 2u, 3u], module.Functions);
        Assert.Equal(4, module.FunctionCount);
        Assert.True(module.TryGetFunctionSignature(3, out WasmFunctionSignature init));
        Assert.Equal("() -> ()", init.ToString());
        Assert.False(module.TryGetFunctionSignature(4, out _));
        Assert.Equal([new WasmTableType(WasmType.ExternRef, new WasmLimits(2, 10, false, false))], module.Tables);
        Assert.True(module.HasStartFunction);
        Assert.Equal(3u, module.StartFunction);
        Assert.Empty(module.Memories);
    }

    [Fact]
    public void Reads_globals_and_their_constant_initial_values()
    {
        WasmModuleInfo module = WasmModuleReader.Read(Rich);
        Assert.Equal(
        [
            new WasmGlobal(WasmType.I32, true, 65536),
            new WasmGlobal(WasmType.I64, false, -5),
            new WasmGlobal(WasmType.I32, false, -1),
            new WasmGlobal(WasmType.I32, false, null), // global.get of an import: unknown
            new WasmGlobal(WasmType.F64, false, null),
            new WasmGlobal(WasmType.I32, false, null), // extended constant expression: unknown
            new WasmGlobal(WasmType.FuncRef, false, null),
        ],
        module.Globals);
        Assert.Equal(9, module.GlobalCount);
        Assert.True(module.TryGetGlobal(0, out WasmGlobalType imported, out long? value));
        Assert.Equal(new WasmGlobalType(WasmType.I32, false), imported);
        Assert.Null(value);
        Assert.True(module.TryGetGlobal(2, out WasmGlobalType sp, out value));
        Assert.True(sp.Mutable);
        Assert.Equal(65536, value);
        Assert.False(module.TryGetGlobal(9, out _, out _));
    }

    [Fact]
    public void Reads_exports_of_each_kind_with_signatures_and_constants()
    {
        WasmModuleInfo module = WasmModuleReader.Read(Rich);
        Assert.Equal(10, module.Exports.Count);
        Assert.Equal(new WasmExport("table", WasmExternalKind.Table, 1), module.Exports[3]);
        Assert.Equal(new WasmExport("memory", WasmExternalKind.Memory, 0), module.Exports[4]);

        Assert.True(module.TryGetExportedFunction("pair", out WasmFunctionSignature pair));
        Assert.Equal("(i32, i32) -> i64", pair.ToString());
        Assert.True(module.TryGetExportedFunction("multi", out WasmFunctionSignature multi));
        Assert.Equal("(f32, f64) -> (i32, i64, v128)", multi.ToString());
        Assert.True(module.TryGetExportedFunction("log", out WasmFunctionSignature log));
        Assert.Equal("(i32, i32, i32) -> ()", log.ToString());
        Assert.False(module.TryGetExportedFunction("memory", out _));
        Assert.False(module.TryGetExportedFunction("missing", out _));

        Assert.True(module.TryGetExportedGlobal("sp", out WasmGlobalType sp, out long? spValue));
        Assert.Equal((WasmType.I32, true, 65536L), (sp.Type, sp.Mutable, spValue));
        Assert.Equal(-5, module.GetExportedGlobalConstant("k"));
        Assert.Equal(-1, module.GetExportedGlobalConstant("neg"));
        Assert.Equal(uint.MaxValue, (uint)module.GetExportedGlobalConstant("neg")!.Value);
        Assert.Null(module.GetExportedGlobalConstant("copy"));
        Assert.Null(module.GetExportedGlobalConstant("ext"));
        Assert.Null(module.GetExportedGlobalConstant("pair"));
        Assert.True(module.TryGetExport("memory", out WasmExport memory));
        Assert.Equal(WasmExternalKind.Memory, memory.Kind);
    }

    [Fact]
    public void Reads_active_passive_and_global_placed_data_segments()
    {
        WasmModuleInfo module = WasmModuleReader.Read(Rich);
        Assert.Equal(3, module.DataSegments.Count);
        WasmDataSegment hello = module.DataSegments[0];
        Assert.Equal((true, 0u, (long?)1024, 5u), (hello.IsActive, hello.MemoryIndex, hello.Offset, hello.Length));
        Assert.Equal("hello", System.Text.Encoding.UTF8.GetString(Rich, hello.FileOffset, (int)hello.Length));
        WasmDataSegment passive = module.DataSegments[1];
        Assert.Equal((false, (long?)null, 8u), (passive.IsActive, passive.Offset, passive.Length));
        WasmDataSegment placed = module.DataSegments[2];
        Assert.Equal((true, (long?)null, 3u), (placed.IsActive, placed.Offset, placed.Length));
        Assert.Null(module.DataCount);
        Assert.Empty(module.CustomSections);
    }

    [Fact]
    public void Reads_memory64_limits_and_offsets()
    {
        WasmModuleInfo module = WasmModuleReader.Read(Memory64);
        Assert.Equal(new WasmLimits(1, 2, Is64: true, Shared: false), module.Imports[0].Memory);
        Assert.Equal([new WasmLimits(3, 65536, Is64: true, Shared: false)], module.Memories);
        WasmDataSegment segment = Assert.Single(module.DataSegments);
        Assert.Equal((true, 1u, (long?)4096, 1u), (segment.IsActive, segment.MemoryIndex, segment.Offset, segment.Length));
    }

    [Fact]
    public void Reads_custom_tag_and_data_count_sections()
    {
        byte[] bytes = Module(
            Custom("first"),
            Section(1, Vec(FunctionType([WasmType.I32], []))),
            Section(5, Vec([0x03, 0x01, 0x80, 0x80, 0x04])), // memory: shared, min 1 max 65536
            Custom("middle"),
            Section(13, Vec([0x00, 0x00])), // tag of type 0
            Section(6, Vec([0x7F, 0x00, 0x41, 0x10, 0x0B], [0x7F, 0x00, 0x23, 0x00, 0x0B], [0x7F, 0x01, 0x23, 0x01, 0x0B], [0x7F, 0x00, 0x23, 0x02, 0x0B])),
            Section(7, Vec([.. Name("tag"), 0x04, 0x00], [.. Name("g1"), 0x03, 0x01], [.. Name("g2"), 0x03, 0x02], [.. Name("g3"), 0x03, 0x03])),
            Section(12, [0x02]),
            Section(11, Vec([0x01, 0x02, 0xAA, 0xBB], [0x02, 0x00, 0x23, 0x01, 0x0B, 0x01, 0xCC])),
            Custom("name"));
        WasmModuleInfo module = WasmModuleReader.Read(bytes);
        Assert.Equal(["first", "middle", "name"], module.CustomSections);

        // The host reads only the names (for the guest bindings' stamp), from the section headers; a cut module is refused.
        Assert.Equal(["first", "middle", "name"], WasmModuleReader.ReadCustomSectionNames(bytes));
        Assert.Throws<WasmFormatException>(() => WasmModuleReader.ReadCustomSectionNames(bytes.AsSpan(0, bytes.Length - 3)));
        Assert.Equal([0u], module.Tags);
        Assert.Equal([new WasmLimits(1, 65536, Is64: false, Shared: true)], module.Memories);
        Assert.Equal(2u, module.DataCount);
        Assert.Equal(16, module.GetExportedGlobalConstant("g1")); // global.get of an earlier immutable constant
        Assert.True(module.TryGetExportedGlobal("g2", out WasmGlobalType g2, out long? initial)); // mutable: its initial value
        Assert.Equal((true, (long?)16), (g2.Mutable, initial));
        Assert.Null(module.GetExportedGlobalConstant("g3"));      // global.get of a mutable global: unknown
        Assert.Equal(WasmExternalKind.Tag, module.Exports[0].Kind);
        Assert.False(module.DataSegments[0].IsActive);
        Assert.Equal((true, 0u, (long?)16), (module.DataSegments[1].IsActive, module.DataSegments[1].MemoryIndex, module.DataSegments[1].Offset));
        Assert.False(module.HasStartFunction);
    }

    [Fact]
    public void Reads_the_chirp_sample()
    {
        WasmModuleInfo module = WasmModuleReader.Read(File.ReadAllBytes(Airlock.Tests.Checkout.PathOf("samples/plugins/chirp-c/chirp.wasm")));
        Assert.True(module.TryGetExportedFunction("plugin_handle_request", out WasmFunctionSignature handle));
        Assert.Equal("(i32, i32) -> i64", handle.ToString());
        Assert.True(module.TryGetExportedFunction("alloc", out WasmFunctionSignature alloc));
        Assert.Equal("(i32) -> i32", alloc.ToString());
        WasmImport log = Assert.Single(module.Imports, i => i.Module == "env" && i.Name == "host_log");
        Assert.Equal(WasmExternalKind.Function, log.Kind);
        Assert.Equal("(i32, i32, i32) -> ()", log.Signature!.ToString());
        Assert.Equal(6, module.ImportedFunctionCount);
        Assert.Equal(106, module.Functions.Count);
        Assert.Equal([new WasmLimits(2, null, false, false)], module.Memories);
        Assert.Equal(new WasmGlobal(WasmType.I32, true, 72416), Assert.Single(module.Globals));
        Assert.Equal([(true, (long?)1024, 5329u), (true, (long?)6356, 16u)], module.DataSegments.Select(d => (d.IsActive, d.Offset, d.Length)));
    }

    [Fact]
    public void Reads_the_lesstruct_enrich_sample()
    {
        WasmModuleInfo module = WasmModuleReader.Read(File.ReadAllBytes(Airlock.Tests.Checkout.PathOf("samples/plugins/lesstruct-enrich-c/plugin.wasm")));
        Assert.True(module.TryGetExportedGlobal("__heap_base", out WasmGlobalType heapBase, out long? heap));
        Assert.Equal(new WasmGlobalType(WasmType.I32, false), heapBase);
        Assert.All(module.Imports, i => Assert.Equal("lesstruct", i.Module));
        Assert.Equal(4, module.Imports.Count);

        // The layout the fixed-offset build asks for (the exact addresses move with every rebuild of the sample): data from
        // --global-base, then the bss up to __data_end, then the stack, whose pointer starts at __heap_base.
        WasmDataSegment data = Assert.Single(module.DataSegments);
        Assert.Equal((true, (long?)1114112), (data.IsActive, data.Offset));
        long dataEnd = module.GetExportedGlobalConstant("__data_end")!.Value;
        Assert.InRange(dataEnd, 1114112 + data.Length, heap!.Value - 4096);
        Assert.Equal(new WasmGlobal(WasmType.I32, true, heap.Value), module.Globals[0]);
    }

    [Theory]
    [InlineData("samples/plugins/chirp-c/chirp.wasm", true, false, true)]
    [InlineData("samples/plugins/bench-c/bench.wasm", true, false, true)]
    [InlineData("samples/plugins/chirp-rust/chirp.wasm", true, true, true)]
    [InlineData("samples/plugins/lesstruct-enrich-c/plugin.wasm", true, true, true)]
    [InlineData("samples/plugins/lesstruct-redact-c/plugin.wasm", false, false, true)]
    public void Decodes_every_function_of_the_samples_and_finds_a_heap_only_where_malloc_is_linked(string path, bool grows, bool takesHeapBase, bool measures)
    {
        // The C samples but lesstruct-enrich-c do not export __heap_base. lesstruct-redact-c links no malloc and reads
        // memory.size only to bounds-check its input; lesstruct-enrich-c is built on the generated bindings, whose arena
        // is malloc over __heap_base.
        WasmHeapEvidence evidence = WasmModuleReader.Read(File.ReadAllBytes(Airlock.Tests.Checkout.PathOf(path))).HeapEvidence;
        Assert.Null(evidence.UndecodedCode);
        Assert.Equal((grows, takesHeapBase, measures), (evidence.GrowsMemory, evidence.TakesHeapBase, evidence.MeasuresMemory));
        Assert.Equal(grows || takesHeapBase, evidence.ShowsHeap);
    }

    [Theory]
    [InlineData(new int[0], new int[0], "() -> ()")]
    [InlineData(new[] { (int)WasmType.I32 }, new[] { (int)WasmType.I32 }, "(i32) -> i32")]
    [InlineData(new[] { (int)WasmType.I64, (int)WasmType.ExternRef }, new[] { (int)WasmType.FuncRef, (int)WasmType.V128 }, "(i64, externref) -> (funcref, v128)")]
    [InlineData(new[] { (int)WasmType.F32, (int)WasmType.F64 }, new int[0], "(f32, f64) -> ()")]
    public void Spells_signatures(int[] parameters, int[] results, string expected)
    {
        var signature = new WasmFunctionSignature(parameters.Select(t => (WasmType)t).ToArray(), results.Select(t => (WasmType)t).ToArray());
        Assert.Equal(expected, signature.ToString());
    }

    public static TheoryData<string, byte[], string> HostileModules() => new()
    {
        { "empty input", [], "not a WebAssembly binary: the input is empty (expected the \\0asm magic at byte 0)" },
        { "wrong magic", [0x00, 0x61, 0x73, 0x6E, 0x01, 0x00, 0x00, 0x00], "not a WebAssembly binary" },
        { "not wasm at all", [0x7F, 0x45, 0x4C, 0x46], "not a WebAssembly binary" },
        { "wrong version", [0x00, 0x61, 0x73, 0x6D, 0x02, 0x00, 0x00, 0x00], "invalid module header at byte 4" },
        { "a component", [0x00, 0x61, 0x73, 0x6D, 0x0D, 0x00, 0x01, 0x00], "only core modules" },
        { "a truncated header", [0x00, 0x61, 0x73, 0x6D, 0x01], "truncated module header at byte 0: expected 8 bytes, 5 left" },
        { "a section size past the end", Module([11, 50, 1]), "truncated data section at byte 8: its size is 50 bytes, but only 1 are left" },
        { "a section size with nothing after it", Module([1]), "truncated section header at byte 9: expected 1 byte, 0 left" },
        { "a count of 0xFFFFFFFF", Module(Section(1, [0xFF, 0xFF, 0xFF, 0xFF, 0x0F])), "invalid type section at byte 10: a count of 4294967295 types cannot fit" },
        { "a value-type count of 0xFFFFFFFF", Module(Section(1, [0x01, 0x60, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F])), "4294967295 value types cannot fit" },
        { "an over-long LEB128", Module(Section(1, [0x80, 0x80, 0x80, 0x80, 0x80, 0x00])), "invalid type section at byte 10: a LEB128 u32 is longer than 5 bytes" },
        { "a LEB128 u32 too wide", Module(Section(1, [0xFF, 0xFF, 0xFF, 0xFF, 0x7F])), "does not fit in 32 bits" },
        { "an over-long section size", Module([1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]), "invalid section header at byte 9: a LEB128 u32 is longer than 5 bytes" },
        { "an over-long i32.const", Module(Section(6, [0x01, 0x7F, 0x00, 0x41, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x0B])), "a LEB128 i32 is longer than 5 bytes" },
        { "an i32.const too wide", Module(Section(6, [0x01, 0x7F, 0x00, 0x41, 0x80, 0x80, 0x80, 0x80, 0x40, 0x0B])), "a LEB128 i32 does not fit in 32 bits" },
        { "an over-long i64.const", Module(Section(6, [0x01, 0x7E, 0x00, 0x42, .. Enumerable.Repeat((byte)0x80, 10), 0x00, 0x0B])), "a LEB128 i64 is longer than 10 bytes" },
        { "an import kind 9", Module(Section(2, Vec([.. Name("env"), .. Name("x"), 0x09, 0x00]))), "invalid import section at byte 17: import 0 (env.x) has unknown kind 9" },
        { "a function import of a missing type", Module(Section(2, Vec([.. Name("env"), .. Name("f"), 0x00, 0x00]))), "type index 0 is out of range (the module has 0 types)" },
        { "a type form other than 0x60", Module(Section(1, Vec([0x5F, 0x00, 0x00]))), "invalid type section at byte 11: type 0 has form 0x5f" },
        { "an unknown value type", Module(Section(1, Vec([0x60, 0x01, 0x40, 0x00]))), "unknown or unsupported value type 0x40" },
        { "an export index out of range", Module(Section(7, Vec([.. Name("f"), 0x00, 0x05]))), "invalid export section at byte 14: export 'f' refers to function 5, but the module has 0 functions" },
        { "an export of unknown kind", Module(Section(7, Vec([.. Name("f"), 0x07, 0x00]))), "export 0 ('f') has unknown kind 7" },
        { "a duplicate export name", Module(Section(5, Vec([0x00, 0x01])), Section(7, Vec([.. Name("m"), 0x02, 0x00], [.. Name("m"), 0x02, 0x00]))), "duplicate export name 'm'" },
        { "a duplicate section", Module(Section(1, Vec()), Section(1, Vec())), "invalid module at byte 11: duplicate type section" },
        { "sections out of order", Module(Section(3, Vec()), Section(2, Vec())), "the import section is out of order (it follows the function section)" },
        { "a tag section after the global section", Module(Section(6, Vec()), Section(13, Vec())), "the tag section is out of order" },
        { "an unknown section id", Module(Section(14, [])), "invalid section header at byte 8: unknown section id 14" },
        { "a section longer than its contents", Module(Section(1, [0x00, 0x00])), "invalid type section at byte 11: the section's contents end 1 byte before its declared end" },
        { "functions without code", Module(Section(1, Vec(FunctionType([], []))), Section(3, Vec([0x00]))), "1 function but there is no code section" },
        { "code without functions", Module(Section(10, Vec([0x02, 0x00, 0x0B]))), "the code section has 1 function body but the function section declares 0 functions" },
        { "a function body past the section", Module(Section(1, Vec(FunctionType([], []))), Section(3, Vec([0x00])), Section(10, Vec([0x09, 0x00, 0x0B]))), "truncated code section at byte 22: expected 9 bytes, 2 left" },
        { "a data count that does not match", Module(Section(12, [0x01])), "the data count section says 1 but there are 0 data segments" },
        { "data for a missing memory", Module(Section(11, Vec([0x00, 0x41, 0x00, 0x0B, 0x00]))), "data segment 0 is for memory 0, but the module has 0 memories" },
        { "data with flags 3", Module(Section(11, Vec([0x03, 0x00]))), "invalid data section at byte 11: data segment 0 has unknown flags 3" },
        { "a global.get of an undefined global", Module(Section(6, Vec([0x7F, 0x00, 0x23, 0x00, 0x0B]))), "reads global 0, but only 0 globals are defined before it" },
        { "an unknown opcode in a constant expression", Module(Section(6, Vec([0x7F, 0x00, 0x01, 0x0B]))), "a constant expression uses opcode 0x01" },
        { "a constant expression without end", Module(Section(6, Vec([0x7F, 0x00, 0x41, 0x00]))), "truncated global section at byte 15: expected 1 byte, 0 left" },
        { "a global mutability of 2", Module(Section(6, Vec([0x7F, 0x02, 0x41, 0x00, 0x0B]))), "a global's mutability must be 0 or 1, not 2" },
        { "memory limits flags 0x08", Module(Section(5, Vec([0x08, 0x01]))), "memory limits flags 0x08 are not supported" },
        { "a maximum below the minimum", Module(Section(5, Vec([0x01, 0x02, 0x01]))), "limits maximum 1 is below the minimum 2" },
        { "a 32-bit memory over 4 GiB", Module(Section(5, Vec([0x00, 0x81, 0x80, 0x04]))), "a 32-bit memory can have at most 65536 pages" },
        { "a table of i32", Module(Section(4, Vec([0x7F, 0x00, 0x01]))), "a table's element type must be a reference type, not i32" },
        { "a start function that does not exist", Module(Section(8, [0x00])), "the start function 0 does not exist" },
        { "a name that is not UTF-8", Module(Section(0, [0x02, 0xC3, 0x28])), "invalid custom section at byte 10: a name is not valid UTF-8" },
        { "a custom section without a name", Module(Section(0, [])), "truncated custom section at byte 10: expected 1 byte, 0 left" },
    };

    [Theory]
    [MemberData(nameof(HostileModules))]
    public void Hostile_bytes_are_a_format_error_naming_the_section_and_offset(string scenario, byte[] bytes, string problem)
    {
        var error = Assert.Throws<WasmFormatException>(() => WasmModuleReader.Read(bytes));
        Assert.True(error.Message.Contains(problem, StringComparison.Ordinal), $"{scenario}: '{error.Message}' does not contain '{problem}'");
    }

    [Fact]
    public void Every_truncation_of_a_valid_module_is_a_format_error_unless_it_ends_on_a_section_boundary()
    {
        foreach (byte[] valid in new[] { Rich, Memory64, File.ReadAllBytes(Airlock.Tests.Checkout.PathOf("samples/plugins/lesstruct-enrich-c/plugin.wasm")) })
        {
            HashSet<int> boundaries = SectionBoundaries(valid);
            for (int length = 0; length < valid.Length; length++)
            {
                byte[] prefix = valid[..length];
                Exception? error = Record.Exception(() => WasmModuleReader.Read(prefix));
                if (error is null)
                {
                    Assert.Contains(length, boundaries);
                }
                else
                {
                    Assert.IsType<WasmFormatException>(error);
                    Assert.Matches(@"at byte \d+", error.Message);
                }
            }
        }
    }

    [Fact]
    public void Random_byte_flips_either_parse_or_are_a_format_error()
    {
        var random = new Random(20240611);
        byte[] enrich = File.ReadAllBytes(Airlock.Tests.Checkout.PathOf("samples/plugins/lesstruct-enrich-c/plugin.wasm"));
        int parsed = 0;
        int rejected = 0;
        foreach (byte[] valid in new[] { Rich, Memory64, enrich })
        {
            for (int i = 0; i < 300; i++)
            {
                byte[] mutant = (byte[])valid.Clone();
                int flips = random.Next(1, 4);
                for (int f = 0; f < flips; f++)
                {
                    // Mostly into the structure at the front; sometimes anywhere.
                    int limit = random.Next(4) == 0 ? mutant.Length : Math.Min(mutant.Length, 400);
                    int at = random.Next(8, limit);
                    mutant[at] = random.Next(3) switch
                    {
                        0 => (byte)(mutant[at] ^ (1 << random.Next(8))),
                        1 => 0xFF,
                        _ => (byte)random.Next(256),
                    };
                }

                Exception? error = Record.Exception(() => WasmModuleReader.Read(mutant));
                if (error is null)
                {
                    parsed++;
                }
                else
                {
                    Assert.IsType<WasmFormatException>(error);
                    rejected++;
                }
            }
        }

        Assert.True(rejected > 0);
        Assert.Equal(900, parsed + rejected);
    }

    [Fact]
    public void Huge_declared_counts_never_allocate()
    {
        // Every count-bearing place with the largest u32 and nothing after it.
        byte[] max = [0xFF, 0xFF, 0xFF, 0xFF, 0x0F];
        foreach (byte id in new byte[] { 1, 2, 3, 4, 5, 6, 7, 10, 11, 13 })
        {
            var error = Assert.Throws<WasmFormatException>(() => WasmModuleReader.Read(Module(Section(id, max))));
            Assert.Contains("cannot fit", error.Message, StringComparison.Ordinal);
        }
    }

    private static HashSet<int> SectionBoundaries(byte[] module)
    {
        var boundaries = new HashSet<int> { 8 };
        int position = 8;
        while (position < module.Length)
        {
            position++;
            uint size = 0;
            int shift = 0;
            byte b;
            do
            {
                b = module[position++];
                size |= (uint)(b & 0x7F) << shift;
                shift += 7;
            }
            while ((b & 0x80) != 0);
            position += (int)size;
            boundaries.Add(position);
        }

        return boundaries;
    }

    // A tiny module assembler: header, then sections of id + LEB128 size + payload.
}
