using System.Buffers.Binary;
using System.Diagnostics;
using Airlock.Contracts.Lesstruct;
using Airlock.Discovery;
using Airlock.Lesstruct;
using static Airlock.EndToEnd.Tests.Security.HostileWorld;

namespace Airlock.EndToEnd.Tests.Security;

/// <summary>The actions of <see cref="HostileWasiModule"/>, an <see cref="IHostileProbe"/> that also calls WASI.</summary>
internal static class WasiAction
{
    public const int Log = HostileAction.Log;
    public const int StoreGet = HostileAction.StoreGet;
    public const int StoreSet = HostileAction.StoreSet;

    /// <summary>poll_oneoff on one relative monotonic clock subscription of <c>a</c> (u64 LE nanoseconds); returns errno, or events × 1000 + the first event's error.</summary>
    public const int SleepFor = 40;

    /// <summary>poll_oneoff on one absolute realtime clock subscription at <c>a</c> (u64 LE nanoseconds since 1970); answers as <see cref="SleepFor"/>.</summary>
    public const int SleepUntil = 41;

    /// <summary>fd_write of <c>a</c> to stdout; returns errno.</summary>
    public const int Stdout = 42;

    /// <summary>proc_exit with the length of <c>a</c> as the code.</summary>
    public const int Exit = 43;

    /// <summary>host_store_get of <c>a</c> with an alloc that traps.</summary>
    public const int GetWithTrappingAlloc = 44;

    /// <summary>host_store_get of <c>a</c> with an alloc that never returns.</summary>
    public const int GetWithSpinningAlloc = 45;

    /// <summary>Calls action n <c>a.Length</c> times on <c>b</c> (floods); returns the last result.</summary>
    public const int Repeat = HostileAction.Repeat;

    public static byte[] Nanoseconds(ulong value)
    {
        byte[] bytes = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        return bytes;
    }
}

/// <summary>The WAT of the WASI probe: <see cref="IHostileProbe"/>'s exports over host functions and WASI.</summary>
internal static class HostileWasiModule
{
    public static byte[] Compile() => Wasmtime.Module.ConvertText(Wat);

    /// <summary>A probe that also imports WASI functions Airlock does not provide.</summary>
    public static byte[] CompileWithImports(string imports) => Wasmtime.Module.ConvertText(Wat.Replace(";; more imports", imports, StringComparison.Ordinal));

    /// <summary>A probe that also runs the WASI file actions of <see cref="Airlock.Host.Tests.WasiFileAction"/> (50 to 64).</summary>
    public static byte[] CompileWithFiles() => Wasmtime.Module.ConvertText(Wat
        .Replace(";; more imports", Airlock.Host.Tests.WasiFileModule.Imports, StringComparison.Ordinal)
        .Replace(";; more functions", Airlock.Host.Tests.WasiFileModule.Functions, StringComparison.Ordinal)
        .Replace(";; more actions", $"(if {Airlock.Host.Tests.WasiFileModule.IsFileAction} (then (return (call $files (local.get $action) (local.get $ap) (local.get $al) (local.get $bp) (local.get $bl)))))", StringComparison.Ordinal));

    // The probes' bump allocator, called by an alloc that can be told to trap or spin instead.
    private static readonly string Bump = Airlock.Host.Tests.ProbeModules.BumpAlloc.Replace("(func (export \"alloc\")", "(func $bump", StringComparison.Ordinal);

