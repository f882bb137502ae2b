using System.Buffers.Binary;
using System.Text;

namespace Airlock.Host.Tests;

/// <summary>
/// The actions of <see cref="WasiFileModule"/>. Most take <c>a</c> = a directory descriptor (u32 LE)
/// followed by a path relative to it (<see cref="At"/>), as wasi-libc passes them once it has found the
/// preopened directory of an absolute path. Each answers <c>-errno</c> when a WASI function fails.
/// </summary>
internal static class WasiFileAction
{
    /// <summary>What an action answers when the bytes it got are not those expected.</summary>
    public const long Mismatch = -10000;

    /// <summary>path_open (following symbolic links) and fd_read of up to 2 KiB: the length read when the file holds exactly <c>b</c>, else <see cref="Mismatch"/>.</summary>
    public const int Read = 50;

    /// <summary>path_open with O_CREAT | O_TRUNC and write rights, then fd_write of <c>b</c>: the bytes written.</summary>
    public const int Create = 51;

    /// <summary>path_open of an existing file with write rights (no O_CREAT), then fd_write of <c>b</c>: the bytes written.</summary>
    public const int WriteExisting = 52;

    /// <summary>path_create_directory: 0.</summary>
    public const int CreateDirectory = 53;

    /// <summary>path_unlink_file: 0.</summary>
    public const int Unlink = 54;

    /// <summary>path_rename of the path to <c>b</c> (in the same directory descriptor): 0.</summary>
    public const int Rename = 55;

    /// <summary>path_open with O_DIRECTORY and fd_readdir (2 KiB): the entries × 1000, + 1 when one is named <c>b</c>.</summary>
    public const int List = 56;

    /// <summary>fd_prestat_get and fd_prestat_dir_name of the descriptor (<c>a</c> without a path): the name's length when it is <c>b</c>, else <see cref="Mismatch"/>.</summary>
    public const int Preopen = 57;

    /// <summary>path_symlink: a link at the path whose target is <c>b</c>; 0.</summary>
    public const int Symlink = 58;

    /// <summary>environ_sizes_get and environ_get: the count when the strings are exactly <c>b</c>, else <see cref="Mismatch"/>.</summary>
    public const int Environ = 59;

    /// <summary>args_sizes_get: the count × 1000 + the bytes.</summary>
    public const int Arguments = 60;

    /// <summary>fd_read of up to 16 bytes from stdin: the bytes read.</summary>
    public const int Stdin = 61;

    /// <summary>path_remove_directory: 0.</summary>
    public const int RemoveDirectory = 62;

    /// <summary>path_filestat_get (following symbolic links): the size.</summary>
    public const int Size = 63;

    /// <summary>path_open with every bit of the rights set (-1 as i64): 0, or -errno.</summary>
    public const int OpenWithEveryRightBit = 64;

    /// <summary><c>a</c> for an action on <paramref name="path"/> relative to descriptor <paramref name="fd"/>.</summary>
    public static byte[] At(int fd, string path)
    {
        byte[] bytes = new byte[4 + Encoding.UTF8.GetByteCount(path)];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, fd);
        Encoding.UTF8.GetBytes(path, bytes.AsSpan(4));
        return bytes;
    }

    /// <summary>The environment as environ_get lays it out: each <c>name=value</c> followed by NUL.</summary>
    public static byte[] EnvironOf(params string[] variables) => Encoding.UTF8.GetBytes(string.Concat(variables.Select(v => v + "\0")));
}

