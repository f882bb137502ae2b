using System.Text.Json;
using Airlock.Contracts.Driftless;
using Airlock.Driftless;

namespace Airlock.EndToEnd.Tests.Security;

/// <summary>
/// Hostile modules speaking the wasm-bindgen ABI to the Driftless contract: a return slot or an
/// allocator that lies, wasm-bindgen glue that stands for JavaScript, and an error thrown through
/// <c>__wbindgen_throw</c>.
/// </summary>
public static partial class HostileCases
{
    private const string WasmBindgenWat = "WAT (wasm-bindgen)";

    private static IEnumerable<HostileCase> WasmBindgenCases =>
    [
        new("wbg-result-past-memory", "writes a (ptr, len) past the end of its memory into execute_task's return slot", "GuestMemoryAccessException naming the result of execute_task; nothing is read", WasmBindgenWat,
            world => ExpectAsync<GuestMemoryAccessException>(world, Bindgen(result: "(i32.const 0x7fff0000) (i32.const 4096)"), e => Assert.Contains("result of execute_task", e.Message, StringComparison.Ordinal))),
        new("wbg-result-over-payload-limit", "answers with a (ptr, len) whose length is over the payload limit", "GuestMemoryAccessException (over the payload limit); nothing is read", WasmBindgenWat,
            world => ExpectAsync<GuestMemoryAccessException>(world, Bindgen(result: "(i32.const 1024) (i32.const 0x7ffffff0)"), e => Assert.Contains("result of execute_task", e.Message, StringComparison.Ordinal))),
        new("wbg-malloc-returns-zero", "answers __wbindgen_malloc with 0", "GuestAllocationException; the export is never called", WasmBindgenWat,
            world => ExpectAsync<GuestAllocationException>(world, Bindgen(malloc: "(i32.const 0)"), _ => { })),
        new("wbg-malloc-out-of-bounds", "answers __wbindgen_malloc with an address past its memory", "GuestMemoryAccessException naming the buffer __wbindgen_malloc returned; nothing is written", WasmBindgenWat,
            world => ExpectAsync<GuestMemoryAccessException>(world, Bindgen(malloc: "(i32.const 0x7ffffff0)"), _ => { })),
        new("wbg-malloc-traps", "traps in __wbindgen_malloc (as wasm-bindgen's allocator does when out of memory)", "PluginTrapException (unreachable)", WasmBindgenWat,
            world => ExpectAsync<PluginTrapException>(world, Bindgen(malloc: "(unreachable)"), _ => { })),
        new("wbg-javascript-import", "imports console.log as wasm-bindgen glue (__wbindgen_placeholder__.__wbg_log_<hash>)", "not loaded: PluginContractException saying there is no JavaScript and to log through env.host_log", WasmBindgenWat,
            world => RefusedAsync(world, Bindgen(imports: """(import "__wbindgen_placeholder__" "__wbg_log_5e83ab27b7742f02" (func (param i32 i32)))"""), "host_log(level, message)")),
        new("wbg-forbidden-env-import", "imports env.syscall and env.fd_write", "not loaded: PluginContractException naming each import, which module env does not provide", WasmBindgenWat,
            world => RefusedAsync(world, Bindgen(imports: """(import "env" "syscall" (func (param i32) (result i32))) (import "env" "fd_write" (func (param i32 i32 i32 i32) (result i32)))"""), "env.syscall", "env.fd_write")),
        new("wbg-throw", "calls __wbindgen_throw with a message carrying a line break and a bidi override", "HostFunctionException \"the plugin raised an error\" with the message sanitised; the instance is discarded", WasmBindgenWat,
            world => ExpectAsync<HostFunctionException>(world, Bindgen(imports: """(import "__wbindgen_placeholder__" "__wbindgen_throw" (func $throw (param i32 i32)))""", body: "(call $throw (i32.const 16) (i32.const 14))", data: "boom\\0a\\e2\\80\\aeforged"), e =>
            {
                Assert.Contains("the plugin raised an error: boom \uFFFDforged", e.Message, StringComparison.Ordinal);
            })),
    ];

    // A wasm-bindgen module with a bump allocator whose execute_task writes `result` (ptr, len) into
    // its return slot, after running `body`.
    private static byte[] Bindgen(string result = "(i32.const 16) (i32.const 2)", string malloc = "", string imports = "", string body = "", string data = "{}")
        => Wasmtime.Module.ConvertText($$"""
            (module
              {{imports}}
              (memory (export "memory") 2)
              (data (i32.const 16) "{{data}}")
              (global $next (mut i32) (i32.const 1024))
              (func (export "__wbindgen_malloc") (param $size i32) (result i32) (local $at i32)
                {{(malloc.Length > 0 ? malloc + " return" : string.Empty)}}
                (local.set $at (global.get $next))
                (global.set $next (i32.and (i32.add (i32.add (global.get $next) (local.get $size)) (i32.const 7)) (i32.const -8)))
                (local.get $at))
              (func (export "__wbindgen_free") (param i32 i32))
              (func (export "execute_task") (param $slot i32) (param i32 i32 i32 i32) (local $ptr i32) (local $len i32)
                {{body}}
                (local.set $len {{result.Substring(result.IndexOf(") (", StringComparison.Ordinal) + 2)}})
                (local.set $ptr {{result.Substring(0, result.IndexOf(") (", StringComparison.Ordinal) + 1)}})
                (i32.store (local.get $slot) (local.get $ptr))
                (i32.store offset=4 (local.get $slot) (local.get $len))))
            """);

    private static async Task<IDriftlessPlugin> LoadBindgenAsync(HostileWorld world, byte[] module)
    {
        var options = new PluginLoadOptions().AddImports<IDriftlessHost>(new DriftlessHostServices());
        return await world.Host.LoadModuleAsync<IDriftlessPlugin>("bindgen-" + Guid.NewGuid().ToString("N")[..8], module, options);
    }

    private static async Task<IHostileProbe?> ExpectAsync<TException>(HostileWorld world, byte[] module, Action<TException> check)
        where TException : Exception
    {
        await using IDriftlessPlugin plugin = await LoadBindgenAsync(world, module);
        using JsonDocument config = JsonDocument.Parse("{}");
        TException error = await Assert.ThrowsAsync<TException>(() => plugin.ExecuteTaskAsync("task", config.RootElement).AsTask());
        check(error);
        return null;
    }

    private static async Task<IHostileProbe?> RefusedAsync(HostileWorld world, byte[] module, params string[] named)
    {
        PluginContractException error = await Assert.ThrowsAsync<PluginContractException>(() => LoadBindgenAsync(world, module));
        foreach (string name in named)
        {
            Assert.Contains(name, error.Message, StringComparison.Ordinal);
        }

        return null;
    }
}