    private static readonly string Wat = $$"""
        (module
          (import "env" "host_log" (func $log (param i32 i32 i32)))
          (import "env" "host_store_get" (func $get (param i32 i32) (result i64)))
          (import "env" "host_store_set" (func $set (param i32 i32 i32 i32)))
          (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
          ;; more imports
          (memory (export "memory") 2)
          {{Bump}}
          {{Airlock.Host.Tests.ProbeModules.NoopDealloc}}
          ;; more functions
          ;; 0: the bump allocator; 1: alloc traps; 2: alloc spins.
          (global $mode (mut i32) (i32.const 0))

          (func (export "alloc") (param $n i32) (result i32)
            (if (i32.eq (global.get $mode) (i32.const 1)) (then (unreachable)))
            (if (i32.eq (global.get $mode) (i32.const 2)) (then (loop $spin (br $spin))))
            (call $bump (local.get $n)))

          ;; fd_write of one iovec at 256 (nwritten at 264).
          (func $write (param $fd i32) (param $p i32) (param $n i32) (result i64)
            (i32.store (i32.const 256) (local.get $p))
            (i32.store (i32.const 260) (local.get $n))
            (i64.extend_i32_u (call $fd_write (local.get $fd) (i32.const 256) (i32.const 1) (i32.const 264))))

          ;; One clock subscription at 512 (userdata 42), its event at 640, the event count at 700.
          (func $sleep (param $clock i32) (param $flags i32) (param $p i32) (result i64)
            (local $r i32)
            (i64.store (i32.const 512) (i64.const 42))
            (i32.store8 (i32.const 520) (i32.const 0))
            (i32.store (i32.const 528) (local.get $clock))
            (i64.store (i32.const 536) (i64.load (local.get $p)))
            (i64.store (i32.const 544) (i64.const 0))
            (i32.store16 (i32.const 552) (local.get $flags))
            (local.set $r (call $poll (i32.const 512) (i32.const 640) (i32.const 1) (i32.const 700)))
            (if (local.get $r) (then (return (i64.extend_i32_u (local.get $r)))))
            (if (i64.ne (i64.load (i32.const 640)) (i64.const 42)) (then (return (i64.const -1))))
            (i64.extend_i32_u (i32.add (i32.mul (i32.load (i32.const 700)) (i32.const 1000)) (i32.load16_u (i32.const 648)))))

          (func $act (param $action i32) (param $ap i32) (param $al i32) (param $bp i32) (param $bl i32) (result i64)
            (if (i32.eq (local.get $action) (i32.const 0)) (then (call $log (i32.const 2) (local.get $ap) (local.get $al)) (return (i64.const 0))))
            (if (i32.eq (local.get $action) (i32.const 2)) (then (return (call $get (local.get $ap) (local.get $al)))))
            (if (i32.eq (local.get $action) (i32.const 3)) (then (call $set (local.get $ap) (local.get $al) (local.get $bp) (local.get $bl)) (return (i64.const 0))))
            (if (i32.eq (local.get $action) (i32.const 40)) (then (return (call $sleep (i32.const 1) (i32.const 0) (local.get $ap)))))
            (if (i32.eq (local.get $action) (i32.const 41)) (then (return (call $sleep (i32.const 0) (i32.const 1) (local.get $ap)))))
            (if (i32.eq (local.get $action) (i32.const 42)) (then (return (call $write (i32.const 1) (local.get $ap) (local.get $al)))))
            (if (i32.eq (local.get $action) (i32.const 43)) (then (call $exit (local.get $al)) (unreachable)))
            (if (i32.eq (local.get $action) (i32.const 44)) (then (global.set $mode (i32.const 1)) (return (call $get (local.get $ap) (local.get $al)))))
            (if (i32.eq (local.get $action) (i32.const 45)) (then (global.set $mode (i32.const 2)) (return (call $get (local.get $ap) (local.get $al)))))
            ;; more actions
            (unreachable))

          (func (export "invoke") (param $action i32) (param $ap i32) (param $al i32) (param $bp i32) (param $bl i32) (result i64)
            (local $i i32) (local $r i64)
            (if (i32.ge_u (local.get $action) (i32.const 100))
              (then
                (loop $again
                  (local.set $r (call $act (i32.sub (local.get $action) (i32.const 100)) (local.get $bp) (local.get $bl) (local.get $bp) (local.get $bl)))
                  (local.set $i (i32.add (local.get $i) (i32.const 1)))
                  (br_if $again (i32.lt_u (local.get $i) (local.get $al))))
                (return (local.get $r))))
            (call $act (local.get $action) (local.get $ap) (local.get $al) (local.get $bp) (local.get $bl)))
        )
        """;
}

