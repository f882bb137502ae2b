using System.Diagnostics;
using static Airlock.EndToEnd.Tests.Security.HostileWorld;
using static Airlock.Host.Tests.WasiFileAction;

namespace Airlock.EndToEnd.Tests.Security;

/// <summary>
/// Hostile plugins under WASI with capabilities (<see cref="WasiPolicy.WithCapabilities"/>): Wasmtime's
/// WASI over a read-only mount <c>/data</c> (descriptor 3) and a writable mount <c>/out</c> (descriptor 4),
/// beside a host directory holding a secret that no mount covers.
/// </summary>
public static partial class HostileCases
{
    private static IEnumerable<HostileCase> WasiCapabilityCases =>
    [
        new("wasi-caps-symlink-escape", "under WASI with capabilities, reads through symbolic links in its read-only mount that lead outside it (absolute, relative, and a link to a directory)", "each open fails with EPERM (63); the guest never gets the bytes outside; a link that stays inside the mount is followed", Wat, WasiCapabilityHostileCases.SymlinkEscapeAsync),
        new("wasi-caps-dot-dot-escape", "opens ../outside/secret.txt, sub/../../outside/secret.txt, .. and the secret's absolute host path through its mount", "EPERM (63) for each: nothing outside the mounts is reachable; descriptor 5 (no mount) is EBADF", Wat, WasiCapabilityHostileCases.DotDotEscapeAsync),
        new("wasi-caps-write-read-only", "creates, truncates, overwrites, renames and deletes files and makes and removes directories in its read-only mount", "EPERM (63) for each change; the host directory is byte for byte as before", Wat, WasiCapabilityHostileCases.WriteReadOnlyAsync),
        new("wasi-caps-plant-symlink", "creates a symbolic link leading out of its writable mount (for host software to follow later)", "EPERM (63): a guest plants no links; nothing is created; the mount still takes files", Wat, WasiCapabilityHostileCases.PlantSymlinkAsync),
        new("wasi-caps-sleep-past-deadline", "sleeps 4 s in poll_oneoff under WASI with capabilities (Wasmtime's WASI, which Airlock's poll_oneoff shadows) under a 300 ms deadline", "PluginTimeoutException by the deadline plus the slack; the replacement instance gets its mounts again", Wat, WasiCapabilityHostileCases.SleepPastDeadlineAsync),
        new("wasi-caps-stdout-flood", "writes 10,000 lines to stdout through Wasmtime's WASI in one call", "the call succeeds; the burst (20 lines) reaches the log, and the next line allowed reports the 9,980 suppressed", Wat, WasiCapabilityHostileCases.StdoutFloodAsync),
        new("wasi-caps-socket-import", "imports WASI sock_accept and sock_send under WASI with capabilities", "not loaded: PluginContractException saying that no level of Airlock's WASI gives a plugin sockets", Wat, WasiCapabilityHostileCases.SocketImportAsync),
    ];
}

/// <summary>The cases of <see cref="HostileCases"/> for WASI with capabilities.</summary>
internal static class WasiCapabilityHostileCases
{
    // EPERM and EBADF of wasi_snapshot_preview1: Wasmtime answers EPERM for every change in a read-only
    // mount and every path that would leave a mount.
    private const long NotPermitted = 63;
    private const long BadFileDescriptor = 8;

    private const string Hello = "hello from the host";
    private const string Secret = "outside every mount";

    private static readonly TimeSpan Deadline = TimeSpan.FromMilliseconds(300);

