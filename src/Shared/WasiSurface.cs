using System.Collections.Generic;
using System.Linq;

// Compiled into both the source generator (netstandard2.0) and the host (net10.0): internal only, and
// no BCL API newer than netstandard2.0. The host implements exactly these functions (see
// src/Host/Runtime/AirlockWasi.cs and CapabilityWasi.cs); the build and the host check a module's WASI
// imports against them.
namespace Airlock.Wasm;

/// <summary>
/// The WASI functions (module <c>wasi_snapshot_preview1</c>) Airlock implements itself, with their wasm
/// types: what a plugin under Airlock's minimal WASI may import.
/// </summary>
internal static class AirlockWasiSurface
{
    /// <summary>The WASI module name.</summary>
    public const string Module = "wasi_snapshot_preview1";

    /// <summary>What the surface gives a plugin, for messages.</summary>
    public const string Summary = "stdout and stderr into the host's log, the realtime and monotonic clocks, random bytes, empty arguments and environment, proc_exit, sched_yield, and poll_oneoff on clocks within the call's deadline; no files, sockets or other processes";

    /// <summary>The prefix of WASI's socket functions, which no level of Airlock's WASI provides.</summary>
    public const string SocketPrefix = "sock_";

    private static readonly WasmType[] None = [];
    private static readonly WasmType[] Errno = [WasmType.I32];

    /// <summary>The functions, as the checks see a host module.</summary>
    public static HostModuleShape Shape { get; } = new(Module, Functions(), null) { Summary = Summary };

    private static IReadOnlyList<HostFunctionShape> Functions()
    {
        WasmType i32 = WasmType.I32;
        WasmType i64 = WasmType.I64;
        return
        [
            Function("args_get", i32, i32),
            Function("args_sizes_get", i32, i32),
            Function("clock_res_get", i32, i32),
            Function("clock_time_get", i32, i64, i32),
            Function("environ_get", i32, i32),
            Function("environ_sizes_get", i32, i32),
            Function("fd_close", i32),
            Function("fd_fdstat_get", i32, i32),
            Function("fd_prestat_dir_name", i32, i32, i32),
            Function("fd_prestat_get", i32, i32),
            Function("fd_read", i32, i32, i32, i32),
            Function("fd_seek", i32, i64, i32, i32),
            Function("fd_write", i32, i32, i32, i32),
            Function("poll_oneoff", i32, i32, i32, i32),
            new HostFunctionShape("proc_exit", new WasmFunctionSignature([i32], None), false),
            Function("random_get", i32, i32),
            Function("sched_yield"),
        ];
    }

    // A function that answers an errno (i32), as almost every WASI function does.
    internal static HostFunctionShape Function(string name, params WasmType[] parameters)
        => new(name, new WasmFunctionSignature(parameters, Errno), false);
}

/// <summary>
/// The WASI functions a plugin under the capability level (<c>WasiPolicy.WithCapabilities</c>) may
/// import: Airlock's minimal surface (<see cref="AirlockWasiSurface"/>) plus every file function of
/// <c>wasi_snapshot_preview1</c> (<c>fd_*</c> and <c>path_*</c>), with the wasm types of the preview1
/// witx. No sockets (<c>sock_*</c>) and no <c>proc_raise</c>.
/// </summary>
internal static class CapabilityWasiSurface
{
    /// <summary>What the surface gives a plugin, for messages.</summary>
    public const string Summary = "Airlock's minimal WASI plus the preview1 file functions (fd_* and path_*) on the directories the plugin is granted, and only the environment variables it is granted; no sockets or other processes";

    /// <summary>The file functions this level adds to <see cref="AirlockWasiSurface"/>.</summary>
    public static IReadOnlyList<HostFunctionShape> FileFunctions { get; } = Files();

    /// <summary>The functions, as the checks see a host module (sorted by name).</summary>
    public static HostModuleShape Shape { get; } = new(
        AirlockWasiSurface.Module,
        AirlockWasiSurface.Shape.Functions!.Concat(FileFunctions).OrderBy(f => f.Name, System.StringComparer.Ordinal).ToList(),
        null) { Summary = Summary };

    private static IReadOnlyList<HostFunctionShape> Files()
    {
        // fd, size, pointer, lookupflags, oflags, fdflags, fstflags, whence, advice: i32;
        // filesize, filedelta, rights, timestamp, dircookie: i64.
        WasmType i32 = WasmType.I32;
        WasmType i64 = WasmType.I64;
        return
        [
            F("fd_advise", i32, i64, i64, i32),
            F("fd_allocate", i32, i64, i64),
            F("fd_datasync", i32),
            F("fd_fdstat_set_flags", i32, i32),
            F("fd_fdstat_set_rights", i32, i64, i64),
            F("fd_filestat_get", i32, i32),
            F("fd_filestat_set_size", i32, i64),
            F("fd_filestat_set_times", i32, i64, i64, i32),
            F("fd_pread", i32, i32, i32, i64, i32),
            F("fd_pwrite", i32, i32, i32, i64, i32),
            F("fd_readdir", i32, i32, i32, i64, i32),
            F("fd_renumber", i32, i32),
            F("fd_sync", i32),
            F("fd_tell", i32, i32),
            F("path_create_directory", i32, i32, i32),
            F("path_filestat_get", i32, i32, i32, i32, i32),
            F("path_filestat_set_times", i32, i32, i32, i32, i64, i64, i32),
            F("path_link", i32, i32, i32, i32, i32, i32, i32),
            F("path_open", i32, i32, i32, i32, i32, i64, i64, i32, i32),
            F("path_readlink", i32, i32, i32, i32, i32, i32),
            F("path_remove_directory", i32, i32, i32),
            F("path_rename", i32, i32, i32, i32, i32, i32),
            F("path_symlink", i32, i32, i32, i32, i32),
            F("path_unlink_file", i32, i32, i32),
        ];
    }

    private static HostFunctionShape F(string name, params WasmType[] parameters) => AirlockWasiSurface.Function(name, parameters);
}
