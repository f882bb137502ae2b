using Wasmtime;

namespace Airlock.Host.Tests;

/// <summary>
/// Modules that break the packed ptr+len ABI in one way each. Every case gets its typed exception, the
/// same plugin serves the next call on a fresh instance, and another plugin on the host is unaffected.
/// </summary>
public sealed class HostileModuleTests(ProbeHostFixture fixture) : IClassFixture<ProbeHostFixture>
{
    private static readonly PluginLimits Quick = PluginLimits.Default with { Timeout = TimeSpan.FromMilliseconds(300), MaxInstances = 2 };

    [Fact]
    public async Task Result_pointer_out_of_bounds_is_a_memory_access_error()
    {
        await using IProbePlugin plugin = await fixture.LoadAsync(ProbeModules.Module(text: ProbeModules.TextReturningPacked(0xFFFF0000_0000000AUL)));
        var error = Assert.Throws<GuestMemoryAccessException>(() => plugin.Text("hi"));
        Assert.Equal(0xFFFF0000u, error.Pointer);
        Assert.Equal(10u, error.Length);
        Assert.Contains("result of text", error.Message, StringComparison.Ordinal);
        await AssertStillServing(plugin);
    }

    [Fact]
    public async Task Result_length_past_the_end_of_memory_is_a_memory_access_error()
    {
        await using IProbePlugin plugin = await fixture.LoadAsync(ProbeModules.Module(text: ProbeModules.TextReturningPacked((65530UL << 32) | 100UL)));
        var error = Assert.Throws<GuestMemoryAccessException>(() => plugin.Text("hi"));
        Assert.Equal(65530u, error.Pointer);
        Assert.Equal(65536UL, error.MemoryBytes);
        await AssertStillServing(plugin);
    }

    [Fact]
    public async Task Result_length_of_four_gigabytes_does_not_wrap()
    {
        await using IProbePlugin plugin = await fixture.LoadAsync(ProbeModules.Module(text: ProbeModules.TextReturningPacked((16UL << 32) | 0xFFFFFFFFUL)));
        Assert.Throws<GuestMemoryAccessException>(() => plugin.Text("hi"));
        await AssertStillServing(plugin);
    }

    [Fact]
    public async Task Alloc_returning_zero_is_an_allocation_error()
    {
        string alloc = """(func (export "alloc") (param i32) (result i32) (i32.const 0))""";
        await using IProbePlugin plugin = await fixture.LoadAsync(ProbeModules.Module(alloc: alloc));
        var error = Assert.Throws<GuestAllocationException>(() => plugin.Text("hello"));
        Assert.Equal(5, error.RequestedBytes);
        Assert.Equal(42, plugin.Ping(41));
        await AssertBystanderServing();
    }

    [Fact]
    public async Task Alloc_returning_garbage_is_a_memory_access_error()
    {
        string alloc = """(func (export "alloc") (param i32) (result i32) (i32.const -16))""";
        await using IProbePlugin plugin = await fixture.LoadAsync(ProbeModules.Module(alloc: alloc));
        var error = Assert.Throws<GuestMemoryAccessException>(() => plugin.Text("hello"));
        Assert.Equal(0xFFFFFFF0u, error.Pointer);
        Assert.Equal(42, plugin.Ping(41));
        await AssertBystanderServing();
    }

    [Fact]
    public async Task Trap_inside_the_export_carries_the_trap_code_and_backtrace()
    {
        string text = """(func $boom (export "text") (param i32 i32) (result i64) unreachable)""";
        await using IProbePlugin plugin = await fixture.LoadAsync(ProbeModules.Module(text: text));
        var error = Assert.Throws<PluginTrapException>(() => plugin.Text("hi"));
        Assert.Equal(TrapCode.Unreachable, error.TrapCode);
        Assert.NotEmpty(error.Backtrace);
        Assert.Equal("text", error.Export);
        await AssertStillServing(plugin);
    }