    public static async Task<IHostileProbe?> SymlinkEscapeAsync(HostileWorld world)
    {
        Mounts mounts = Mounts.Create(world);
        File.CreateSymbolicLink(Path.Combine(mounts.ReadOnly, "absolute.txt"), Path.Combine(mounts.Outside, "secret.txt"));
        File.CreateSymbolicLink(Path.Combine(mounts.ReadOnly, "relative.txt"), "../outside/secret.txt");
        Directory.CreateSymbolicLink(Path.Combine(mounts.ReadOnly, "linked-dir"), mounts.Outside);
        File.CreateSymbolicLink(Path.Combine(mounts.ReadOnly, "inside.txt"), "hello.txt");
        IHostileProbe probe = await mounts.LoadAsync(world);
        Assert.Equal(-NotPermitted, probe.Invoke(Read, At(3, "absolute.txt"), Bytes(Secret)));
        Assert.Equal(-NotPermitted, probe.Invoke(Read, At(3, "relative.txt"), Bytes(Secret)));
        Assert.Equal(-NotPermitted, probe.Invoke(Read, At(3, "linked-dir/secret.txt"), Bytes(Secret)));
        Assert.Equal(-NotPermitted, probe.Invoke(Size, At(3, "absolute.txt"), []));
        Assert.Equal(Hello.Length, probe.Invoke(Read, At(3, "inside.txt"), Bytes(Hello)));
        return probe;
    }

    public static async Task<IHostileProbe?> DotDotEscapeAsync(HostileWorld world)
    {
        Mounts mounts = Mounts.Create(world);
        IHostileProbe probe = await mounts.LoadAsync(world);
        Assert.Equal(-NotPermitted, probe.Invoke(Read, At(3, "../outside/secret.txt"), Bytes(Secret)));
        Assert.Equal(-NotPermitted, probe.Invoke(Read, At(3, "sub/../../outside/secret.txt"), Bytes(Secret)));
        Assert.Equal(-NotPermitted, probe.Invoke(List, At(3, ".."), []));
        Assert.Equal(-NotPermitted, probe.Invoke(Read, At(3, Path.Combine(mounts.Outside, "secret.txt")), Bytes(Secret)));
        Assert.Equal(-NotPermitted, probe.Invoke(Create, At(4, "../outside/planted.txt"), Bytes("planted")));
        Assert.Equal(-BadFileDescriptor, probe.Invoke(Read, At(5, "secret.txt"), Bytes(Secret)));
        Assert.Equal([Path.Combine(mounts.Outside, "secret.txt")], Directory.GetFileSystemEntries(mounts.Outside));
        return probe;
    }

    public static async Task<IHostileProbe?> WriteReadOnlyAsync(HostileWorld world)
    {
        Mounts mounts = Mounts.Create(world);
        IHostileProbe probe = await mounts.LoadAsync(world);
        string before = Snapshot(mounts.ReadOnly);
        Assert.Equal(-NotPermitted, probe.Invoke(Create, At(3, "planted.txt"), Bytes("planted")));
        Assert.Equal(-NotPermitted, probe.Invoke(Create, At(3, "hello.txt"), Bytes("truncated")));
        Assert.Equal(-NotPermitted, probe.Invoke(WriteExisting, At(3, "hello.txt"), Bytes("OVERWRITTEN")));
        Assert.Equal(-NotPermitted, probe.Invoke(Rename, At(3, "hello.txt"), Bytes("moved.txt")));
        Assert.Equal(-NotPermitted, probe.Invoke(Unlink, At(3, "hello.txt"), []));
        Assert.Equal(-NotPermitted, probe.Invoke(CreateDirectory, At(3, "made"), []));
        Assert.Equal(-NotPermitted, probe.Invoke(RemoveDirectory, At(3, "sub"), []));
        Assert.Equal(before, Snapshot(mounts.ReadOnly));
        Assert.Equal(Hello.Length, probe.Invoke(Read, At(3, "hello.txt"), Bytes(Hello)));
        return probe;
    }

    public static async Task<IHostileProbe?> PlantSymlinkAsync(HostileWorld world)
    {
        Mounts mounts = Mounts.Create(world);
        IHostileProbe probe = await mounts.LoadAsync(world);
        Assert.Equal(-NotPermitted, probe.Invoke(Symlink, At(4, "leads-out"), Bytes("../outside/secret.txt")));
        Assert.Empty(Directory.GetFileSystemEntries(mounts.Writable));
        Assert.Equal(5, probe.Invoke(Create, At(4, "notes.txt"), Bytes("notes")));
        Assert.Equal("notes", File.ReadAllText(Path.Combine(mounts.Writable, "notes.txt")));
        return probe;
    }