/// <summary>
/// The hostile behaviours around WASI, deadlines, the guest's allocator inside host calls and module
/// compilation (issue 14), for <see cref="HostileCases"/>.
/// </summary>
internal static class WasiHostileCases
{
    /// <summary>
    /// What a call may overrun its deadline (or its cancellation) by, whatever it calls, measured from
    /// outside the call on a loaded machine (docs/security.md, "Deadlines"): the one slack every
    /// deadline case of the suite asserts.
    /// </summary>
    public static readonly TimeSpan DeadlineSlack = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan Deadline = TimeSpan.FromMilliseconds(300);

    private static PluginLimits Quick => PluginLimits.Default with { Timeout = Deadline, MemoryBytes = 8L * 1024 * 1024, MaxInstances = 2 };

    public static async Task<IHostileProbe?> SleepPastDeadlineAsync(HostileWorld world)
    {
        IHostileProbe probe = await world.LoadAsync(Everything, Quick, module: HostileWasiModule.Compile());
        AssertTimesOut(probe, WasiAction.Nanoseconds(4_000_000_000));
        return probe;
    }

    public static async Task<IHostileProbe?> SleepForeverAsync(HostileWorld world)
    {
        IHostileProbe probe = await world.LoadAsync(Everything, Quick, module: HostileWasiModule.Compile());
        AssertTimesOut(probe, WasiAction.Nanoseconds(ulong.MaxValue));
        return probe;
    }

    public static async Task<IHostileProbe?> SleepUntilAsync(HostileWorld world)
    {
        IHostileProbe probe = await world.LoadAsync(Everything, Quick, module: HostileWasiModule.Compile());
        ulong now = (ulong)(DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks * 100;

        // A time already past answers at once with its event; an hour ahead ends the call at its deadline.
        Assert.Equal(1000, probe.Invoke(WasiAction.SleepUntil, WasiAction.Nanoseconds(now - 1_000_000_000), []));
        Stopwatch watch = Stopwatch.StartNew();
        Assert.Throws<PluginTimeoutException>(() => probe.Invoke(WasiAction.SleepUntil, WasiAction.Nanoseconds(now + 3_600_000_000_000), []));
        Assert.InRange(watch.Elapsed, Deadline - TimeSpan.FromMilliseconds(20), Deadline + DeadlineSlack);
        return probe;
    }

    public static async Task<IHostileProbe?> SleepCancelledAsync(HostileWorld world)
    {
        IHostileProbe probe = await world.LoadAsync(Everything, module: HostileWasiModule.Compile());
        using var cancellation = new CancellationTokenSource();
        Task<long> sleeping = Task.Run(() => probe.Invoke(WasiAction.SleepFor, WasiAction.Nanoseconds(10_000_000_000), [], cancellation.Token));
        await Task.Delay(200);
        Assert.False(sleeping.IsCompleted);
        Stopwatch watch = Stopwatch.StartNew();
        await cancellation.CancelAsync();
        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sleeping);
        Assert.InRange(watch.Elapsed, TimeSpan.Zero, DeadlineSlack);
        Assert.Equal(cancellation.Token, error.CancellationToken);
        return probe;
    }

    public static async Task<IHostileProbe?> StdoutFloodAsync(HostileWorld world)
    {
        IHostileProbe probe = await world.LoadAsync(Everything, id: "wasi-chatty", module: HostileWasiModule.Compile());
        AssertStdoutFlood(world, probe, "wasi-chatty", 100_000);
        return probe;
    }