/// <summary>The WAT of the WASI file probe, and its parts for other probes (the hostile suite's).</summary>
internal static class WasiFileModule
{
    /// <summary>The WASI imports <see cref="Functions"/> calls.</summary>
    public const string Imports = """
        (import "wasi_snapshot_preview1" "fd_read" (func $wf_fd_read (param i32 i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_write" (func $wf_fd_write (param i32 i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_close" (func $wf_fd_close (param i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_readdir" (func $wf_fd_readdir (param i32 i32 i32 i64 i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_prestat_get" (func $wf_fd_prestat_get (param i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $wf_fd_prestat_dir_name (param i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "path_open" (func $wf_path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "path_create_directory" (func $wf_path_create_directory (param i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "path_remove_directory" (func $wf_path_remove_directory (param i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "path_unlink_file" (func $wf_path_unlink_file (param i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "path_rename" (func $wf_path_rename (param i32 i32 i32 i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "path_symlink" (func $wf_path_symlink (param i32 i32 i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "path_filestat_get" (func $wf_path_filestat_get (param i32 i32 i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "environ_sizes_get" (func $wf_environ_sizes_get (param i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "environ_get" (func $wf_environ_get (param i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "args_sizes_get" (func $wf_args_sizes_get (param i32 i32) (result i32)))
        """;

