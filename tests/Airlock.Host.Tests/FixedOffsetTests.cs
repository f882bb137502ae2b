namespace Airlock.Host.Tests;

/// <summary>
/// The fixed-offset ABI over WAT modules: inputs at the offset, results from the offset the guest
/// returns, host results framed at the result offset, and the guest's own memory never written.
/// </summary>
public sealed class FixedOffsetTests : IAsyncLifetime
{
    private readonly PluginHost _host = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task An_echo_without_a_result_length_export_returns_the_input()
    {
        await using IHookProbe plugin = await LoadAsync(HookModules.Module("""(func (export "transform") (param $p i32) (param $n i32) (result i32) (local.get $p))""", resultLength: false));
        Assert.Equal("héllo wörld", plugin.Transform("héllo wörld"));
    }

    [Fact]
    public async Task The_result_length_export_gives_the_length_of_the_result_just_produced()
    {
        await using IHookProbe plugin = await LoadAsync(HookModules.Module());
        Assert.Equal("fine", (await plugin.DocAsync(new HookDoc("a much longer input than the result")))!.Value);
        Assert.Equal("abc", plugin.Transform("abc"));
    }

    [Fact]
    public async Task A_result_offset_of_zero_means_no_change()
    {
        string transform = """(func (export "transform") (param i32 i32) (result i32) (i32.const 0))""";
        await using IHookProbe plugin = await LoadAsync(HookModules.Module(transform));
        Assert.Null(plugin.Transform("anything"));
    }

    [Fact]
    public async Task A_result_length_of_zero_means_no_change()
    {
        await using IHookProbe plugin = await LoadAsync(HookModules.Module(doc: HookModules.DocAnswering(string.Empty)));
        Assert.Null(await plugin.DocAsync(new HookDoc("x")));
    }

    [Fact]
    public async Task Memory_grows_when_the_input_reaches_past_it()
    {
        await using IHookProbe plugin = await LoadAsync(HookModules.Module(doc: HookModules.NoDoc, memory: """(memory (export "memory") 1)"""));
        string big = new('a', 100_000);
        Assert.Equal(big, plugin.Transform(big));
    }