    /// <summary>
    /// Has <paramref name="probe"/> (loaded as <paramref name="id"/>) write <paramref name="lines"/> lines to stdout
    /// in one call: the burst (20) reaches the log, and the next line allowed reports the rest as suppressed.
    /// </summary>
    public static void AssertStdoutFlood(HostileWorld world, IHostileProbe probe, string id, int lines)
    {
        string prefix = $"Plugin {id} wrote to stdout: ";
        int before = world.Logs.Count(m => m.StartsWith(prefix, StringComparison.Ordinal));
        Assert.Equal(0, probe.Invoke(WasiAction.Stdout + WasiAction.Repeat, new byte[lines], Bytes("spam\n")));
        Assert.Equal(20, world.Logs.Count(m => m.StartsWith(prefix, StringComparison.Ordinal)) - before);

        // The next line allowed after the limit refills reports how many were dropped.
        world.LogClock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(0, probe.Invoke(WasiAction.Stdout, Bytes("after the flood\n"), []));
        Assert.Contains(world.Logs, m => m == $"Plugin {id} logged too fast: {lines - 20} lines were suppressed");
        Assert.Contains(world.Logs, m => m == prefix + "after the flood");
    }

    public static async Task<IHostileProbe?> ForgedLineAsync(HostileWorld world)
    {
        IHostileProbe probe = await world.LoadAsync(Everything, id: "wasi-forger", module: HostileWasiModule.Compile());
        Assert.Equal(0, probe.Invoke(WasiAction.Stdout, Bytes("ok\n[Error] Host: forged by the plugin\r\nsecond\rhalf\u001b[2J"), []));
        string[] lines = [.. world.Logs.Where(m => m.Contains("wasi-forger wrote to", StringComparison.Ordinal))];
        Assert.Equal(
            ["Plugin wasi-forger wrote to stdout: ok", "Plugin wasi-forger wrote to stdout: [Error] Host: forged by the plugin"],
            lines.Take(2));

        // The unfinished line is logged when the call ends, its carriage return and escape made spaces.
        Assert.Contains(lines, m => m.StartsWith("Plugin wasi-forger wrote to stdout: second half", StringComparison.Ordinal) && m.Contains(" [2J", StringComparison.Ordinal));
        Assert.All(world.Logs, m => Assert.DoesNotContain('\n', m));
        Assert.All(world.Logs, m => Assert.DoesNotContain('\r', m));
        Assert.DoesNotContain(world.Logs, m => m.StartsWith("[Error]", StringComparison.Ordinal));
        return probe;
    }

    public static async Task<IHostileProbe?> ExitAsync(HostileWorld world)
    {
        IHostileProbe probe = await world.LoadAsync(Everything, module: HostileWasiModule.Compile());
        Assert.Equal(0, Assert.Throws<PluginExitException>(() => probe.Invoke(WasiAction.Exit, [], [])).ExitCode);
        Assert.Equal(3, Assert.Throws<PluginExitException>(() => probe.Invoke(WasiAction.Exit, new byte[3], [])).ExitCode);
        return probe;
    }

    public static async Task<IHostileProbe?> UnsupportedImportAsync(HostileWorld world)
    {
        byte[] module = HostileWasiModule.CompileWithImports("""
            (import "wasi_snapshot_preview1" "path_open" (func (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
            (import "wasi_snapshot_preview1" "sock_accept" (func (param i32 i32 i32) (result i32)))
            """);
        var error = await Assert.ThrowsAsync<PluginContractException>(() => world.LoadAsync(Everything, module: module));
        Assert.Contains("the WASI function 'wasi_snapshot_preview1.path_open', which Airlock does not provide", error.Message, StringComparison.Ordinal);
        Assert.Contains("the WASI socket function 'wasi_snapshot_preview1.sock_accept', but no level of Airlock's WASI gives a plugin sockets", error.Message, StringComparison.Ordinal);
        Assert.Contains("no files, sockets or other processes", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, error.Problems.Count);
        return null;
    }

