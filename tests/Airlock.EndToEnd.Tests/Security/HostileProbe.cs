using Airlock.Contracts.SocialScale;

namespace Airlock.EndToEnd.Tests.Security;

/// <summary>
/// A plugin that calls the SocialScale host functions the way the test tells it to, including in
/// every way a hostile plugin would: without permission, with pointers and lengths out of bounds,
/// with invalid bytes, in floods, re-entrantly, and by trapping or running away mid-call.
/// </summary>
[WasmPlugin(Imports = [typeof(ISocialScaleHost)])]
public partial interface IHostileProbe
{
    /// <summary>Runs <paramref name="action"/> with the two byte arguments; returns what the host function returned (0 for void).</summary>
    [WasmExport("invoke")]
    long Invoke(int action, byte[] a, byte[] b, CancellationToken cancellationToken = default);
}

/// <summary>The actions of <see cref="HostileProbeModule"/>.</summary>
internal static class HostileAction
{
    public const int Log = 0;
    public const int Http = 1;
    public const int StoreGet = 2;
    public const int StoreSet = 3;
    public const int Emit = 4;
    public const int Credential = 5;
    public const int Config = 6;

    /// <summary>Add to a host-function action: its first pointer is past the end of memory.</summary>
    public const int PointerOutOfBounds = 10;

    /// <summary>Add to a host-function action: its first length is 4 GiB - 1.</summary>
    public const int LengthWraps = 20;

    public const int GrowMemoryForever = 30;
    public const int LoopForever = 31;
    public const int RecurseForever = 32;
    public const int SetThenTrap = 33;
    public const int ReenterFromAlloc = 34;

    /// <summary>Calls the host function <c>a.Length</c> times in a row (floods); returns the last result.</summary>
    public const int Repeat = 100;
}

/// <summary>The WAT of the hostile probe.</summary>
internal static class HostileProbeModule
{
    public static byte[] Compile() => Wasmtime.Module.ConvertText(Wat);

    private const string Wat = """
        (module
          (import "env" "host_log" (func $log (param i32 i32 i32)))
          (import "env" "host_http_request" (func $http (param i32 i32) (result i64)))
          (import "env" "host_store_get" (func $get (param i32 i32) (result i64)))
          (import "env" "host_store_set" (func $set (param i32 i32 i32 i32)))
          (import "env" "host_emit_event" (func $emit (param i32 i32)))
          (import "env" "host_credential_get" (func $cred (result i64)))
          (import "env" "host_config_get" (func $config (result i64)))
          (memory (export "memory") 2)
          (global $heap (mut i32) (i32.const 4096))
          (global $reenter (mut i32) (i32.const 0))

          ;; A bump allocator that grows memory when it must; with $reenter set it calls the host from inside alloc.
          (func (export "alloc") (param $n i32) (result i32)
            (local $p i32) (local $end i32)
            (if (global.get $reenter) (then (call $log (i32.const 2) (i32.const 0) (i32.const 0))))
            (local.set $p (global.get $heap))
            (local.set $end (i32.add (local.get $p) (local.get $n)))
            (if (i32.gt_u (local.get $end) (i32.mul (memory.size) (i32.const 65536)))
              (then
                (if (i32.eq (memory.grow (i32.add (i32.div_u (i32.sub (local.get $end) (i32.mul (memory.size) (i32.const 65536))) (i32.const 65536)) (i32.const 1))) (i32.const -1))
                  (then (return (i32.const 0))))))
            (global.set $heap (local.get $end))
            (local.get $p))
          (func (export "dealloc") (param i32 i32))

          (func $host (param $action i32) (param $ap i32) (param $al i32) (param $bp i32) (param $bl i32) (result i64)
            (if (i32.eq (local.get $action) (i32.const 0)) (then (call $log (i32.const 2) (local.get $ap) (local.get $al)) (return (i64.const 0))))
            (if (i32.eq (local.get $action) (i32.const 1)) (then (return (call $http (local.get $ap) (local.get $al)))))
            (if (i32.eq (local.get $action) (i32.const 2)) (then (return (call $get (local.get $ap) (local.get $al)))))
            (if (i32.eq (local.get $action) (i32.const 3)) (then (call $set (local.get $ap) (local.get $al) (local.get $bp) (local.get $bl)) (return (i64.const 0))))
            (if (i32.eq (local.get $action) (i32.const 4)) (then (call $emit (local.get $ap) (local.get $al)) (return (i64.const 0))))
            (if (i32.eq (local.get $action) (i32.const 5)) (then (return (call $cred))))
            (if (i32.eq (local.get $action) (i32.const 6)) (then (return (call $config))))
            (unreachable))

          (func $recurse (param $n i32) (result i32) (i32.add (call $recurse (i32.add (local.get $n) (i32.const 1))) (i32.const 1)))

          (func (export "invoke") (param $action i32) (param $ap i32) (param $al i32) (param $bp i32) (param $bl i32) (result i64)
            (local $i i32) (local $r i64)
            (if (i32.lt_u (local.get $action) (i32.const 10)) (then (return (call $host (local.get $action) (local.get $ap) (local.get $al) (local.get $bp) (local.get $bl)))))
            (if (i32.lt_u (local.get $action) (i32.const 20)) (then (return (call $host (i32.sub (local.get $action) (i32.const 10)) (i32.const -256) (local.get $al) (local.get $bp) (local.get $bl)))))
            (if (i32.lt_u (local.get $action) (i32.const 30)) (then (return (call $host (i32.sub (local.get $action) (i32.const 20)) (local.get $ap) (i32.const -1) (local.get $bp) (local.get $bl)))))
            (if (i32.eq (local.get $action) (i32.const 30))
              (then (loop $grow (br_if $grow (i32.ne (memory.grow (i32.const 1)) (i32.const -1)))) (unreachable)))
            (if (i32.eq (local.get $action) (i32.const 31)) (then (loop $spin (br $spin))))
            (if (i32.eq (local.get $action) (i32.const 32)) (then (return (i64.extend_i32_s (call $recurse (i32.const 0))))))
            (if (i32.eq (local.get $action) (i32.const 33))
              (then (call $set (local.get $ap) (local.get $al) (local.get $bp) (local.get $bl)) (unreachable)))
            (if (i32.eq (local.get $action) (i32.const 34))
              (then (global.set $reenter (i32.const 1))
                    (local.set $r (call $get (local.get $ap) (local.get $al)))
                    (global.set $reenter (i32.const 0))
                    (return (local.get $r))))
            ;; 100 + n: call host action n as many times as a is long.
            (if (i32.ge_u (local.get $action) (i32.const 100))
              (then
                (loop $again
                  (local.set $r (call $host (i32.sub (local.get $action) (i32.const 100)) (local.get $bp) (local.get $bl) (local.get $bp) (local.get $bl)))
                  (local.set $i (i32.add (local.get $i) (i32.const 1)))
                  (br_if $again (i32.lt_u (local.get $i) (local.get $al))))
                (return (local.get $r))))
            (unreachable))
        )
        """;
}
