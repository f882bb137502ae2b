using System.Diagnostics;
using System.Text;
using Airlock.Services;
using Airlock.Wasm;
using Microsoft.Extensions.Logging;
using static Airlock.Host.Tests.WasiFileAction;

namespace Airlock.Host.Tests;

/// <summary>
/// WASI with capabilities (<see cref="WasiPolicy.WithCapabilities"/>): Wasmtime's WASI with only the
/// granted environment and mounts, and Airlock's bounded functions shadowing Wasmtime's. Real modules
/// against real directories: a read-only mount, a writable one, and a directory beside them that the
/// guest must never reach.
/// </summary>
public sealed class WasiCapabilityTests : IAsyncDisposable
{
    // errno values of wasi_snapshot_preview1. Wasmtime answers EPERM for every change in a read-only
    // mount and for every path that would leave a mount (.., an absolute path, a link leading out).
    private const long NotPermitted = 63;
    private const long BadFileDescriptor = 8;
    private const long NoEntry = 44;

    private const string Hello = "hello from the host";
    private const string Secret = "outside every mount";

    private readonly CapturingLoggerProvider _logs = new();
    private readonly ILoggerFactory _loggers;
    private readonly PluginHost _host;
    private readonly string _root = Path.Combine(Path.GetTempPath(), "airlock-wasi-caps-" + Guid.NewGuid().ToString("N"));
    private readonly string _readOnly;
    private readonly string _writable;
    private readonly string _outside;

    public WasiCapabilityTests()
    {
        _loggers = LoggerFactory.Create(builder => builder.AddProvider(_logs));
        _host = new PluginHost(loggerFactory: _loggers);
        _readOnly = Directory.CreateDirectory(Path.Combine(_root, "data")).FullName;
        _writable = Directory.CreateDirectory(Path.Combine(_root, "out")).FullName;
        _outside = Directory.CreateDirectory(Path.Combine(_root, "outside")).FullName;
        File.WriteAllText(Path.Combine(_readOnly, "hello.txt"), Hello);
        Directory.CreateDirectory(Path.Combine(_readOnly, "sub"));
        File.WriteAllText(Path.Combine(_outside, "secret.txt"), Secret);
    }

    private WasiCapabilities Mounts => WasiCapabilities.None
        .WithMount("/data", _readOnly, WasiMountAccess.ReadOnly)
        .WithMount("/out", _writable, WasiMountAccess.Writable);

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        _loggers.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Every_function_of_the_level_links_with_the_type_the_checks_expect()
    {
        IReadOnlyList<HostFunctionShape> functions = CapabilityWasiSurface.Shape.Functions!;
        Assert.Equal(17 + 24, functions.Count);
        Assert.All(AirlockWasiSurface.Shape.Functions!, f => Assert.Contains(f, functions));
        Assert.DoesNotContain(functions, f => f.Name.StartsWith("sock_", StringComparison.Ordinal) || f.Name == "proc_raise");
        string imports = string.Join('\n', functions.Select((f, i) =>
            $"(import \"wasi_snapshot_preview1\" \"{f.Name}\" (func $x{i} (param {string.Join(' ', f.Signature.Parameters.Select(WasmFunctionSignature.Spell))}) (result {string.Join(' ', f.Signature.Results.Select(WasmFunctionSignature.Spell))})))"
                .Replace("(param )", string.Empty, StringComparison.Ordinal).Replace(" (result )", string.Empty, StringComparison.Ordinal)));

        // Wasmtime instantiates only when each import has Wasmtime's (or Airlock's shadowing) type.
        await using IWasiFileProbe plugin = await LoadAsync(Mounts, WasiFileModule.Compile(imports));
        Assert.Equal(Hello.Length, plugin.Invoke(Read, At(3, "hello.txt"), Bytes(Hello)));
    }