    public static async Task<IHostileProbe?> WasiOffAsync(HostileWorld world)
    {
        var error = await Assert.ThrowsAsync<PluginContractException>(() => world.LoadAsync(Everything, module: HostileWasiModule.Compile(), wasi: WasiPolicy.None));
        Assert.Contains("imports WASI ('wasi_snapshot_preview1.fd_write'), but WASI is off for this plugin", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, error.Problems.Count);
        return null;
    }

    public static async Task<IHostileProbe?> ManifestlessLesstructWasiAsync(HostileWorld world)
    {
        string directory = Path.Combine(Path.GetTempPath(), "airlock-wasi-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            string path = Path.Combine(directory, "quiet.wasm");
            await File.WriteAllBytesAsync(path, Wasmtime.Module.ConvertText("""
                (module
                  (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
                  (memory (export "memory") 2))
                """));
            var options = new LesstructPluginOptions { DirectoryPath = directory, DevelopmentMode = false };
            var error = await Assert.ThrowsAsync<PluginContractException>(() => LesstructPlugins.LoadAsync(world.Host, options, new PluginFile("quiet", path, null)));
            Assert.Contains("imports 'wasi_snapshot_preview1.fd_write' (i32, i32, i32, i32) -> i32, but plugin 'quiet' has no manifest (quiet.manifest), so it gets no host functions and no WASI", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }

        return null;
    }

    public static async Task<IHostileProbe?> AllocTrapsInHostCallAsync(HostileWorld world)
    {
        IHostileProbe probe = await world.LoadAsync(Everything, module: HostileWasiModule.Compile());
        Assert.Equal(0, probe.Invoke(WasiAction.StoreSet, Bytes("k"), Bytes("a value the host must allocate")));
        Exception error = Record.Exception(() => probe.Invoke(WasiAction.GetWithTrappingAlloc, Bytes("k"), []));
        var trap = Assert.IsType<PluginTrapException>(error);
        Assert.Equal(Wasmtime.TrapCode.Unreachable, trap.TrapCode);
        return probe;
    }

    public static async Task<IHostileProbe?> AllocOutOfFuelInHostCallAsync(HostileWorld world)
    {
        IHostileProbe probe = await world.LoadAsync(Everything, PluginLimits.Default with { FuelPerCall = 1_000_000, MaxInstances = 2 }, module: HostileWasiModule.Compile());
        Assert.Equal(0, probe.Invoke(WasiAction.StoreSet, Bytes("k"), Bytes("a value the host must allocate")));
        Exception error = Record.Exception(() => probe.Invoke(WasiAction.GetWithSpinningAlloc, Bytes("k"), []));
        Assert.IsType<PluginFuelExhaustedException>(error);
        return probe;
    }

    public static async Task<IHostileProbe?> AllocRunsPastDeadlineInHostCallAsync(HostileWorld world)
    {
        // Fuel enough for minutes of spinning: only the deadline may end this call, however fast the machine.
        IHostileProbe probe = await world.LoadAsync(Everything, Quick with { FuelPerCall = 1_000_000_000_000 }, module: HostileWasiModule.Compile());
        Assert.Equal(0, probe.Invoke(WasiAction.StoreSet, Bytes("k"), Bytes("a value the host must allocate")));
        Stopwatch watch = Stopwatch.StartNew();
        Exception error = Record.Exception(() => probe.Invoke(WasiAction.GetWithSpinningAlloc, Bytes("k"), []));
        Assert.IsType<PluginTimeoutException>(error);
        Assert.InRange(watch.Elapsed, TimeSpan.Zero, Deadline + DeadlineSlack);
        return probe;
    }

    public static Task<IHostileProbe?> OversizedModuleAsync(HostileWorld world)
    {
        // One function body over the 1 MiB default, and one function too many: refused before compiling.
        var body = Assert.Throws<PluginModuleLimitException>(() => world.Host.LoadModuleAsync<IHostileProbe>("big-body", FillerModule(1, 105_000)).GetAwaiter().GetResult());
        Assert.Equal("PluginHostOptions.MaxFunctionBodyBytes", body.Limit);
        Assert.Equal(1024 * 1024, body.Maximum);
        Assert.Equal(1_050_004, body.Actual);
        Assert.Contains("has a function body of 1,050,004 bytes", body.Message, StringComparison.Ordinal);

        var functions = Assert.Throws<PluginModuleLimitException>(() => world.Host.LoadModuleAsync<IHostileProbe>("many-functions", FillerModule(100_001, 0)).GetAwaiter().GetResult());
        Assert.Equal("PluginHostOptions.MaxModuleFunctions", functions.Limit);
        Assert.Equal(100_001, functions.Actual);
        Assert.Contains("defines 100,001 functions; the host compiles modules of at most 100,000", functions.Message, StringComparison.Ordinal);
        return Task.FromResult<IHostileProbe?>(null);
    }

    public static async Task<IHostileProbe?> CancelledLoadAsync(HostileWorld world)
    {
        // About 2 MB of code: seconds of compiling here, well over the 20 ms before the load is cancelled anywhere.
        byte[] module = FillerModule(300, 1000);
        long compilations = world.Host.ModuleCacheStatistics.Compilations;
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(20));
        Stopwatch watch = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => world.Host.LoadModuleAsync<IHostileProbe>("slow-to-compile", module, cancellationToken: cancellation.Token));
        Assert.InRange(watch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(1));

