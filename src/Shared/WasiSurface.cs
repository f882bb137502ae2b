using System.Collections.Generic;

// Compiled into both the source generator (netstandard2.0) and the host (net10.0): internal only, and
// no BCL API newer than netstandard2.0. The host implements exactly these functions (see
// src/Host/Runtime/AirlockWasi.cs); the build and the host check a module's WASI imports against them.
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

    private static readonly WasmType[] None = [];
    private static readonly WasmType[] Errno = [WasmType.I32];

    /// <summary>The functions, as the checks see a host module.</summary>
    public static HostModuleShape Shape { get; } = new(Module, Functions(), null);

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
    private static HostFunctionShape Function(string name, params WasmType[] parameters)
        => new(name, new WasmFunctionSignature(parameters, Errno), false);
}