    [Fact]
    public async Task The_guest_sees_only_the_granted_environment_variables()
    {
        const string Set = "AIRLOCK_WASI_TEST_SET";
        const string Unset = "AIRLOCK_WASI_TEST_UNSET";
        Environment.SetEnvironmentVariable(Set, "from the host");
        Environment.SetEnvironmentVariable(Unset, null);
        try
        {
            WasiCapabilities capabilities = WasiCapabilities.None
                .WithEnvironmentVariable("MODE", "draft")
                .WithHostEnvironmentVariables([Set, Unset])
                .WithEnvironmentVariable("MODE", "final");
            KeyValuePair<string, string>[] granted = [new("MODE", "final"), new(Set, "from the host")];
            Assert.Equal(granted, capabilities.EnvironmentVariables);
            await using IWasiFileProbe plugin = await LoadAsync(capabilities);
            Assert.Equal(2, plugin.Invoke(Environ, [], EnvironOf("MODE=final", Set + "=from the host")));

            // Nothing granted: no environment at all, though the host has PATH and the variable above.
            await using IWasiFileProbe bare = await LoadAsync(WasiCapabilities.None);
            Assert.Equal(0, bare.Invoke(Environ, [], []));
        }
        finally
        {
            Environment.SetEnvironmentVariable(Set, null);
        }
    }

    [Fact]
    public async Task Only_the_mounts_are_preopened_in_the_order_granted_with_no_arguments_and_an_empty_stdin()
    {
        await using IWasiFileProbe plugin = await LoadAsync(Mounts);
        Assert.Equal("/data".Length, plugin.Invoke(Preopen, At(3, ""), Bytes("/data")));
        Assert.Equal("/out".Length, plugin.Invoke(Preopen, At(4, ""), Bytes("/out")));
        Assert.Equal(-BadFileDescriptor, plugin.Invoke(Preopen, At(5, ""), []));
        Assert.Equal(-BadFileDescriptor, plugin.Invoke(Read, At(5, "hello.txt"), Bytes(Hello)));
        Assert.Equal(0, plugin.Invoke(Arguments, [], []));
        Assert.Equal(0, plugin.Invoke(Stdin, [], []));
    }

    [Fact]
    public async Task A_read_only_mount_can_be_read_and_listed()
    {
        await using IWasiFileProbe plugin = await LoadAsync(Mounts);
        Assert.Equal(Hello.Length, plugin.Invoke(Read, At(3, "hello.txt"), Bytes(Hello)));
        Assert.Equal(Hello.Length, plugin.Invoke(Size, At(3, "hello.txt"), []));

        // ".", "..", hello.txt and sub.
        Assert.Equal(4001, plugin.Invoke(List, At(3, "."), Bytes("hello.txt")));
        Assert.Equal(2000, plugin.Invoke(List, At(3, "sub"), Bytes("hello.txt")));
        Assert.Equal(-NoEntry, plugin.Invoke(Read, At(3, "missing.txt"), []));
    }