    [Fact]
    public async Task Endless_loop_times_out()
    {
        string text = """(func (export "text") (param i32 i32) (result i64) (loop $forever (br $forever)) (i64.const 0))""";
        await using IProbePlugin plugin = await fixture.LoadAsync(ProbeModules.Module(text: text), Quick with { FuelPerCall = ulong.MaxValue / 2 });
        var error = Assert.Throws<PluginTimeoutException>(() => plugin.Text("hi"));
        Assert.Equal(TimeSpan.FromMilliseconds(300), error.Timeout);
        await AssertStillServing(plugin);
    }

    [Fact]
    public async Task Endless_loop_runs_out_of_fuel_first_when_fuel_is_tight()
    {
        string text = """(func (export "text") (param i32 i32) (result i64) (loop $forever (br $forever)) (i64.const 0))""";
        await using IProbePlugin plugin = await fixture.LoadAsync(ProbeModules.Module(text: text), PluginLimits.Default with { FuelPerCall = 100_000 });
        var error = Assert.Throws<PluginFuelExhaustedException>(() => plugin.Text("hi"));
        Assert.Equal(100_000UL, error.FuelLimit);
        await AssertStillServing(plugin);
    }

    [Fact]
    public async Task Cancellation_interrupts_a_running_call()
    {
        string loopingDoc = """(func (export "doc") (param i32 i32) (result i64) (loop $forever (br $forever)) (i64.const 0))""";
        await using IProbePlugin looping = await fixture.LoadAsync(ProbeModules.Module(doc: loopingDoc), PluginLimits.Default with { FuelPerCall = ulong.MaxValue / 2 });
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => looping.DocAsync(new ProbeRequest("x"), cancellation.Token).AsTask());
        Assert.Equal(cancellation.Token, error.CancellationToken);
        await AssertStillServing(looping);
    }

    [Fact]
    public async Task Deep_recursion_is_a_stack_overflow_trap()
    {
        string text = """
            (func $recurse (param i32) (result i32) (i32.add (call $recurse (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
            (func (export "text") (param i32 i32) (result i64) (i64.extend_i32_u (call $recurse (i32.const 0))))
            """;
        await using IProbePlugin plugin = await fixture.LoadAsync(ProbeModules.Module(text: text));
        var error = Assert.Throws<PluginTrapException>(() => plugin.Text("hi"));
        Assert.Equal(TrapCode.StackOverflow, error.TrapCode);
        await AssertStillServing(plugin);
    }

    [Fact]
    public async Task Growing_memory_past_the_limit_is_a_memory_limit_error()
    {
        // Grows one page at a time until memory.grow fails, then aborts like a guest allocator would.
        string text = """
            (func (export "text") (param i32 i32) (result i64)
              (loop $grow (br_if $grow (i32.ne (memory.grow (i32.const 1)) (i32.const -1))))
              unreachable)
            """;
        await using IProbePlugin plugin = await fixture.LoadAsync(ProbeModules.Module(text: text), PluginLimits.Default with { MemoryBytes = 4 * 65536 });
        var error = Assert.Throws<PluginMemoryLimitException>(() => plugin.Text("hi"));
        Assert.Equal(4 * 65536, error.LimitBytes);
        await AssertStillServing(plugin);
    }

    [Fact]
    public async Task Non_utf8_text_is_malformed_with_the_offset()
    {
        await using IProbePlugin plugin = await fixture.LoadAsync(ProbeModules.Module(text: ProbeModules.TextAnsweringBytes([0x6f, 0x6b, 0xff, 0xfe])));
        var error = Assert.Throws<MalformedResponseException>(() => plugin.Text("hi"));
        Assert.Equal(2, error.ByteOffset);
        Assert.Contains("UTF-8", error.Message, StringComparison.Ordinal);
        await AssertStillServing(plugin);
    }

    [Fact]
    public async Task Non_utf8_json_is_malformed_with_the_offset()
    {
        await using IProbePlugin plugin = await fixture.LoadAsync(ProbeModules.Module(doc: ProbeModules.DocAnsweringBytes([(byte)'{', (byte)'"', 0xc3, 0x28, (byte)'"', (byte)'}'])));
        var error = await Assert.ThrowsAsync<MalformedResponseException>(() => plugin.DocAsync(new ProbeRequest("x")).AsTask());
        Assert.Equal(2, error.ByteOffset);
        await AssertStillServing(plugin);
    }

    [Theory]
    [InlineData("hello", "invalid")]
    [InlineData("[1,2]", "not a JSON object")]
    [InlineData("{\"value\":\"x\"", "")]
    [InlineData("{\"value\":\"x\"}", "no \"status\"")]
    [InlineData("{\"status\":\"maybe\",\"value\":\"x\"}", "\"maybe\"")]
    [InlineData("{\"status\":\"ok\",\"status\":\"ok\",\"value\":\"x\"}", "more than once")]
    [InlineData("{\"status\":\"error\",\"message\":\"no code\"}", "no \"code\"")]
    [InlineData("{\"status\":\"ok\",\"value\":7}", "")]
    [InlineData("{\"status\":\"ok\"} trailing", "")]
    public async Task Malformed_json_responses_are_rejected(string response, string expected)
    {
        await using IProbePlugin plugin = await fixture.LoadAsync(ProbeModules.Module(doc: ProbeModules.DocAnswering(response)));
        var error = await Assert.ThrowsAsync<MalformedResponseException>(() => plugin.DocAsync(new ProbeRequest("x")).AsTask());
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Equal("doc", error.Export);
        await AssertStillServing(plugin);
    }

    [Fact]
    public async Task Error_response_is_a_typed_plugin_error_and_keeps_the_instance()
    {
        await using IProbePlugin plugin = await fixture.LoadAsync(ProbeModules.Module(doc: ProbeModules.DocAnswering("""{"message":"slow down","retryable":true,"code":"rate_limit_exceeded","status":"error"}""")));
        var error = await Assert.ThrowsAsync<PluginErrorException>(() => plugin.DocAsync(new ProbeRequest("x")).AsTask());
        Assert.Equal("rate_limit_exceeded", error.Code);
        Assert.Equal("slow down", error.ErrorMessage);
        Assert.True(error.Retryable);
        Assert.Equal(42, plugin.Ping(41));
    }

    [Fact]
    public async Task Status_may_come_last_and_extra_fields_are_ignored()
    {
        await using IProbePlugin plugin = await fixture.LoadAsync(ProbeModules.Module(doc: ProbeModules.DocAnswering("""{"extra":{"nested":[1,2]},"value":"late","status":"ok"}""")));
        ProbeResult result = await plugin.DocAsync(new ProbeRequest("x"));
        Assert.Equal("late", result.Value);
    }

    [Fact]
    public async Task Many_threads_share_a_plugin_safely()
    {
        await using IProbePlugin plugin = await fixture.LoadAsync(ProbeModules.Module(), PluginLimits.Default with { MaxInstances = 2 });
        Task[] workers = [.. Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            for (int i = 0; i < 200; i++)
            {
                string text = $"worker {worker} call {i}";
                Assert.Equal(text, plugin.Text(text));
                Assert.Equal(i + 1, plugin.Ping(i));
                Assert.Equal("fine", (await plugin.DocAsync(new ProbeRequest(text))).Value);
            }
        }))];
        await Task.WhenAll(workers);
    }

    [Fact]
    public async Task Callers_queued_on_a_single_instance_are_all_woken()
    {
        // One instance, eight callers: almost every call waits for the slot another call returns.
        await using IProbePlugin plugin = await fixture.LoadAsync(ProbeModules.Module(), PluginLimits.Default with { MaxInstances = 1 });
        Task[] workers = [.. Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            for (int i = 0; i < 300; i++)
            {
                Assert.Equal(i + 1, worker % 2 == 0 ? plugin.Ping(i) : (await plugin.DocAsync(new ProbeRequest("x"))).Value.Length + i - 3);
            }
        }))];
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(60));
    }

    private async Task AssertStillServing(IProbePlugin plugin)
    {
        Assert.Equal(42, plugin.Ping(41));
        await AssertBystanderServing();
    }

    private async Task AssertBystanderServing()
    {
        Assert.Equal("still here", fixture.Bystander.Text("still here"));
        Assert.Equal("fine", (await fixture.Bystander.DocAsync(new ProbeRequest("x"))).Value);
    }
}
