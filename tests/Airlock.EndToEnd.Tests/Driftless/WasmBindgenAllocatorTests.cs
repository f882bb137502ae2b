using System.Text.Json;
using Airlock.Contracts.Driftless;
using Airlock.Driftless;

namespace Airlock.EndToEnd.Tests.Driftless;

/// <summary>
/// wasm-bindgen 0.2.87 and later give the allocator an alignment argument: <c>__wbindgen_malloc(size,
/// align)</c> and <c>__wbindgen_free(ptr, size, align)</c>. The host reads the shape from the module.
/// </summary>
public sealed class WasmBindgenAllocatorTests
{
    // Traps unless every malloc and free the host makes passes alignment 1, and unless, at each call,
    // the host has freed every earlier result (the frees counted at 16 equal the calls before this one).
    private const string AlignedModule = """
        (module
          (memory (export "memory") 2)
          (data (i32.const 64) "{\"status\":\"success\",\"message\":\"aligned\"}")
          (global $next (mut i32) (i32.const 1024))
          (global $calls (mut i32) (i32.const 0))
          (func (export "__wbindgen_malloc") (param $size i32) (param $align i32) (result i32) (local $at i32)
            (if (i32.ne (local.get $align) (i32.const 1)) (then unreachable))
            (local.set $at (global.get $next))
            (global.set $next (i32.and (i32.add (i32.add (global.get $next) (local.get $size)) (i32.const 7)) (i32.const -8)))
            (local.get $at))
          (func (export "__wbindgen_free") (param i32 i32) (param $align i32)
            (if (i32.ne (local.get $align) (i32.const 1)) (then unreachable))
            (i32.store (i32.const 16) (i32.add (i32.load (i32.const 16)) (i32.const 1))))
          (func (export "execute_task") (param $slot i32) (param i32 i32 i32 i32) (local $copy i32)
            (if (i32.ne (i32.load (i32.const 16)) (global.get $calls)) (then unreachable))
            (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
            ;; The result is the plugin's: a fresh copy of the answer, which the host frees.
            (local.set $copy (call 0 (i32.const 40) (i32.const 1)))
            (memory.copy (local.get $copy) (i32.const 64) (i32.const 40))
            (i32.store (local.get $slot) (local.get $copy))
            (i32.store offset=4 (local.get $slot) (i32.const 40))))
        """;

    [Fact]
    public async Task The_allocator_with_an_alignment_argument_is_called_with_byte_alignment_and_results_are_freed()
    {
        await using var host = new PluginHost();
        var options = new PluginLoadOptions().AddImports<IDriftlessHost>(new DriftlessHostServices());
        await using IDriftlessPlugin plugin = await host.LoadModuleAsync<IDriftlessPlugin>("aligned", Wasmtime.Module.ConvertText(AlignedModule), options);
        using JsonDocument config = JsonDocument.Parse("{}");
        for (int i = 0; i < 3; i++)
        {
            DriftlessTaskResult result = await plugin.ExecuteTaskAsync("task", config.RootElement);
            Assert.Equal("aligned", result.Message);
        }
    }
}
