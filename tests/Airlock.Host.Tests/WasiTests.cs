using System.Diagnostics;
using Airlock.Services;
using Airlock.Wasm;
using Microsoft.Extensions.Logging;

namespace Airlock.Host.Tests;

/// <summary>A contract over scalars, for modules that exercise WASI: <c>run(action, argument)</c>.</summary>
[WasmPlugin]
public partial interface IWasiProbe
{
    [WasmExport("run")]
    long Run(int action, long argument, CancellationToken cancellationToken = default);
}

/// <summary>The same exports under a contract that forbids WASI.</summary>
[WasmPlugin(AllowWasi = false)]
public partial interface IPureWasiProbe
{
    [WasmExport("run")]
    long Run(int action, long argument);
}

/// <summary>
/// Airlock's own minimal WASI, function by function: the answers a guest gets (errno values included),
/// where its output goes, and what is refused at load.
/// </summary>
public sealed class WasiTests : IAsyncDisposable
{
    private const int Success = 0;
    private const int BadFileDescriptor = 8;
    private const int Fault = 21;
    private const int Invalid = 28;
    private const int NotSupported = 58;
    private const int IllegalSeek = 70;

    private readonly CapturingLoggerProvider _logs = new();
    private readonly ILoggerFactory _loggers;
    private readonly PluginHost _host;

    public WasiTests()
    {
        _loggers = LoggerFactory.Create(builder => builder.AddProvider(_logs));
        _host = new PluginHost(loggerFactory: _loggers);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        _loggers.Dispose();
    }

    [Fact]
    public async Task Every_function_of_airlocks_wasi_links_with_the_type_the_checks_expect()
    {
        string imports = string.Join('\n', AirlockWasiSurface.Shape.Functions!.Select(f =>
            $"(import \"wasi_snapshot_preview1\" \"{f.Name}\" (func (param {string.Join(' ', f.Signature.Parameters.Select(WasmFunctionSignature.Spell))}) (result {string.Join(' ', f.Signature.Results.Select(WasmFunctionSignature.Spell))})))"
                .Replace("(param )", string.Empty, StringComparison.Ordinal).Replace(" (result )", string.Empty, StringComparison.Ordinal)));
        Assert.Equal(17, AirlockWasiSurface.Shape.Functions!.Count);
        await using IWasiProbe plugin = await LoadAsync(Module(imports: imports));
        Assert.Equal(7, plugin.Run(-1, 7));
    }

    [Fact]
    public async Task Stdout_and_stderr_become_one_log_line_per_line_and_the_unfinished_line_is_logged_when_the_call_ends()
    {
        await using IWasiProbe plugin = await LoadAsync(Module());
        Assert.Equal(Success, plugin.Run(1, 1));
        Assert.Equal(Success, plugin.Run(1, 2));
        Assert.Equal(
            ["Plugin wasi wrote to stdout: line one", "Plugin wasi wrote to stdout: line two", "Plugin wasi wrote to stdout: partial",
             "Plugin wasi wrote to stderr: line one", "Plugin wasi wrote to stderr: line two", "Plugin wasi wrote to stderr: partial"],
            Lines());
    }

    [Fact]
    public async Task A_line_longer_than_the_limit_is_logged_cut_once()
    {
        await using IWasiProbe plugin = await LoadAsync(Module());
        Assert.Equal(Success, plugin.Run(4, 10_000));
        Assert.Equal(Success, plugin.Run(5, 1));

        // The rest of the long line, "end" included, is dropped up to its newline; the next line is whole.
        Assert.Equal(["Plugin wasi wrote to stdout: " + new string('x', 4096) + "…", "Plugin wasi wrote to stdout: line one"], Lines());
    }