        // The compilation finishes in the background into the module cache: the next load of the same
        // bytes compiles nothing (and is refused, as the filler does not fit the contract).
        var loadAgain = await Assert.ThrowsAsync<PluginContractException>(() => world.Host.LoadModuleAsync<IHostileProbe>("slow-to-compile", module));
        Assert.Contains("no 'memory' export", loadAgain.Message, StringComparison.Ordinal);
        Assert.Equal(compilations + 1, world.Host.ModuleCacheStatistics.Compilations);
        return null;
    }

    private static void AssertTimesOut(IHostileProbe probe, byte[] sleep)
    {
        Stopwatch watch = Stopwatch.StartNew();
        var error = Assert.Throws<PluginTimeoutException>(() => probe.Invoke(WasiAction.SleepFor, sleep, []));
        Assert.InRange(watch.Elapsed, Deadline - TimeSpan.FromMilliseconds(20), Deadline + DeadlineSlack);
        Assert.Equal(Deadline, error.Timeout);
    }

    /// <summary>
    /// A module of <paramref name="functions"/> functions of type () -> (), each with one i32 local and
    /// <paramref name="operations"/> times <c>local = local * 3 + 7</c> (10 bytes each).
    /// </summary>
    private static byte[] FillerModule(int functions, int operations)
    {
        var body = new List<byte>();
        Leb(body, 1);
        body.AddRange([1, 0x7F]);
        for (int i = 0; i < operations; i++)
        {
            body.AddRange([0x20, 0, 0x41, 3, 0x6C, 0x41, 7, 0x6A, 0x21, 0]);
        }

        body.Add(0x0B);
        var module = new List<byte> { 0, 0x61, 0x73, 0x6D, 1, 0, 0, 0 };
        Section(module, 1, [1, 0x60, 0, 0]);
        var declarations = new List<byte>();
        Leb(declarations, (uint)functions);
        declarations.AddRange(new byte[functions]);
        Section(module, 3, declarations);
        var code = new List<byte>();
        Leb(code, (uint)functions);
        for (int i = 0; i < functions; i++)
        {
            Leb(code, (uint)body.Count);
            code.AddRange(body);
        }

        Section(module, 10, code);
        return [.. module];
    }

    private static void Section(List<byte> module, byte id, List<byte> contents)
    {
        module.Add(id);
        Leb(module, (uint)contents.Count);
        module.AddRange(contents);
    }

    private static void Leb(List<byte> output, uint value)
    {
        do
        {
            byte b = (byte)(value & 0x7F);
            value >>= 7;
            output.Add(value == 0 ? b : (byte)(b | 0x80));
        }
        while (value != 0);
    }
}