    public static async Task<IHostileProbe?> SleepPastDeadlineAsync(HostileWorld world)
    {
        Mounts mounts = Mounts.Create(world);
        IHostileProbe probe = await mounts.LoadAsync(world, PluginLimits.Default with { Timeout = Deadline, MemoryBytes = 8L * 1024 * 1024, MaxInstances = 2 });
        Stopwatch watch = Stopwatch.StartNew();
        var error = Assert.Throws<PluginTimeoutException>(() => probe.Invoke(WasiAction.SleepFor, WasiAction.Nanoseconds(4_000_000_000), []));
        Assert.InRange(watch.Elapsed, Deadline - TimeSpan.FromMilliseconds(20), Deadline + WasiHostileCases.DeadlineSlack);
        Assert.Equal(Deadline, error.Timeout);
        Assert.Equal(Hello.Length, probe.Invoke(Read, At(3, "hello.txt"), Bytes(Hello)));
        return probe;
    }

    public static async Task<IHostileProbe?> StdoutFloodAsync(HostileWorld world)
    {
        Mounts mounts = Mounts.Create(world);
        IHostileProbe probe = await mounts.LoadAsync(world, id: "wasi-caps-chatty");
        WasiHostileCases.AssertStdoutFlood(world, probe, "wasi-caps-chatty", 10_000);
        return probe;
    }

    public static async Task<IHostileProbe?> SocketImportAsync(HostileWorld world)
    {
        Mounts mounts = Mounts.Create(world);
        byte[] module = HostileWasiModule.CompileWithImports("""
            (import "wasi_snapshot_preview1" "sock_accept" (func (param i32 i32 i32) (result i32)))
            (import "wasi_snapshot_preview1" "sock_send" (func (param i32 i32 i32 i32 i32) (result i32)))
            """);
        var error = await Assert.ThrowsAsync<PluginContractException>(() => world.LoadAsync(Everything, module: module, wasi: mounts.Policy));
        Assert.Equal(2, error.Problems.Count);
        Assert.All(error.Problems, p => Assert.Contains("but no level of Airlock's WASI gives a plugin sockets", p, StringComparison.Ordinal));
        return null;
    }

    // Every path below the directory with its bytes (a link as its target), in order.
    private static string Snapshot(string directory)
        => string.Join('\n', Directory.EnumerateFileSystemEntries(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(path =>
            new FileInfo(path) is { LinkTarget: { } target } ? path + " -> " + target
            : File.Exists(path) ? path + ": " + Convert.ToHexString(File.ReadAllBytes(path))
            : path + "/"));

    /// <summary>A read-only mount holding hello.txt and sub/, a writable one, and a secret beside them.</summary>
    private sealed record Mounts(string ReadOnly, string Writable, string Outside)
    {
        public WasiPolicy Policy => WasiPolicy.WithCapabilities(WasiCapabilities.None
            .WithMount("/data", ReadOnly, WasiMountAccess.ReadOnly)
            .WithMount("/out", Writable, WasiMountAccess.Writable));

        public static Mounts Create(HostileWorld world)
        {
            string root = world.NewDirectory("wasi-mounts");
            var mounts = new Mounts(
                Directory.CreateDirectory(Path.Combine(root, "data")).FullName,
                Directory.CreateDirectory(Path.Combine(root, "out")).FullName,
                Directory.CreateDirectory(Path.Combine(root, "outside")).FullName);
            File.WriteAllText(Path.Combine(mounts.ReadOnly, "hello.txt"), Hello);
            Directory.CreateDirectory(Path.Combine(mounts.ReadOnly, "sub"));
            File.WriteAllText(Path.Combine(mounts.Outside, "secret.txt"), Secret);
            return mounts;
        }

        public Task<IHostileProbe> LoadAsync(HostileWorld world, PluginLimits? limits = null, string? id = null)
            => world.LoadAsync(Everything, limits, id, module: HostileWasiModule.CompileWithFiles(), wasi: Policy);
    }
}