    [Fact]
    public async Task Every_change_in_a_read_only_mount_fails_with_eperm_and_the_host_files_stay_as_they_were()
    {
        await using IWasiFileProbe plugin = await LoadAsync(Mounts);
        Assert.Equal(-NotPermitted, plugin.Invoke(Create, At(3, "new.txt"), Bytes("planted")));
        Assert.Equal(-NotPermitted, plugin.Invoke(Create, At(3, "hello.txt"), Bytes("overwritten")));
        Assert.Equal(-NotPermitted, plugin.Invoke(WriteExisting, At(3, "hello.txt"), Bytes("overwritten")));
        Assert.Equal(-NotPermitted, plugin.Invoke(CreateDirectory, At(3, "made"), []));
        Assert.Equal(-NotPermitted, plugin.Invoke(Unlink, At(3, "hello.txt"), []));
        Assert.Equal(-NotPermitted, plugin.Invoke(Rename, At(3, "hello.txt"), Bytes("moved.txt")));
        Assert.Equal(-NotPermitted, plugin.Invoke(RemoveDirectory, At(3, "sub"), []));
        Assert.Equal(-NotPermitted, plugin.Invoke(Symlink, At(3, "link"), Bytes("hello.txt")));

        Assert.Equal(Hello, File.ReadAllText(Path.Combine(_readOnly, "hello.txt")));
        Assert.Equal(["hello.txt", "sub"], Directory.GetFileSystemEntries(_readOnly).Select(Path.GetFileName).Order());
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(_readOnly, "sub")));
    }

    [Fact]
    public async Task A_writable_mount_takes_files_and_directories_which_the_host_sees()
    {
        await using IWasiFileProbe plugin = await LoadAsync(Mounts);
        Assert.Equal(7, plugin.Invoke(Create, At(4, "notes.txt"), Bytes("written")));
        Assert.Equal(7, plugin.Invoke(Read, At(4, "notes.txt"), Bytes("written")));
        Assert.Equal(0, plugin.Invoke(CreateDirectory, At(4, "archive"), []));
        Assert.Equal(0, plugin.Invoke(Rename, At(4, "notes.txt"), Bytes("archive/notes.txt")));
        Assert.Equal("written", File.ReadAllText(Path.Combine(_writable, "archive", "notes.txt")));
        Assert.Equal(3, plugin.Invoke(WriteExisting, At(4, "archive/notes.txt"), Bytes("WRI")));
        Assert.Equal("WRItten", File.ReadAllText(Path.Combine(_writable, "archive", "notes.txt")));
        Assert.Equal(0, plugin.Invoke(Unlink, At(4, "archive/notes.txt"), []));
        Assert.Equal(0, plugin.Invoke(RemoveDirectory, At(4, "archive"), []));
        Assert.Empty(Directory.GetFileSystemEntries(_writable));
    }

    [Fact]
    public async Task Nothing_outside_the_mounts_is_reachable_through_dot_dot_an_absolute_path_or_a_symbolic_link()
    {
        File.CreateSymbolicLink(Path.Combine(_readOnly, "absolute-link.txt"), Path.Combine(_outside, "secret.txt"));
        File.CreateSymbolicLink(Path.Combine(_readOnly, "relative-link.txt"), "../outside/secret.txt");
        Directory.CreateSymbolicLink(Path.Combine(_readOnly, "linked-dir"), _outside);
        File.CreateSymbolicLink(Path.Combine(_readOnly, "inside-link.txt"), "hello.txt");
        await using IWasiFileProbe plugin = await LoadAsync(Mounts);

        Assert.Equal(-NotPermitted, plugin.Invoke(Read, At(3, "../outside/secret.txt"), Bytes(Secret)));
        Assert.Equal(-NotPermitted, plugin.Invoke(Read, At(3, "sub/../../outside/secret.txt"), Bytes(Secret)));
        Assert.Equal(-NotPermitted, plugin.Invoke(List, At(3, ".."), []));
        Assert.Equal(-NotPermitted, plugin.Invoke(Read, At(3, Path.Combine(_outside, "secret.txt")), Bytes(Secret)));
        Assert.Equal(-NotPermitted, plugin.Invoke(Read, At(3, "absolute-link.txt"), Bytes(Secret)));
        Assert.Equal(-NotPermitted, plugin.Invoke(Read, At(3, "relative-link.txt"), Bytes(Secret)));
        Assert.Equal(-NotPermitted, plugin.Invoke(Read, At(3, "linked-dir/secret.txt"), Bytes(Secret)));
        Assert.Equal(-NotPermitted, plugin.Invoke(Size, At(3, "absolute-link.txt"), []));
        Assert.Equal(-NotPermitted, plugin.Invoke(Create, At(4, "../outside/planted.txt"), Bytes("x")));

        // A link that stays inside its mount is followed.
        Assert.Equal(Hello.Length, plugin.Invoke(Read, At(3, "inside-link.txt"), Bytes(Hello)));
        Assert.Equal([Path.Combine(_outside, "secret.txt")], Directory.GetFileSystemEntries(_outside));
    }

    [Fact]
    public async Task A_guest_cannot_plant_symbolic_links_even_in_a_writable_mount()
    {
        await using IWasiFileProbe plugin = await LoadAsync(Mounts);
        Assert.Equal(-NotPermitted, plugin.Invoke(Symlink, At(4, "leads-out"), Bytes("../outside/secret.txt")));
        Assert.Equal(-NotPermitted, plugin.Invoke(Symlink, At(4, "stays-in"), Bytes("notes.txt")));
        Assert.Empty(Directory.GetFileSystemEntries(_writable));
    }

    [Fact]
    public async Task Stdout_and_stderr_become_log_lines_through_the_plugins_rate_limit()
    {
        await using IWasiProbe plugin = await LoadProbeAsync(_host);
        Assert.Equal(0, plugin.Run(1, 1));

        // Wasmtime's callbacks outlive a collection: they are held by the instance's output.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.Equal(0, plugin.Run(1, 2));
        Assert.Equal(
            ["Plugin wasi wrote to stdout: line one", "Plugin wasi wrote to stdout: line two", "Plugin wasi wrote to stdout: partial",
             "Plugin wasi wrote to stderr: line one", "Plugin wasi wrote to stderr: line two", "Plugin wasi wrote to stderr: partial"],
            Lines());

        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var limiter = new LogRateLimiter(new LogRateLimiterOptions { LinesPerSecond = 1, Burst = 3 }, time);
        await using IWasiProbe chatty = await LoadProbeAsync(_host, new PluginLoadOptions { LogLimiter = limiter }, id: "chatty");
        Assert.Equal(0, chatty.Run(5, 10));
        Assert.Equal(3, _logs.Messages.Count(m => m.StartsWith("Plugin chatty wrote to stdout: ", StringComparison.Ordinal)));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, chatty.Run(5, 1));
        Assert.Contains("Plugin chatty logged too fast: 7 lines were suppressed", _logs.Messages);
    }

    [Fact]
    public async Task A_sleep_past_the_deadline_ends_at_the_deadline_not_when_wasmtime_would_wake()
    {
        await using IWasiProbe plugin = await LoadProbeAsync(_host, new PluginLoadOptions { Limits = PluginLimits.Default with { Timeout = TimeSpan.FromMilliseconds(200) } });
        Stopwatch watch = Stopwatch.StartNew();
        var error = Assert.Throws<PluginTimeoutException>(() => plugin.Run(50, 10_000_000_000));
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(180), TimeSpan.FromMilliseconds(1200));
        Assert.Equal("run", error.Export);

        // The replacement instance gets its WASI set up again.
        Assert.Equal(0, plugin.Run(45, 0));
        Assert.Equal(0, plugin.Run(1, 1));
    }

    [Fact]
    public async Task A_sleep_ends_when_the_call_is_cancelled_and_proc_exit_ends_the_call_with_its_code()
    {
        await using IWasiProbe plugin = await LoadProbeAsync(_host);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        Stopwatch watch = Stopwatch.StartNew();
        Assert.ThrowsAny<OperationCanceledException>(() => plugin.Run(50, 20_000_000_000, cancellation.Token));
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(90), TimeSpan.FromMilliseconds(1100));
        Assert.Equal(7, Assert.Throws<PluginExitException>(() => plugin.Run(60, 7)).ExitCode);
    }

    [Fact]
    public async Task Airlocks_bounded_functions_answer_in_place_of_wasmtimes()
    {
        await using IWasiProbe plugin = await LoadProbeAsync(_host);

        // random_get's bound, and descriptor subscriptions answered at once: Airlock does not see Wasmtime's descriptors.
        Assert.Equal(-28, plugin.Run(20, (1024 * 1024) + 1));
        Assert.Equal(4, new[] { plugin.Run(20, 64), plugin.Run(20, 64), plugin.Run(20, 64), plugin.Run(20, 64) }.Distinct().Count());
        Stopwatch watch = Stopwatch.StartNew();
        Assert.Equal(1000 + 58, plugin.Run(51, 0));
        Assert.Equal(1000 + 58, plugin.Run(51, 3));
        Assert.InRange(watch.Elapsed, TimeSpan.Zero, TimeSpan.FromMilliseconds(900));
        Assert.Equal(0, plugin.Run(45, 0));
    }

    [Fact]
    public async Task Rights_wasmtime_cannot_convert_trap()
    {
        await using IWasiFileProbe plugin = await LoadAsync(Mounts);
        Assert.Throws<PluginTrapException>(() => plugin.Invoke(OpenWithEveryRightBit, At(3, "hello.txt"), []));
        Assert.Equal(Hello.Length, plugin.Invoke(Read, At(3, "hello.txt"), Bytes(Hello)));
    }

    [Fact]
    public async Task The_clocks_and_sleeps_run_on_the_hosts_clock()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero));
        await using var host = new PluginHost(timeProvider: time);
        await using IWasiProbe plugin = await LoadProbeAsync(host);
        Assert.Equal((time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100, plugin.Run(10, 0));
        await WasiTests.SleepsOnAsync(time, plugin);
    }

    [Fact]
    public async Task A_read_from_a_fifo_in_a_mount_waits_for_its_writer_and_the_deadline_applies_when_it_returns()
    {
        // The documented limit of this level: Wasmtime's file I/O is not interrupted by the deadline.
        Airlock.Tests.HostileFiles.Fifo(Path.Combine(_readOnly, "pipe"));
        await using IWasiFileProbe plugin = await LoadAsync(Mounts, limits: PluginLimits.Default with { Timeout = TimeSpan.FromMilliseconds(200) });
        Task writer = Task.Run(async () =>
        {
            await Task.Delay(1000);
            try
            {
                await File.WriteAllTextAsync(Path.Combine(_readOnly, "pipe"), "x");
            }
            catch (IOException)
            {
                // The reader may be gone already (broken pipe): what matters is that it waited for this writer.
            }
        });
        Stopwatch watch = Stopwatch.StartNew();
        Assert.Throws<PluginTimeoutException>(() => plugin.Invoke(Read, At(3, "pipe"), Bytes("x")));
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(900), TimeSpan.FromSeconds(5));
        await writer;
        Assert.Equal(Hello.Length, plugin.Invoke(Read, At(3, "hello.txt"), Bytes(Hello)));
    }

    [Fact]
    public async Task Sockets_are_refused_at_load_and_so_is_what_no_level_provides()
    {
        string imports = """
            (import "wasi_snapshot_preview1" "sock_accept" (func (param i32 i32 i32) (result i32)))
            (import "wasi_snapshot_preview1" "proc_raise" (func (param i32) (result i32)))
            (import "wasi_snapshot_preview1" "path_open" (func (param i32 i32 i32 i32 i32 i32 i64 i32 i32) (result i32)))
            """;
        var error = await Assert.ThrowsAsync<PluginContractException>(() => LoadAsync(Mounts, WasiFileModule.Compile(imports)));
        Assert.Equal(
            [
                "the module imports the WASI socket function 'wasi_snapshot_preview1.sock_accept', but no level of Airlock's WASI gives a plugin sockets: a plugin reaches the network only through the host functions its profile provides, when it is granted that.",
                "the module imports the WASI function 'wasi_snapshot_preview1.proc_raise', which Airlock does not provide. Airlock's WASI is " + CapabilityWasiSurface.Summary + ": it has " + string.Join(", ", CapabilityWasiSurface.Shape.Functions!.Select(f => f.Name)) + ".",
                "the module imports 'wasi_snapshot_preview1.path_open' as (i32, i32, i32, i32, i32, i32, i64, i32, i32) -> i32, but Airlock's WASI provides it as (i32, i32, i32, i32, i32, i64, i64, i32, i32) -> i32.",
            ],
            error.Problems);

        // Under the minimal level the file functions are not there at all.
        var minimal = await Assert.ThrowsAsync<PluginContractException>(() => _host.LoadModuleAsync<IWasiFileProbe>("files", WasiFileModule.Compile()));
        Assert.Contains("the module imports the WASI function 'wasi_snapshot_preview1.path_open', which Airlock does not provide. Airlock's WASI is stdout and stderr", string.Join('\n', minimal.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_module_without_wasi_imports_loads_under_the_level_and_the_host_can_default_to_it()
    {
        await using var host = new PluginHost(new PluginHostOptions { Wasi = WasiPolicy.WithCapabilities(Mounts) });
        await using IWasiFileProbe plugin = await host.LoadModuleAsync<IWasiFileProbe>("files", WasiFileModule.Compile());
        Assert.Equal(Hello.Length, plugin.Invoke(Read, At(3, "hello.txt"), Bytes(Hello)));
        await using IPureWasiProbe pure = await host.LoadModuleAsync<IPureWasiProbe>("pure", ProbeModules.Compile("""
            (module
              (memory (export "memory") 1)
              (func (export "alloc") (param i32) (result i32) (i32.const 1024))
              (func (export "dealloc") (param i32 i32))
              (func (export "run") (param i32 i64) (result i64) (local.get 1)))
            """));
        Assert.Equal(9, pure.Run(-1, 9));
        Assert.StartsWith("Airlock's WASI with capabilities (no environment; mounts /data (read-only) from ", WasiPolicy.WithCapabilities(Mounts).Name, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_mount_whose_directory_has_gone_fails_the_instance_with_a_typed_error_naming_both_paths()
    {
        string gone = Directory.CreateDirectory(Path.Combine(_root, "gone")).FullName;
        WasiPolicy policy = WasiPolicy.WithCapabilities(WasiCapabilities.None.WithMount("/gone", gone, WasiMountAccess.ReadOnly));
        Directory.Delete(gone);
        var error = await Assert.ThrowsAsync<WasiCapabilityException>(() => _host.LoadModuleAsync<IWasiFileProbe>("files", WasiFileModule.Compile(), new PluginLoadOptions { Wasi = policy }));
        Assert.Equal(WasiCapabilityProblem.HostDirectoryNotFound, error.Problem);
        Assert.Equal("files", error.PluginId);
        Assert.Equal("/gone", error.GuestPath);
        Assert.Equal(gone, error.HostDirectory);
        Assert.Equal($"The host directory '{gone}' to be mounted at guest path '/gone' does not exist.", error.Message);
    }

    [Theory]
    [InlineData("data", "is not absolute")]
    [InlineData("/data/", "has a repeated or trailing '/'")]
    [InlineData("//data", "has a repeated or trailing '/'")]
    [InlineData("/data/../etc", "has a '..' segment")]
    [InlineData("/./data", "has a '.' segment")]
    [InlineData("/da\0ta", "contains a NUL character")]
    public void A_guest_path_that_is_not_absolute_and_normalized_is_refused(string guestPath, string problem)
    {
        var error = Assert.Throws<WasiCapabilityException>(() => WasiCapabilities.None.WithMount(guestPath, _readOnly, WasiMountAccess.ReadOnly));
        Assert.Equal(WasiCapabilityProblem.InvalidGuestPath, error.Problem);
        Assert.Equal(guestPath, error.GuestPath);
        Assert.Equal(_readOnly, error.HostDirectory);
        Assert.Equal($"The guest path '{guestPath}' of the mount of host directory '{_readOnly}' {problem}; write it as an absolute path without '.', '..', repeated or trailing slashes, such as '/data'.", error.Message);
    }

    [Fact]
    public void Mounts_are_checked_when_granted()
    {
        WasiCapabilities root = WasiCapabilities.None.WithMount("/", _readOnly, WasiMountAccess.ReadOnly).WithMount("/data/nested", _writable, WasiMountAccess.Writable);
        Assert.Equal(["/", "/data/nested"], root.Mounts.Select(m => m.GuestPath));
        Assert.Equal(WasiMountAccess.Writable, root.Mounts[1].Access);

        var duplicate = Assert.Throws<WasiCapabilityException>(() => Mounts.WithMount("/data", _writable, WasiMountAccess.Writable));
        Assert.Equal(WasiCapabilityProblem.DuplicateGuestPath, duplicate.Problem);
        Assert.Equal($"The guest path '/data' is mounted twice: host directory '{_readOnly}' and host directory '{_writable}'; give each mount its own guest path.", duplicate.Message);

        string missing = Path.Combine(_root, "missing");
        var notFound = Assert.Throws<WasiCapabilityException>(() => WasiCapabilities.None.WithMount("/m", missing, WasiMountAccess.ReadOnly));
        Assert.Equal(WasiCapabilityProblem.HostDirectoryNotFound, notFound.Problem);
        Assert.Equal($"The host directory '{missing}' to be mounted at guest path '/m' does not exist.", notFound.Message);
        Assert.Null(notFound.PluginId);

        string file = Path.Combine(_readOnly, "hello.txt");
        var notDirectory = Assert.Throws<WasiCapabilityException>(() => WasiCapabilities.None.WithMount("/m", file, WasiMountAccess.ReadOnly));
        Assert.Equal(WasiCapabilityProblem.HostPathNotDirectory, notDirectory.Problem);
        Assert.Equal($"The host directory '{file}' to be mounted at guest path '/m' is not a directory.", notDirectory.Message);

        // A relative host directory is taken from the current directory, once.
        WasiMount relative = WasiCapabilities.None.WithMount("/here", ".", WasiMountAccess.ReadOnly).Mounts[0];
        Assert.Equal(Path.GetFullPath("."), relative.HostDirectory);
        Assert.Equal($"/here (read-only) from {Path.GetFullPath(".")}", relative.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("A=B")]
    [InlineData("NU\0L")]
    public void An_environment_variable_name_that_cannot_be_one_is_refused(string name)
    {
        var error = Assert.Throws<WasiCapabilityException>(() => WasiCapabilities.None.WithEnvironmentVariable(name, "v"));
        Assert.Equal(WasiCapabilityProblem.InvalidEnvironmentVariable, error.Problem);
        Assert.Equal(name, error.VariableName);
        Assert.Throws<WasiCapabilityException>(() => WasiCapabilities.None.WithHostEnvironmentVariables([name]));
        var value = Assert.Throws<WasiCapabilityException>(() => WasiCapabilities.None.WithEnvironmentVariable("OK", "a\0b"));
        Assert.Equal("OK", value.VariableName);
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private Task<IWasiFileProbe> LoadAsync(WasiCapabilities capabilities, byte[]? module = null, PluginLimits? limits = null)
        => _host.LoadModuleAsync<IWasiFileProbe>("files", module ?? WasiFileModule.Compile(), new PluginLoadOptions { Wasi = WasiPolicy.WithCapabilities(capabilities), Limits = limits });

    // The minimal-surface probe of WasiTests, under this level with both mounts.
    private Task<IWasiProbe> LoadProbeAsync(PluginHost host, PluginLoadOptions? options = null, string id = "wasi")
    {
        options ??= new PluginLoadOptions();
        options.Wasi = WasiPolicy.WithCapabilities(Mounts);
        return host.LoadModuleAsync<IWasiProbe>(id, ProbeModules.Compile(WasiTests.Module()), options);
    }

    private string[] Lines() => [.. _logs.Messages.Where(m => m.StartsWith("Plugin wasi wrote to", StringComparison.Ordinal))];
}