    [Fact]
    public async Task An_input_past_the_module_maximum_memory_is_refused_before_anything_is_written()
    {
        await using IHookProbe plugin = await LoadAsync(HookModules.Module(doc: HookModules.NoDoc, memory: """(memory (export "memory") 2 2)"""));
        Assert.Equal("small", plugin.Transform("small"));
        var error = Assert.Throws<PluginInputTooLargeException>(() => plugin.Transform(new string('a', 70_000)));
        Assert.Equal(65536, error.Capacity);
        Assert.Contains("maximum memory", error.Limit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_input_that_would_reach_the_guest_data_is_refused()
    {
        string data = """(data (i32.const 70000) "guest data")""";
        await using IHookProbe plugin = await LoadAsync(HookModules.Module(extra: data));
        Assert.Equal(new string('a', 4464), plugin.Transform(new string('a', 4464)));
        var error = Assert.Throws<PluginInputTooLargeException>(() => plugin.Transform(new string('a', 4465)));
        Assert.Equal(4464, error.Capacity);
        Assert.Contains("data segment", error.Message, StringComparison.Ordinal);
        Assert.Contains("input of transform", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""(data (i32.const 65000) "spans the input offset, which is 536 bytes further on................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................")""", "data segment 0")]
    [InlineData("""(global $sp (mut i32) (i32.const 1048576))""", "stack [0x0, 0x100000)")]
    [InlineData("""(global (export "__heap_base") i32 (i32.const 2048)) (func (drop (memory.grow (i32.const 1))))""", "heap (from __heap_base)")]
    [InlineData("""(global $sp (mut i32) (i32.const 2048)) (global $next (mut i32) (i32.const 4096)) (global (export "__heap_base") i32 (i32.const 4096))""", "heap (from __heap_base)")]
    [InlineData("""(data (i32.const 1024) "x") (global (export "__heap_base") i32 (i32.const 131072))""", "static data (to __heap_base) [0x401, 0x20000)")]
    [InlineData("""(data (i32.const 1024) "x") (func (drop (memory.grow (i32.const 1))))""", "heap (after data and stack)")]
    [InlineData("""(global $sp (mut i32) (i32.const 70016)) (data (i32.const 1024) "data") (global (export "__data_end") i32 (i32.const 1028)) (global (export "__heap_base") i32 (i32.const 70016))""", "stack [0x404, 0x11180)")]
    public async Task A_module_whose_data_stack_or_heap_covers_the_input_offset_is_refused_at_load(string layout, string owner)
    {
        var error = await Assert.ThrowsAsync<PluginContractException>(() => LoadAsync(HookModules.Module(doc: HookModules.NoDoc, extra: layout)));
        Assert.Contains("input offset 0x10000 (65536) lies inside the guest's " + owner, error.Message, StringComparison.Ordinal);
        Assert.Contains("--global-base", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""(global (export "__heap_base") i32 (i32.const 2048))""")]
    [InlineData("""(global $sp (mut i32) (i32.const 16384)) (data (i32.const 1024) "data") (global (export "__data_end") i32 (i32.const 1028)) (global (export "__heap_base") i32 (i32.const 16384)) (func (drop (memory.size)))""")]
    public async Task A_module_with_no_heap_is_accepted_when_its_data_and_stack_end_below_the_input_offset(string layout)
    {
        // Nothing grows memory or takes __heap_base, so nothing above __heap_base belongs to the guest.
        await using IHookProbe plugin = await LoadAsync(HookModules.Module(doc: HookModules.NoDoc, extra: layout));
        Assert.Equal("ok", plugin.Transform("ok"));
        Assert.Null(plugin.Info.MemoryLayout.RegionAt(65536));
    }

    [Fact]
    public async Task The_wasm_ld_layout_with_room_below_the_data_is_accepted()
    {
        string layout = """(global $sp (mut i32) (i32.const 1179664)) (data (i32.const 1114112) "data") (global (export "__data_end") i32 (i32.const 1114116)) (global (export "__heap_base") i32 (i32.const 1179664))""";
        await using IHookProbe plugin = await LoadAsync(HookModules.Module(doc: HookModules.NoDoc, memory: """(memory (export "memory") 19)""", extra: layout));
        Assert.Equal("ok", plugin.Transform("ok"));
        var error = Assert.Throws<PluginInputTooLargeException>(() => plugin.Transform(new string('a', 1048577)));
        Assert.Equal(1048576, error.Capacity);
    }

    [Theory]
    [InlineData("""(func (export "transform") (param i32 i32) (result i32) (i32.const -16))""", 0xFFFFFFF0u)]
    [InlineData("""(func (export "transform") (param i32 i32) (result i32) (i32.const 262140))""", 262140u)]
    public async Task A_result_outside_memory_is_a_memory_access_error(string transform, uint pointer)
    {
        await using IHookProbe plugin = await LoadAsync(HookModules.Module(transform, resultLength: false));
        var error = Assert.Throws<GuestMemoryAccessException>(() => plugin.Transform("hello"));
        Assert.Equal(pointer, error.Pointer);
        Assert.Contains("result of transform", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, plugin.Last());
    }

    [Fact]
    public async Task A_result_length_of_four_gigabytes_does_not_wrap()
    {
        string doc = """
            (func (export "doc") (param i32 i32) (result i32) (global.set $rlen (i32.const -1)) (i32.const 16))
            """;
        await using IHookProbe plugin = await LoadAsync(HookModules.Module(doc: doc));
        var error = await Assert.ThrowsAsync<GuestMemoryAccessException>(() => plugin.DocAsync(new HookDoc("x")).AsTask());
        Assert.Equal(0xFFFFFFFFu, error.Length);
    }

    [Theory]
    [InlineData("""{"error":{"code":"locked","message":"item 7 is locked","retryable":true}}""", "locked", "item 7 is locked", true)]
    [InlineData("""{"value":"ignored","error":"plain message"}""", "plugin_error", "plain message", false)]
    public async Task An_error_member_is_a_plugin_error(string json, string code, string message, bool retryable)
    {
        await using IHookProbe plugin = await LoadAsync(HookModules.Module(doc: HookModules.DocAnswering(json)));
        var error = await Assert.ThrowsAsync<PluginErrorException>(() => plugin.DocAsync(new HookDoc("x")).AsTask());
        Assert.Equal(code, error.Code);
        Assert.Equal(message, error.ErrorMessage);
        Assert.Equal(retryable, error.Retryable);
        Assert.Equal("doc", error.Export);
    }

    [Theory]
    [InlineData("""{"error":null,"value":"kept"}""", "kept")]
    [InlineData("""{"value":"padded"}          """, "padded")]
    public async Task A_null_error_or_trailing_padding_is_a_result(string json, string value)
        => Assert.Equal(value, (await (await LoadAsync(HookModules.Module(doc: HookModules.DocAnswering(json)))).DocAsync(new HookDoc("x")))!.Value);

    [Theory]
    [InlineData("""{"error":42}""", "\"error\" is a number")]
    [InlineData("""{"value":""", "")]
    [InlineData("""{"value":"x"} {""", "")]
    public async Task A_malformed_result_is_reported(string json, string problem)
    {
        await using IHookProbe plugin = await LoadAsync(HookModules.Module(doc: HookModules.DocAnswering(json)));
        var error = await Assert.ThrowsAsync<MalformedResponseException>(() => plugin.DocAsync(new HookDoc("x")).AsTask());
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.Contains("result of doc", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_trapping_hook_is_a_trap_and_the_next_call_gets_a_fresh_instance()
    {
        string transform = """
            (global $calls (mut i32) (i32.const 0))
            (func (export "transform") (param $p i32) (param $n i32) (result i32)
              (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
              (if (i32.eq (i32.load8_u (local.get $p)) (i32.const 33)) (then unreachable))
              (global.set $rlen (local.get $n))
              (local.get $p))
            """;
        await using IHookProbe plugin = await LoadAsync(HookModules.Module(transform));
        var trap = Assert.Throws<PluginTrapException>(() => plugin.Transform("!boom"));
        Assert.Equal("transform", trap.Export);
        Assert.Equal("fine", plugin.Transform("fine"));
    }

    [Fact]
    public async Task Optional_exports_say_whether_they_exist_and_act_as_declared()
    {
        string maybe = """(func (export "maybe") (param $p i32) (param $n i32) (result i32) (global.set $rlen (local.get $n)) (local.get $p))""";
        await using IHookProbe without = await LoadAsync(HookModules.Module());
        Assert.False(without.HasMaybe);
        Assert.False(without.HasMust);
        Assert.Null(without.Maybe("x"));
        var missing = await Assert.ThrowsAsync<PluginExportMissingException>(() => without.MustAsync("x"));
        Assert.Equal("must", missing.Export);

        await using IHookProbe with = await LoadAsync(HookModules.Module(extra: maybe + maybe.Replace("maybe", "must", StringComparison.Ordinal)), id: "with");
        Assert.True(with.HasMaybe);
        Assert.Equal("x", with.Maybe("x"));
        Assert.Equal("y", await with.MustAsync("y"));
    }

    [Fact]
    public async Task An_optional_export_with_the_wrong_signature_is_refused_at_load()
    {
        string maybe = """(func (export "maybe") (param i32) (result i32) (local.get 0))""";
        var error = await Assert.ThrowsAsync<PluginContractException>(() => LoadAsync(HookModules.Module(extra: maybe)));
        Assert.Contains("export 'maybe' has type (i32) -> i32", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_result_length_export_with_the_wrong_signature_is_refused_at_load()
    {
        string doc = """
            (func (export "doc") (param i32 i32) (result i32) (i32.const 0))
            (func (export "__hook_result_len") (result i32) (i32.const 0))
            """;
        var error = await Assert.ThrowsAsync<PluginContractException>(() => LoadAsync(HookModules.Module(doc: doc, resultLength: false)));
        Assert.Contains("'__hook_result_len' has type () -> i32; the fixed-offset ABI needs (i32) -> i32", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_results_are_framed_at_the_result_offset()
    {
        await using IHookProbe plugin = await LoadFetchingAsync();
        Assert.Equal("value-of-abc", plugin.Transform("abc"));
        Assert.Equal(4096, plugin.Last());
    }

    [Theory]
    [InlineData("none", 0)]
    [InlineData("huge", (int)HostCallStatus.TooLarge)]
    [InlineData("declined", (int)HostCallStatus.PermissionDenied)]
    public async Task Host_functions_answer_nothing_or_a_status_code_without_writing(string key, int status)
    {
        await using IHookProbe plugin = await LoadFetchingAsync();
        Assert.Null(plugin.Transform(key));
        Assert.Equal(status, plugin.Last());
        Assert.Equal("value-of-next", plugin.Transform("next"));
    }

    [Theory]
    [InlineData(61435, 4096)]
    [InlineData(61436, (int)HostCallStatus.TooLarge)]
    public async Task A_host_result_never_reaches_into_the_input_region(int length, int status)
    {
        // The frame at 4096 is a 4-byte length, the result and a 0 byte; the input starts at 65536.
        await using IHookProbe plugin = await LoadFetchingAsync();
        string? result = plugin.Transform("len:" + length);
        Assert.Equal(status, plugin.Last());
        Assert.Equal(status > 0 ? length : null, result?.Length);
    }

    [Fact]
    public async Task Invalid_utf8_to_a_host_function_is_an_invalid_argument()
    {
        await using IHookProbe plugin = await LoadFetchingAsync();
        string transform = """
            (data (i32.const 200000) "\ff\fe")
            (func (export "transform") (param i32 i32) (result i32)
              (global.set $last (call $fetch (i32.const 200000) (i32.const 2))) (i32.const 0))
            (global $last (mut i32) (i32.const 0))
            (func (export "last") (result i32) (global.get $last))
            """;
        await using IHookProbe bad = await LoadAsync(HookModules.Module(transform, imports: HookModules.FetchImport, withLast: false), withHost: true, id: "bad");
        Assert.Null(bad.Transform("x"));
        Assert.Equal((int)HostCallStatus.InvalidArgument, bad.Last());
    }

    [Fact]
    public async Task A_host_result_window_on_guest_data_is_refused_at_load()
    {
        string data = """(data (i32.const 4000) "guest data that the host result would overwrite....................................................................................................")""";
        var error = await Assert.ThrowsAsync<PluginContractException>(() => LoadAsync(HookModules.Module(HookModules.FetchingTransform, imports: HookModules.FetchImport, extra: data, withLast: false), withHost: true));
        Assert.Contains("result offset of host module 'probe' 0x1000 (4096) lies inside the guest's data segment", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_module_importing_only_scalar_host_functions_may_keep_data_at_the_result_offset()
    {
        // probe.twice answers with its return value: nothing is ever written at 4096.
        string import = """(import "probe" "twice" (func $twice (param i32) (result i32)))""";
        string last = """(func (export "last") (result i32) (call $twice (i32.const 21)))""";
        string data = """(data (i32.const 4000) "guest data that no host result overwrites.........................................................................................")""";
        await using IHookProbe plugin = await LoadAsync(HookModules.Module(doc: HookModules.NoDoc, imports: import, extra: last + data, withLast: false), withHost: true);
        Assert.Equal(42, plugin.Last());
        Assert.Equal("ok", plugin.Transform("ok"));
    }

    private Task<IHookProbe> LoadFetchingAsync()
        => LoadAsync(HookModules.Module(HookModules.FetchingTransform, imports: HookModules.FetchImport, withLast: false), withHost: true);

    private Task<IHookProbe> LoadAsync(string wat, bool withHost = false, string id = "hooks")
    {
        var options = new PluginLoadOptions { HostResults = HostResultEncoding.StatusCodes };
        if (withHost)
        {
            options.AddImports<IHookProbeHost>(new HookProbeHost());
        }

        return _host.LoadModuleAsync<IHookProbe>(id, ProbeModules.Compile(wat), options);
    }
}