    /// <summary>
    /// <c>$files (action, ap, al, bp, bl) -> i64</c>: the actions of <see cref="WasiFileAction"/>. Uses
    /// 1024..1500 for WASI's small results and 2048..4095 as its buffer, so the module's allocator must
    /// start at 4096 or above.
    /// </summary>
    public const string Functions = """
        (func $wf_err (param $r i32) (result i64) (i64.extend_i32_s (i32.sub (i32.const 0) (local.get $r))))

        ;; $n when the $n bytes at $p are the $m bytes at $q, else -10000.
        (func $wf_same (param $p i32) (param $n i32) (param $q i32) (param $m i32) (result i64)
          (local $i i32)
          (if (i32.ne (local.get $n) (local.get $m)) (then (return (i64.const -10000))))
          (block $differ
            (loop $next
              (if (i32.ge_u (local.get $i) (local.get $n)) (then (return (i64.extend_i32_u (local.get $n)))))
              (br_if $differ (i32.ne (i32.load8_u (i32.add (local.get $p) (local.get $i))) (i32.load8_u (i32.add (local.get $q) (local.get $i)))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $next)))
          (i64.const -10000))

        ;; path_open of $path under $dir; the descriptor at 1024.
        (func $wf_open (param $dir i32) (param $follow i32) (param $path i32) (param $len i32) (param $oflags i32) (param $rights i64) (result i32)
          (call $wf_path_open (local.get $dir) (local.get $follow) (local.get $path) (local.get $len) (local.get $oflags) (local.get $rights) (i64.const 536870911) (i32.const 0) (i32.const 1024)))

        ;; fd_write of $n bytes at $p to $fd, then fd_close: the bytes written or -errno.
        (func $wf_write_close (param $fd i32) (param $p i32) (param $n i32) (result i64)
          (local $r i32)
          (i32.store (i32.const 1032) (local.get $p))
          (i32.store (i32.const 1036) (local.get $n))
          (local.set $r (call $wf_fd_write (local.get $fd) (i32.const 1032) (i32.const 1) (i32.const 1040)))
          (drop (call $wf_fd_close (local.get $fd)))
          (if (local.get $r) (then (return (call $wf_err (local.get $r)))))
          (i64.extend_i32_u (i32.load (i32.const 1040))))

        (func $files (param $action i32) (param $ap i32) (param $al i32) (param $bp i32) (param $bl i32) (result i64)
          (local $dir i32) (local $path i32) (local $len i32) (local $r i32) (local $fd i32) (local $n i32) (local $at i32) (local $count i32) (local $found i32)
          (local.set $dir (i32.load (local.get $ap)))
          (local.set $path (i32.add (local.get $ap) (i32.const 4)))
          (local.set $len (i32.sub (local.get $al) (i32.const 4)))
          ;; Read rights: fd_read, fd_seek, fd_tell, fd_readdir, fd_filestat_get. Write rights: fd_write, fd_seek.
          (if (i32.eq (local.get $action) (i32.const 50))
            (then
              (local.set $r (call $wf_open (local.get $dir) (i32.const 1) (local.get $path) (local.get $len) (i32.const 0) (i64.const 2113574)))
              (if (local.get $r) (then (return (call $wf_err (local.get $r)))))
              (local.set $fd (i32.load (i32.const 1024)))
              (i32.store (i32.const 1032) (i32.const 2048))
              (i32.store (i32.const 1036) (i32.const 2048))
              (local.set $r (call $wf_fd_read (local.get $fd) (i32.const 1032) (i32.const 1) (i32.const 1040)))
              (drop (call $wf_fd_close (local.get $fd)))
              (if (local.get $r) (then (return (call $wf_err (local.get $r)))))
              (return (call $wf_same (i32.const 2048) (i32.load (i32.const 1040)) (local.get $bp) (local.get $bl)))))
          (if (i32.eq (local.get $action) (i32.const 51))
            (then
              (local.set $r (call $wf_open (local.get $dir) (i32.const 1) (local.get $path) (local.get $len) (i32.const 9) (i64.const 68)))
              (if (local.get $r) (then (return (call $wf_err (local.get $r)))))
              (return (call $wf_write_close (i32.load (i32.const 1024)) (local.get $bp) (local.get $bl)))))
          (if (i32.eq (local.get $action) (i32.const 52))
            (then
              (local.set $r (call $wf_open (local.get $dir) (i32.const 1) (local.get $path) (local.get $len) (i32.const 0) (i64.const 68)))
              (if (local.get $r) (then (return (call $wf_err (local.get $r)))))
              (return (call $wf_write_close (i32.load (i32.const 1024)) (local.get $bp) (local.get $bl)))))
          (if (i32.eq (local.get $action) (i32.const 53)) (then (return (call $wf_err (call $wf_path_create_directory (local.get $dir) (local.get $path) (local.get $len))))))
          (if (i32.eq (local.get $action) (i32.const 54)) (then (return (call $wf_err (call $wf_path_unlink_file (local.get $dir) (local.get $path) (local.get $len))))))
          (if (i32.eq (local.get $action) (i32.const 55)) (then (return (call $wf_err (call $wf_path_rename (local.get $dir) (local.get $path) (local.get $len) (local.get $dir) (local.get $bp) (local.get $bl))))))
          ;; 56: dirents of 24 bytes (d_namlen u32 @16) and the name after each.
          (if (i32.eq (local.get $action) (i32.const 56))
            (then
              (local.set $r (call $wf_open (local.get $dir) (i32.const 1) (local.get $path) (local.get $len) (i32.const 2) (i64.const 2113574)))
              (if (local.get $r) (then (return (call $wf_err (local.get $r)))))
              (local.set $fd (i32.load (i32.const 1024)))
              (local.set $r (call $wf_fd_readdir (local.get $fd) (i32.const 2048) (i32.const 2048) (i64.const 0) (i32.const 1040)))
              (drop (call $wf_fd_close (local.get $fd)))
              (if (local.get $r) (then (return (call $wf_err (local.get $r)))))
              (local.set $n (i32.load (i32.const 1040)))
              (block $done
                (loop $next
                  (br_if $done (i32.gt_u (i32.add (local.get $at) (i32.const 24)) (local.get $n)))
                  (local.set $count (i32.add (local.get $count) (i32.const 1)))
                  (if (i64.ge_s (call $wf_same (i32.add (i32.const 2072) (local.get $at)) (i32.load (i32.add (i32.const 2064) (local.get $at))) (local.get $bp) (local.get $bl)) (i64.const 0))
                    (then (local.set $found (i32.const 1))))
                  (local.set $at (i32.add (local.get $at) (i32.add (i32.const 24) (i32.load (i32.add (i32.const 2064) (local.get $at))))))
                  (br $next)))
              (return (i64.extend_i32_u (i32.add (i32.mul (local.get $count) (i32.const 1000)) (local.get $found))))))
          (if (i32.eq (local.get $action) (i32.const 57))
            (then
              (local.set $r (call $wf_fd_prestat_get (local.get $dir) (i32.const 1024)))
              (if (local.get $r) (then (return (call $wf_err (local.get $r)))))
              (local.set $n (i32.load (i32.const 1028)))
              (if (i32.gt_u (local.get $n) (i32.const 2048)) (then (return (i64.const -10000))))
              (local.set $r (call $wf_fd_prestat_dir_name (local.get $dir) (i32.const 2048) (local.get $n)))
              (if (local.get $r) (then (return (call $wf_err (local.get $r)))))
              (return (call $wf_same (i32.const 2048) (local.get $n) (local.get $bp) (local.get $bl)))))
          (if (i32.eq (local.get $action) (i32.const 58)) (then (return (call $wf_err (call $wf_path_symlink (local.get $bp) (local.get $bl) (local.get $dir) (local.get $path) (local.get $len))))))
          (if (i32.eq (local.get $action) (i32.const 59))
            (then
              (local.set $r (call $wf_environ_sizes_get (i32.const 1024) (i32.const 1028)))
              (if (local.get $r) (then (return (call $wf_err (local.get $r)))))
              (local.set $count (i32.load (i32.const 1024)))
              (local.set $n (i32.load (i32.const 1028)))
              (if (i32.or (i32.gt_u (local.get $count) (i32.const 64)) (i32.gt_u (local.get $n) (i32.const 2048))) (then (return (i64.const -10000))))
              (local.set $r (call $wf_environ_get (i32.const 1100) (i32.const 2048)))
              (if (local.get $r) (then (return (call $wf_err (local.get $r)))))
              (if (i64.lt_s (call $wf_same (i32.const 2048) (local.get $n) (local.get $bp) (local.get $bl)) (i64.const 0)) (then (return (i64.const -10000))))
              (return (i64.extend_i32_u (local.get $count)))))
          (if (i32.eq (local.get $action) (i32.const 60))
            (then
              (local.set $r (call $wf_args_sizes_get (i32.const 1024) (i32.const 1028)))
              (if (local.get $r) (then (return (call $wf_err (local.get $r)))))
              (return (i64.extend_i32_u (i32.add (i32.mul (i32.load (i32.const 1024)) (i32.const 1000)) (i32.load (i32.const 1028)))))))
          (if (i32.eq (local.get $action) (i32.const 61))
            (then
              (i32.store (i32.const 1032) (i32.const 2048))
              (i32.store (i32.const 1036) (i32.const 16))
              (local.set $r (call $wf_fd_read (i32.const 0) (i32.const 1032) (i32.const 1) (i32.const 1040)))
              (if (local.get $r) (then (return (call $wf_err (local.get $r)))))
              (return (i64.extend_i32_u (i32.load (i32.const 1040))))))
          (if (i32.eq (local.get $action) (i32.const 62)) (then (return (call $wf_err (call $wf_path_remove_directory (local.get $dir) (local.get $path) (local.get $len))))))
          (if (i32.eq (local.get $action) (i32.const 63))
            (then
              (local.set $r (call $wf_path_filestat_get (local.get $dir) (i32.const 1) (local.get $path) (local.get $len) (i32.const 2048)))
              (if (local.get $r) (then (return (call $wf_err (local.get $r)))))
              (return (i64.load (i32.const 2080)))))
          (if (i32.eq (local.get $action) (i32.const 64))
            (then (return (call $wf_err (call $wf_path_open (local.get $dir) (i32.const 1) (local.get $path) (local.get $len) (i32.const 0) (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 1024))))))
          (unreachable))
        """;

    /// <summary>Whether <paramref name="action"/> is one of <see cref="Functions"/>', as a WAT condition on <c>$action</c>.</summary>
    public const string IsFileAction = "(i32.and (i32.ge_u (local.get $action) (i32.const 50)) (i32.le_u (local.get $action) (i32.const 64)))";

    /// <summary>The probe: <c>IWasiFileProbe</c> over <see cref="Functions"/>, with <paramref name="imports"/> besides.</summary>
    public static byte[] Compile(string imports = "") => Wasmtime.Module.ConvertText($$"""
        (module
          {{Imports}}
          {{imports}}
          (memory (export "memory") 1)
          {{ProbeModules.BumpAlloc}}
          {{ProbeModules.NoopDealloc}}
          {{Functions}}
          (func (export "invoke") (param $action i32) (param $ap i32) (param $al i32) (param $bp i32) (param $bl i32) (result i64)
            (if {{IsFileAction}} (then (return (call $files (local.get $action) (local.get $ap) (local.get $al) (local.get $bp) (local.get $bl)))))
            (unreachable)))
        """);
}