    [Fact]
    public async Task Output_counts_against_the_hosts_log_limit_when_the_load_gives_none()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        await using var host = new PluginHost(new PluginHostOptions { PluginLogRate = new LogRateLimiterOptions { LinesPerSecond = 1, Burst = 3 } }, _loggers, time);
        await using IWasiProbe plugin = await host.LoadModuleAsync<IWasiProbe>("wasi", ProbeModules.Compile(Module()));
        Assert.Equal(Success, plugin.Run(5, 10));
        Assert.Equal(3, Lines().Length);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(Success, plugin.Run(5, 1));
        Assert.Contains("Plugin wasi logged too fast: 7 lines were suppressed", _logs.Messages);
    }

    [Fact]
    public async Task Output_shares_the_limiter_the_load_gives()
    {
        var limiter = new LogRateLimiter(new LogRateLimiterOptions { Burst = 2 }, new Microsoft.Extensions.Time.Testing.FakeTimeProvider());
        Assert.True(limiter.TryAcquire("wasi").Allowed);
        await using IWasiProbe plugin = await LoadAsync(Module(), new PluginLoadOptions { LogLimiter = limiter });
        Assert.Equal(Success, plugin.Run(5, 5));
        Assert.Single(Lines());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(-1)]
    public async Task Writing_anywhere_but_stdout_and_stderr_is_a_bad_descriptor(long fd)
    {
        await using IWasiProbe plugin = await LoadAsync(Module());
        Assert.Equal(BadFileDescriptor, plugin.Run(1, fd));
        Assert.Empty(Lines());
    }

    [Fact]
    public async Task A_buffer_outside_memory_is_a_fault_and_writes_nothing()
    {
        await using IWasiProbe plugin = await LoadAsync(Module());
        Assert.Equal(Fault, plugin.Run(2, 0));
        Assert.Equal(Invalid, plugin.Run(3, 0));
        Assert.Empty(Lines());
        Assert.Equal(Success, plugin.Run(1, 1));
    }

    [Fact]
    public async Task The_clocks_tell_the_time_and_other_clocks_are_invalid()
    {
        await using IWasiProbe plugin = await LoadAsync(Module());
        long realtime = plugin.Run(10, 0);
        long expected = (DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks * 100;
        Assert.InRange(realtime, expected - 5_000_000_000, expected + 1_000_000_000);
        long first = plugin.Run(10, 1);
        Thread.Sleep(20);
        Assert.InRange(plugin.Run(10, 1) - first, 15_000_000, 10_000_000_000);
        Assert.Equal(-Invalid, plugin.Run(10, 2));
        Assert.Equal(-Invalid, plugin.Run(10, 3));
        Assert.Equal(100, plugin.Run(11, 0));
        Assert.InRange(plugin.Run(11, 1), 1, 1_000_000);
        Assert.Equal(-Invalid, plugin.Run(11, 9));
        Assert.Equal(Fault, plugin.Run(12, 0));
    }

    [Fact]
    public async Task Random_bytes_fill_the_buffer_within_bounds()
    {
        await using IWasiProbe plugin = await LoadAsync(Module());
        long[] samples = [.. Enumerable.Range(0, 4).Select(_ => plugin.Run(20, 64))];
        Assert.Equal(4, samples.Distinct().Count());
        Assert.Equal(-Fault, plugin.Run(21, 0));
        Assert.Equal(-Invalid, plugin.Run(20, (1024 * 1024) + 1));
    }

    [Fact]
    public async Task Arguments_and_environment_are_empty()
    {
        await using IWasiProbe plugin = await LoadAsync(Module());
        Assert.Equal(0, plugin.Run(30, 0));
        Assert.Equal(0, plugin.Run(31, 0));
        Assert.Equal(Success, plugin.Run(32, 0));
    }

    [Fact]
    public async Task Stdio_answers_as_a_character_device_with_stdin_at_end_of_file_and_no_preopens()
    {
        await using IWasiProbe plugin = await LoadAsync(Module());
        Assert.Equal((((1L << 1) | (1L << 27)) * 256) + 2, plugin.Run(40, 0));
        Assert.Equal((((1L << 6) | (1L << 27)) * 256) + 2, plugin.Run(40, 1));
        Assert.Equal(-BadFileDescriptor, plugin.Run(40, 3));
        Assert.Equal(IllegalSeek, plugin.Run(41, 1));
        Assert.Equal(BadFileDescriptor, plugin.Run(41, 7));
        Assert.Equal(BadFileDescriptor, plugin.Run(42, 3));
        Assert.Equal(BadFileDescriptor, plugin.Run(46, 3));
        Assert.Equal(0, plugin.Run(43, 0));
        Assert.Equal(-BadFileDescriptor, plugin.Run(43, 1));
        Assert.Equal(Success, plugin.Run(44, 1));
        Assert.Equal(BadFileDescriptor, plugin.Run(44, 3));
        Assert.Equal(Success, plugin.Run(45, 0));
    }

    [Fact]
    public async Task A_clock_subscription_sleeps_for_its_time_and_answers_its_event()
    {
        await using IWasiProbe plugin = await LoadAsync(Module());
        Stopwatch watch = Stopwatch.StartNew();
        Assert.Equal(1000, plugin.Run(50, 50_000_000));
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(45), TimeSpan.FromSeconds(5));

        // An absolute time on the monotonic clock 50 ms ahead.
        watch.Restart();
        Assert.Equal(1000, plugin.Run(55, 50_000_000));
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(45), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_sleep_runs_on_the_hosts_clock()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        await using var host = new PluginHost(timeProvider: time);
        await using IWasiProbe plugin = await host.LoadModuleAsync<IWasiProbe>("wasi", ProbeModules.Compile(Module()));
        await SleepsOnAsync(time, plugin);
    }

    /// <summary>Asserts that a one-second sleep of <paramref name="plugin"/> ends once <paramref name="time"/> has moved on a second.</summary>
    internal static async Task SleepsOnAsync(Microsoft.Extensions.Time.Testing.FakeTimeProvider time, IWasiProbe plugin)
    {
        Task<long> sleeping = Task.Run(() => plugin.Run(50, 1_000_000_000));
        Stopwatch watch = Stopwatch.StartNew();
        while (!sleeping.IsCompleted && watch.Elapsed < TimeSpan.FromSeconds(10))
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(5);
        }

        Assert.Equal(1000, await sleeping);
    }

    [Fact]
    public async Task Descriptor_subscriptions_and_unknown_clocks_answer_at_once_with_an_error_event()
    {
        await using IWasiProbe plugin = await LoadAsync(Module());
        Stopwatch watch = Stopwatch.StartNew();
        Assert.Equal(1000 + NotSupported, plugin.Run(51, 0));
        Assert.Equal(1000 + BadFileDescriptor, plugin.Run(51, 9));
        Assert.Equal(1000 + Invalid, plugin.Run(54, 0));
        Assert.InRange(watch.Elapsed, TimeSpan.Zero, TimeSpan.FromMilliseconds(900));
        Assert.Equal(Invalid, plugin.Run(52, 0));
        Assert.Equal(Fault, plugin.Run(53, 0));
    }

    [Fact]
    public async Task A_sleep_past_the_deadline_ends_the_call_at_the_deadline()
    {
        await using IWasiProbe plugin = await LoadAsync(Module(), new PluginLoadOptions { Limits = PluginLimits.Default with { Timeout = TimeSpan.FromMilliseconds(200) } });
        Stopwatch watch = Stopwatch.StartNew();
        var error = Assert.Throws<PluginTimeoutException>(() => plugin.Run(50, long.MaxValue));
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(180), TimeSpan.FromMilliseconds(300));
        Assert.Equal("run", error.Export);
        Assert.Equal(Success, plugin.Run(45, 0));
    }

    [Fact]
    public async Task A_sleep_ends_when_the_call_is_cancelled()
    {
        await using IWasiProbe plugin = await LoadAsync(Module());
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        Stopwatch watch = Stopwatch.StartNew();
        Assert.ThrowsAny<OperationCanceledException>(() => plugin.Run(50, 20_000_000_000, cancellation.Token));
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(90), TimeSpan.FromMilliseconds(400));
        Assert.Equal(Success, plugin.Run(45, 0));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(42)]
    public async Task Proc_exit_ends_the_call_with_its_code(long code)
    {
        await using IWasiProbe plugin = await LoadAsync(Module());
        var exit = Assert.Throws<PluginExitException>(() => plugin.Run(60, code));
        Assert.Equal((int)code, exit.ExitCode);
        Assert.Equal("run", exit.Export);
        Assert.Equal(Success, plugin.Run(45, 0));
    }

    [Fact]
    public async Task Proc_exit_while_starting_fails_the_load()
    {
        string start = """(func (export "_initialize") (call $proc_exit (i32.const 1)))""";
        var exit = await Assert.ThrowsAsync<PluginExitException>(() => LoadAsync(Module(extra: start)));
        Assert.Equal(1, exit.ExitCode);
    }

    [Fact]
    public async Task An_unsupported_wasi_function_is_refused_at_load_by_name()
    {
        string imports = """(import "wasi_snapshot_preview1" "path_open" (func (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))""";
        var error = await Assert.ThrowsAsync<PluginContractException>(() => LoadAsync(Module(imports: imports)));
        string problem = Assert.Single(error.Problems);
        Assert.StartsWith("the module imports the WASI function 'wasi_snapshot_preview1.path_open', which Airlock does not provide. Airlock's WASI is stdout and stderr into the host's log", problem, StringComparison.Ordinal);
        Assert.EndsWith("it has args_get, args_sizes_get, clock_res_get, clock_time_get, environ_get, environ_sizes_get, fd_close, fd_fdstat_get, fd_prestat_dir_name, fd_prestat_get, fd_read, fd_seek, fd_write, poll_oneoff, proc_exit, random_get, sched_yield.", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wasi_function_with_another_type_or_a_wasi_memory_is_refused_at_load()
    {
        string imports = """
            (import "wasi_snapshot_preview1" "sched_yield" (func (param i32) (result i32)))
            (import "wasi_snapshot_preview1" "scratch" (global i32))
            """;
        var error = await Assert.ThrowsAsync<PluginContractException>(() => LoadAsync(Module(imports: imports)));
        Assert.Contains("the module imports 'wasi_snapshot_preview1.sched_yield' as (i32) -> i32, but Airlock's WASI provides it as () -> i32.", error.Problems);
        Assert.Contains("the module imports a global 'wasi_snapshot_preview1.scratch'; Airlock's WASI provides only functions.", error.Problems);
    }

    [Fact]
    public async Task Wasi_off_for_the_load_or_the_host_refuses_every_wasi_import_and_a_load_can_turn_it_back_on()
    {
        var error = await Assert.ThrowsAsync<PluginContractException>(() => LoadAsync(Module(), new PluginLoadOptions { Wasi = WasiPolicy.None }));
        Assert.Equal(15, error.Problems.Count);
        Assert.All(error.Problems, p => Assert.Contains("but WASI is off for this plugin (PluginLoadOptions.Wasi is WasiPolicy.None)", p, StringComparison.Ordinal));

        await using var host = new PluginHost(new PluginHostOptions { Wasi = WasiPolicy.None });
        await Assert.ThrowsAsync<PluginContractException>(() => host.LoadModuleAsync<IWasiProbe>("wasi", ProbeModules.Compile(Module())));
        await using IWasiProbe plugin = await host.LoadModuleAsync<IWasiProbe>("wasi", ProbeModules.Compile(Module()), new PluginLoadOptions { Wasi = WasiPolicy.Minimal });
        Assert.Equal(Success, plugin.Run(45, 0));

        // A module without WASI imports loads under either.
        await using IWasiProbe pure = await host.LoadModuleAsync<IWasiProbe>("pure", ProbeModules.Compile(PureModule));
        Assert.Equal(3, pure.Run(-1, 3));
    }

    [Fact]
    public async Task A_contract_that_forbids_wasi_refuses_it_whatever_the_load_says()
    {
        var error = await Assert.ThrowsAsync<PluginContractException>(() => _host.LoadModuleAsync<IPureWasiProbe>("wasi", ProbeModules.Compile(Module()), new PluginLoadOptions { Wasi = WasiPolicy.Minimal }));
        Assert.Contains("the module imports WASI ('wasi_snapshot_preview1.fd_write'), which the contract Airlock.Host.Tests.IPureWasiProbe does not allow (AllowWasi = false)", error.Message, StringComparison.Ordinal);
        await using IPureWasiProbe pure = await _host.LoadModuleAsync<IPureWasiProbe>("pure", ProbeModules.Compile(PureModule));
        Assert.Equal(5, pure.Run(-1, 5));
    }

    [Fact]
    public void Wasi_cannot_be_provided_as_host_functions()
    {
        var error = Assert.Throws<ArgumentException>(() => new PluginLoadOptions().AddImports<IFakeWasi>(new FakeWasi()));
        Assert.Contains("choose it with PluginLoadOptions.Wasi", error.Message, StringComparison.Ordinal);
    }

    private const string PureModule = $"""
        (module
          (memory (export "memory") 1)
          {ProbeModules.BumpAlloc}
          {ProbeModules.NoopDealloc}
          (func (export "run") (param i32 i64) (result i64) (local.get 1)))
        """;

    private Task<IWasiProbe> LoadAsync(string wat, PluginLoadOptions? options = null)
        => _host.LoadModuleAsync<IWasiProbe>("wasi", ProbeModules.Compile(wat), options);

    private string[] Lines() => [.. _logs.Messages.Where(m => m.StartsWith("Plugin wasi wrote to", StringComparison.Ordinal))];

    /// <summary>
    /// The WASI probe: <c>run(action, argument)</c> calls one WASI function as the action says and answers
    /// its errno or what it wrote (negative errno on failure where it answers a value).
    /// </summary>
    internal static string Module(string imports = "", string extra = "") => $$"""
        (module
          (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fd_fdstat_get (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_prestat_get" (func $fd_prestat_get (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $fd_prestat_dir_name (param i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
          (import "wasi_snapshot_preview1" "clock_res_get" (func $clock_res_get (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "sched_yield" (func $sched_yield (result i32)))
          (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
          {{imports}}
          (memory (export "memory") 1)
          {{ProbeModules.BumpAlloc}}
          {{ProbeModules.NoopDealloc}}
          (data (i32.const 2048) "line one\nline two\npartial")
          {{extra}}

          ;; An answer: the value at $at when errno is 0, else -errno.
          (func $value (param $errno i32) (param $at i32) (result i64)
            (if (result i64) (local.get $errno)
              (then (i64.extend_i32_s (i32.sub (i32.const 0) (local.get $errno))))
              (else (i64.load (local.get $at)))))

          ;; One subscription at 1024 (userdata 42): a clock (tag 0) or a descriptor (tag 1, fd in $clock).
          (func $subscribe (param $at i32) (param $tag i32) (param $clock i32) (param $timeout i64) (param $flags i32)
            (i64.store (local.get $at) (i64.const 42))
            (i32.store8 (i32.add (local.get $at) (i32.const 8)) (local.get $tag))
            (i32.store (i32.add (local.get $at) (i32.const 16)) (local.get $clock))
            (i64.store (i32.add (local.get $at) (i32.const 24)) (local.get $timeout))
            (i64.store (i32.add (local.get $at) (i32.const 32)) (i64.const 0))
            (i32.store16 (i32.add (local.get $at) (i32.const 40)) (local.get $flags)))

          ;; poll_oneoff of $n subscriptions at 1024, events at 1280, count at 1500: errno, or events * 1000 + the first event's error.
          (func $poll (param $n i32) (result i64)
            (local $r i32)
            (local.set $r (call $poll_oneoff (i32.const 1024) (i32.const 1280) (local.get $n) (i32.const 1500)))
            (if (local.get $r) (then (return (i64.extend_i32_u (local.get $r)))))
            (if (i64.ne (i64.load (i32.const 1280)) (i64.const 42)) (then (return (i64.const -1))))
            (i64.extend_i32_u (i32.add (i32.mul (i32.load (i32.const 1500)) (i32.const 1000)) (i32.load16_u (i32.const 1288)))))

          ;; fd_write of one iovec at 1100 (nwritten at 1108).
          (func $write (param $fd i32) (param $p i32) (param $n i32) (result i32)
            (i32.store (i32.const 1100) (local.get $p))
            (i32.store (i32.const 1104) (local.get $n))
            (call $fd_write (local.get $fd) (i32.const 1100) (i32.const 1) (i32.const 1108)))

          (func (export "run") (param $action i32) (param $arg i64) (result i64)
            (local $i i32) (local $r i32)
            (if (i32.eq (local.get $action) (i32.const -1)) (then (return (local.get $arg))))
            (if (i32.eq (local.get $action) (i32.const 1)) (then (return (i64.extend_i32_u (call $write (i32.wrap_i64 (local.get $arg)) (i32.const 2048) (i32.const 25))))))
            (if (i32.eq (local.get $action) (i32.const 2)) (then (return (i64.extend_i32_u (call $write (i32.const 1) (i32.const 65530) (i32.const 100))))))
            (if (i32.eq (local.get $action) (i32.const 3)) (then (return (i64.extend_i32_u (call $fd_write (i32.const 1) (i32.const 1100) (i32.const 2000) (i32.const 1108))))))
            ;; 4: one line of $arg x's and "end\n", in one write from 4096 on.
            (if (i32.eq (local.get $action) (i32.const 4))
              (then
                (memory.fill (i32.const 4096) (i32.const 120) (i32.wrap_i64 (local.get $arg)))
                (i32.store (i32.add (i32.const 4096) (i32.wrap_i64 (local.get $arg))) (i32.const 0x0a646e65))
                (if (i32.lt_u (i32.mul (memory.size) (i32.const 65536)) (i32.add (i32.const 4100) (i32.wrap_i64 (local.get $arg)))) (then (unreachable)))
                (return (i64.extend_i32_u (call $write (i32.const 1) (i32.const 4096) (i32.add (i32.wrap_i64 (local.get $arg)) (i32.const 4)))))))
            ;; 5: $arg lines "line one" to stdout, one write each.
            (if (i32.eq (local.get $action) (i32.const 5))
              (then
                (loop $again
                  (local.set $r (call $write (i32.const 1) (i32.const 2048) (i32.const 9)))
                  (local.set $i (i32.add (local.get $i) (i32.const 1)))
                  (br_if $again (i32.lt_u (local.get $i) (i32.wrap_i64 (local.get $arg)))))
                (return (i64.extend_i32_u (local.get $r)))))
            (if (i32.eq (local.get $action) (i32.const 10)) (then (return (call $value (call $clock_time_get (i32.wrap_i64 (local.get $arg)) (i64.const 1) (i32.const 1024)) (i32.const 1024)))))
            (if (i32.eq (local.get $action) (i32.const 11)) (then (return (call $value (call $clock_res_get (i32.wrap_i64 (local.get $arg)) (i32.const 1024)) (i32.const 1024)))))
            (if (i32.eq (local.get $action) (i32.const 12)) (then (return (i64.extend_i32_u (call $clock_time_get (i32.const 0) (i64.const 1) (i32.const 65532))))))
            (if (i32.eq (local.get $action) (i32.const 20)) (then (return (call $value (call $random_get (i32.const 1024) (i32.wrap_i64 (local.get $arg))) (i32.const 1024)))))
            (if (i32.eq (local.get $action) (i32.const 21)) (then (return (call $value (call $random_get (i32.const 65500) (i32.const 100)) (i32.const 1024)))))
            (if (i32.eq (local.get $action) (i32.const 30))
              (then
                (i64.store (i32.const 1024) (i64.const -1))
                (return (call $value (call $args_sizes_get (i32.const 1024) (i32.const 1028)) (i32.const 1024)))))
            (if (i32.eq (local.get $action) (i32.const 31))
              (then
                (i64.store (i32.const 1024) (i64.const -1))
                (return (call $value (call $environ_sizes_get (i32.const 1024) (i32.const 1028)) (i32.const 1024)))))
            (if (i32.eq (local.get $action) (i32.const 32)) (then (return (i64.extend_i32_u (call $environ_sizes_get (i32.const 1024) (i32.const 1028))))))
            ;; 40: the descriptor's rights * 256 + its file type.
            (if (i32.eq (local.get $action) (i32.const 40))
              (then
                (local.set $r (call $fd_fdstat_get (i32.wrap_i64 (local.get $arg)) (i32.const 1024)))
                (if (local.get $r) (then (return (i64.extend_i32_s (i32.sub (i32.const 0) (local.get $r))))))
                (return (i64.add (i64.mul (i64.load (i32.const 1032)) (i64.const 256)) (i64.load8_u (i32.const 1024))))))
            (if (i32.eq (local.get $action) (i32.const 41)) (then (return (i64.extend_i32_u (call $fd_seek (i32.wrap_i64 (local.get $arg)) (i64.const 0) (i32.const 0) (i32.const 1024))))))
            (if (i32.eq (local.get $action) (i32.const 42)) (then (return (i64.extend_i32_u (call $fd_prestat_get (i32.wrap_i64 (local.get $arg)) (i32.const 1024))))))
            (if (i32.eq (local.get $action) (i32.const 43))
              (then
                (i32.store (i32.const 1100) (i32.const 3000))
                (i32.store (i32.const 1104) (i32.const 16))
                (i64.store (i32.const 1108) (i64.const 99))
                (return (call $value (call $fd_read (i32.wrap_i64 (local.get $arg)) (i32.const 1100) (i32.const 1) (i32.const 1108)) (i32.const 1108)))))
            (if (i32.eq (local.get $action) (i32.const 44)) (then (return (i64.extend_i32_u (call $fd_close (i32.wrap_i64 (local.get $arg)))))))
            (if (i32.eq (local.get $action) (i32.const 45)) (then (return (i64.extend_i32_u (call $sched_yield)))))
            (if (i32.eq (local.get $action) (i32.const 46)) (then (return (i64.extend_i32_u (call $fd_prestat_dir_name (i32.wrap_i64 (local.get $arg)) (i32.const 1024) (i32.const 10))))))
            (if (i32.eq (local.get $action) (i32.const 50))
              (then
                (call $subscribe (i32.const 1024) (i32.const 0) (i32.const 1) (local.get $arg) (i32.const 0))
                (return (call $poll (i32.const 1)))))
            ;; 51: a descriptor subscription (fd $arg) first, then a clock of one second.
            (if (i32.eq (local.get $action) (i32.const 51))
              (then
                (call $subscribe (i32.const 1024) (i32.const 1) (i32.wrap_i64 (local.get $arg)) (i64.const 0) (i32.const 0))
                (call $subscribe (i32.const 1072) (i32.const 0) (i32.const 1) (i64.const 1000000000) (i32.const 0))
                (return (call $poll (i32.const 2)))))
            (if (i32.eq (local.get $action) (i32.const 52)) (then (return (call $poll (i32.const 0)))))
            (if (i32.eq (local.get $action) (i32.const 53))
              (then
                (call $subscribe (i32.const 1024) (i32.const 0) (i32.const 1) (i64.const 0) (i32.const 0))
                (return (i64.extend_i32_u (call $poll_oneoff (i32.const 1024) (i32.const 65520) (i32.const 1) (i32.const 1500))))))
            (if (i32.eq (local.get $action) (i32.const 54))
              (then
                (call $subscribe (i32.const 1024) (i32.const 0) (i32.const 7) (i64.const 1000000000) (i32.const 0))
                (return (call $poll (i32.const 1)))))
            ;; 55: an absolute monotonic time $arg ns from now.
            (if (i32.eq (local.get $action) (i32.const 55))
              (then
                (drop (call $clock_time_get (i32.const 1) (i64.const 1) (i32.const 1600)))
                (call $subscribe (i32.const 1024) (i32.const 0) (i32.const 1) (i64.add (i64.load (i32.const 1600)) (local.get $arg)) (i32.const 1))
                (return (call $poll (i32.const 1)))))
            (if (i32.eq (local.get $action) (i32.const 60)) (then (call $proc_exit (i32.wrap_i64 (local.get $arg))) (unreachable)))
            (unreachable))
        )
        """;
}

/// <summary>A host module that claims WASI's name, which a load cannot provide.</summary>
[WasmHost("wasi_snapshot_preview1")]
public partial interface IFakeWasi
{
    [WasmImport("sched_yield")]
    int SchedYield();
}

internal sealed class FakeWasi : IFakeWasi
{
    public int SchedYield() => 0;
}
