using Airlock.Abi;
using Airlock.Runtime;

namespace Airlock.Host.Tests;

/// <summary>The module-layout reader: what it finds in real layouts, and clear errors for bytes it cannot read.</summary>
public sealed class WasmMemoryLayoutReaderTests
{
    [Fact]
    public void Finds_data_stack_and_heap_of_a_wasm_ld_layout()
    {
        byte[] module = ProbeModules.Compile("""
            (module
              (memory 40)
              (global $sp (mut i32) (i32.const 1179664))
              (global (export "__data_end") i32 (i32.const 1114200))
              (global (export "__heap_base") i32 (i32.const 1179664))
              (data (i32.const 1114112) "static data"))
            """);
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
}
