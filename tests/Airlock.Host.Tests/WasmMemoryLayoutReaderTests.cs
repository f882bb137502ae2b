using Airlock.Abi;
using Airlock.Runtime;
using Airlock.Wasm;

namespace Airlock.Host.Tests;

/// <summary>The module-layout reader: what it finds in real layouts, and clear errors for bytes it cannot read.</summary>
public sealed class WasmMemoryLayoutReaderTests
{
    [Fact]
    public void Finds_data_stack_and_heap_of_a_wasm_ld_layout()
    {
        byte[] module = WasmLdModule(data: 1114112, dataEnd: 1114200, heapBase: 1179664, code: """(func (export "sbrk") (param i32) (result i32) (memory.grow (local.get 0)))""");
        GuestMemoryLayout layout = WasmMemoryLayoutReader.Read(module, [65536]);
        Assert.Null(layout.RegionAt(65536));
        Assert.Equal("data segment 0", layout.RegionAt(1114112)!.Value.Description);
        Assert.Equal("stack", layout.RegionAt(1114300)!.Value.Description);
        Assert.Equal("heap (from __heap_base)", layout.RegionAt(2_000_000)!.Value.Description);
        Assert.Equal(1114112UL, layout.WindowEnd(65536, out string limit));
        Assert.Equal("data segment 0", limit);
        Assert.Equal(65536UL, layout.WindowEnd(4096, out limit));
        Assert.Contains("input window", limit, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_heap_nothing_above_heap_base_is_the_guests()
    {
        // wasm-ld's layout with a small stack: data from 1024, an 8 KiB stack, __heap_base after it,
        // and no code that grows memory or takes __heap_base.
        byte[] module = WasmLdModule(data: 1024, dataEnd: 1120, heapBase: 9312, code: """(func (export "size") (result i32) (memory.size))""");
        GuestMemoryLayout layout = WasmMemoryLayoutReader.Read(module, [65536]);
        Assert.Equal("stack", layout.RegionAt(9000)!.Value.Description);
        Assert.Null(layout.RegionAt(9312));
        Assert.Null(layout.RegionAt(65536));
        Assert.Equal(GuestMemoryLayout.AddressSpaceEnd, layout.WindowEnd(65536));
    }

    [Theory]
    [InlineData("(func (drop (i32.const 9312)))")]
    [InlineData("(func (drop (global.get $heap_base)))")]
    [InlineData("""(data (i32.const 2000) "\60\24\00\00")""")]
    [InlineData("(global $next (mut i32) (i32.const 9312))")]
    [InlineData("(func (drop (memory.grow (i32.const 1))))")]
    public void Taking_heap_base_or_growing_memory_gives_the_guest_everything_above_heap_base(string allocator)
    {
        WasmModuleInfo info = WasmModuleReader.Read(ProbeModules.Compile($$"""
            (module
              (memory 2)
              (global $sp (mut i32) (i32.const 9312))
              (global $heap_base (export "__heap_base") i32 (i32.const 9312))
              {{allocator}})
            """));
        Assert.True(info.HeapEvidence.ShowsHeap);
        Assert.Equal("heap (from __heap_base)", WasmMemoryLayoutReader.Read(info, []).RegionAt(65536)!.Value.Description);
    }

    [Fact]
    public void Opcode_bytes_inside_immediates_are_not_instructions()
    {
        // 0x40 (memory.grow) and 0x3F (memory.size) appear only as immediates; 9312 only as an i64.
        WasmModuleInfo info = WasmModuleReader.Read(ProbeModules.Compile("""
            (module
              (type $t (func (param i32) (result i32)))
              (import "env" "f" (func $f (param i32) (result i32)))
              (memory 1)
              (table 1 funcref)
              (tag $oops (param i32))
              (global $sp (mut i32) (i32.const 9312))
              (global (export "__heap_base") i32 (i32.const 9312))
              (func $all (param $p i32) (result i32) (local $v v128) (local $d f64)
                (drop (i32.const 64))
                (drop (i32.const 63))
                (drop (i64.const 9312))
                (drop (f32.const 0x1p-63))
                (local.set $d (f64.const 64))
                (local.set $v (v128.const i8x16 0x40 0 0x3f 0 0x40 0 0x40 0 0x40 0 0x40 0 0x40 0 0x40 0))
                (local.set $v (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 (local.get $v) (local.get $v)))
                (drop (i8x16.extract_lane_s 15 (local.get $v)))
                (local.set $v (v128.load32_lane offset=64 3 (local.get $p) (local.get $v)))
                (drop (i32.load offset=64 align=4 (local.get $p)))
                (i64.store offset=0x40000000 (local.get $p) (i64.const -64))
                (memory.fill (local.get $p) (i32.const 0x40) (i32.const 0x3f))
                (drop (i32.atomic.rmw.add offset=64 (local.get $p) (i32.const 64)))
                (atomic.fence)
                (drop (i32.trunc_sat_f64_s (local.get $d)))
                (drop (ref.is_null (ref.func $all)))
                (drop (call_indirect (type $t) (i32.const 64) (i32.const 0)))
                (block $out (result i32)
                  (try_table (catch $oops $out) (throw $oops (i32.const 64)))
                  (br_table $out $out (i32.const 64) (local.get $p)))
                (drop)
                (if (result i32) (local.get $p) (then (i32.const 64)) (else (return_call $f (i32.const 63))))))
            """));
        Assert.Equal(new WasmHeapEvidence(GrowsMemory: false, MeasuresMemory: false, TakesHeapBase: false, UndecodedCode: null), info.HeapEvidence);
    }

    [Fact]
    public void Code_the_reader_cannot_decode_counts_as_a_heap()
    {
        // A body with the GC prefix 0xFB, which the reader does not decode: (func (unknown) end).
        byte[] module = [
            0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00,
            0x01, 0x04, 0x01, 0x60, 0x00, 0x00,             // type 0: () -> ()
            0x03, 0x02, 0x01, 0x00,                         // function 0 of type 0
            0x05, 0x03, 0x01, 0x00, 0x02,                   // memory 2 pages
            0x0A, 0x07, 0x01, 0x05, 0x00, 0xFB, 0x00, 0x00, 0x0B, // code: no locals, 0xFB 0x00 0x00, end
        ];
        WasmModuleInfo info = WasmModuleReader.Read(module);
        Assert.Equal("function 0 uses opcode 0xfb at byte 28, which this reader does not decode", info.HeapEvidence.UndecodedCode);
        Assert.True(info.HeapEvidence.ShowsHeap);
    }

    [Fact]
    public void A_data_segment_placed_by_an_imported_global_is_assumed_to_cover_everything()
    {
        byte[] module = ProbeModules.Compile("""
            (module
              (import "env" "base" (global $base i32))
              (memory 1)
              (data (global.get $base) "somewhere"))
            """);
        GuestMemoryLayout layout = WasmMemoryLayoutReader.Read(module, []);
        Assert.NotNull(layout.RegionAt(65536));
    }

    [Theory]
    [InlineData(new byte[] { 1, 2, 3 }, "not a WebAssembly binary")]
    [InlineData(new byte[] { 0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 11, 50, 1 }, "runs past the end")]
    [InlineData(new byte[] { 0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 11, 3, 1, 0, 0x41 }, "truncated data section")]
    [InlineData(new byte[] { 0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 11, 14, 1, 0, 0x41, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80 }, "longer than 5 bytes")]
    public void Truncated_or_hostile_bytes_are_a_format_error(byte[] bytes, string problem)
    {
        var error = Assert.Throws<FormatException>(() => WasmMemoryLayoutReader.Read(bytes, []));
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    // wasm-ld's default layout: static data from `data` to __data_end, then the stack up to __heap_base.
    private static byte[] WasmLdModule(int data, int dataEnd, int heapBase, string code) => ProbeModules.Compile($$"""
        (module
          (memory 40)
          (global $sp (mut i32) (i32.const {{heapBase}}))
          (global (export "__data_end") i32 (i32.const {{dataEnd}}))
          (global (export "__heap_base") i32 (i32.const {{heapBase}}))
          (data (i32.const {{data}}) "static data")
          {{code}})
        """);
}
