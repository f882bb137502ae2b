using System.Text.Json;
using Airlock.Contracts.Samuel;

namespace Airlock.Host.Tests;

/// <summary>
/// The dynamic path: exports named at run time, called by name with JSON in and out, checked at load and at every call
/// like generated bindings (real modules from WAT, allocator named malloc/free as Samuel plugins export it).
/// </summary>
public sealed class DynamicPluginTests : IAsyncLifetime
{
    private static readonly DynamicContract Contract = new("dynamic-probe", ["lint", "health"]) { AllocExport = "malloc", FreeExport = "free" };

    private readonly PluginHost _host = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    // malloc: a bump allocator; free(ptr): counts frees at address 16; lint: echoes its input; health: answers a data segment.
    private static string Module(string? lint = null, string? health = null, string extra = "", string free = """(func (export "free") (param i32) (i32.store (i32.const 16) (i32.add (i32.load (i32.const 16)) (i32.const 1))))""")
        => $$"""
            (module
              (memory (export "memory") 1)
              {{ProbeModules.BumpAlloc.Replace("\"alloc\"", "\"malloc\"", StringComparison.Ordinal)}}
              {{free}}
              {{lint ?? ProbeModules.GoodText.Replace("\"text\"", "\"lint\"", StringComparison.Ordinal)}}
              {{health ?? Answering("health", """{"ok":true}""")}}
              {{extra}}
            )
            """;

    private static string Answering(string export, string json)
    {
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(json);
        string escaped = string.Concat(bytes.Select(b => $"\\{b:x2}"));
        return $$"""
            (data (i32.const 1024) "{{escaped}}")
            (func (export "{{export}}") (param i32 i32) (result i64) (i64.or (i64.shl (i64.const 1024) (i64.const 32)) (i64.const {{bytes.Length}})))
            """;
    }

    private Task<DynamicPlugin> LoadAsync(string wat, DynamicContract? contract = null, PluginLoadOptions? options = null)
        => _host.LoadDynamicAsync(contract ?? Contract, "dynamic-probe", ProbeModules.Compile(wat), options);

    [Fact]
    public async Task An_export_is_called_by_name_with_json_in_and_out()
    {
        await using DynamicPlugin plugin = await LoadAsync(Module());
        using var input = JsonDocument.Parse("""{"root":"/workspace","list":[1,2,3],"text":"é ✓"}""");

        JsonElement echoed = await plugin.InvokeAsync("lint", input.RootElement);
        JsonElement health = await plugin.InvokeAsync("health", input.RootElement);

        Assert.Equal(input.RootElement.GetRawText(), echoed.GetRawText());
        Assert.True(health.GetProperty("ok").GetBoolean());
        Assert.Equal(["lint", "health"], plugin.Exports);
        Assert.Equal("dynamic-probe", plugin.Info.Id);
    }

    [Fact]
    public async Task Input_that_utf8_cannot_hold_is_the_callers_argument_error_and_the_plugin_still_serves()
    {
        await using DynamicPlugin plugin = await LoadAsync(Module());
        using var input = JsonDocument.Parse("""{"text":"\ud800"}""");

        var error = await Assert.ThrowsAsync<ArgumentException>(() => plugin.InvokeAsync("lint", input.RootElement).AsTask());

        Assert.Contains("'lint' of plugin 'dynamic-probe' cannot be written as JSON", error.Message, StringComparison.Ordinal);
        using var good = JsonDocument.Parse("""{"text":"ok"}""");
        Assert.Equal(good.RootElement.GetRawText(), (await plugin.InvokeAsync("lint", good.RootElement)).GetRawText());
    }

    [Fact]
    public async Task A_typed_call_reads_the_typed_result()
    {
        await using DynamicPlugin plugin = await LoadAsync(Module());
        var request = new SamuelLintRequest("/workspace") { RulesUrl = "http://rules.example/x", Fix = true };

        SamuelLintRequest echoed = await plugin.InvokeAsync("lint", request, SamuelJsonContext.Default.SamuelLintRequest, SamuelJsonContext.Default.SamuelLintRequest);

        Assert.Equal(request, echoed);
    }

    [Fact]
    public async Task The_input_and_the_result_are_freed_with_a_one_argument_free()
    {
        // free(ptr) counts at address 16; lint reports the count so far as its result.
        string lint = """
            (data (i32.const 2048) "00")
            (func (export "lint") (param $p i32) (param $n i32) (result i64)
              (local $r i32)
              (local.set $r (call $malloc_probe (i32.const 1)))
              (i32.store8 (local.get $r) (i32.add (i32.const 48) (i32.load (i32.const 16))))
              (i64.or (i64.shl (i64.extend_i32_u (local.get $r)) (i64.const 32)) (i64.const 1)))
            """;
        string extra = """(func $malloc_probe (param i32) (result i32) (call 0 (local.get 0)))""";
        await using DynamicPlugin plugin = await LoadAsync(Module(lint: lint, extra: extra));
        using var input = JsonDocument.Parse("1");

        JsonElement first = await plugin.InvokeAsync("lint", input.RootElement);
        JsonElement second = await plugin.InvokeAsync("lint", input.RootElement);

        // Before the first answer nothing was freed; by the second, the first call's input and result were.
        Assert.Equal(0, first.GetInt32());
        Assert.Equal(2, second.GetInt32());
    }

    [Fact]
    public async Task An_export_the_contract_does_not_declare_is_refused_without_running()
    {
        await using DynamicPlugin plugin = await LoadAsync(Module());
        using var input = JsonDocument.Parse("{}");

        var error = await Assert.ThrowsAsync<PluginExportMissingException>(async () => await plugin.InvokeAsync("doctor", input.RootElement));

        Assert.Contains("'lint', 'health'", error.Message, StringComparison.Ordinal);
        Assert.Equal("doctor", error.Export);
    }

    [Fact]
    public async Task An_export_with_the_wrong_signature_is_refused_at_load()
    {
        string lint = """(func (export "lint") (param i32) (result i32) (local.get 0))""";

        var error = await Assert.ThrowsAsync<PluginContractException>(() => LoadAsync(Module(lint: lint)));

        Assert.Contains("'lint' has type (i32) -> i32", error.Message, StringComparison.Ordinal);
        Assert.Contains("(i32, i32) -> i64", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, _host.CompiledModuleCount);
    }

    [Fact]
    public async Task A_declared_export_the_module_lacks_is_refused_at_load()
    {
        var error = await Assert.ThrowsAsync<PluginContractException>(() => LoadAsync(Module(health: string.Empty)));

        Assert.Contains("no export 'health'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_named_allocator_is_required()
    {
        string wat = Module().Replace("\"malloc\"", "\"alloc\"", StringComparison.Ordinal);

        var error = await Assert.ThrowsAsync<PluginContractException>(() => LoadAsync(wat));

        Assert.Contains("no export 'malloc' of type (i32) -> i32", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_free_of_another_shape_is_refused_at_load()
    {
        var error = await Assert.ThrowsAsync<PluginContractException>(() => LoadAsync(Module(free: """(func (export "free") (param i32) (result i32) (i32.const 0))""")));

        Assert.Contains("'free' has type (i32) -> i32", error.Message, StringComparison.Ordinal);
        Assert.Contains("(i32, i32) -> () or (i32) -> ()", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_result_outside_memory_is_a_typed_error_and_the_plugin_serves_on()
    {
        string lint = """(func (export "lint") (param i32 i32) (result i64) (i64.const 0x0000fff000001000))""";
        await using DynamicPlugin plugin = await LoadAsync(Module(lint: lint));
        using var input = JsonDocument.Parse("{}");

        var error = await Assert.ThrowsAsync<GuestMemoryAccessException>(async () => await plugin.InvokeAsync("lint", input.RootElement));
        JsonElement health = await plugin.InvokeAsync("health", input.RootElement);

        Assert.Contains("result of lint", error.Message, StringComparison.Ordinal);
        Assert.True(health.GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task A_trap_is_a_typed_error_and_the_next_call_gets_a_fresh_instance()
    {
        string lint = """(func (export "lint") (param i32 i32) (result i64) unreachable)""";
        await using DynamicPlugin plugin = await LoadAsync(Module(lint: lint));
        using var input = JsonDocument.Parse("{}");

        var error = await Assert.ThrowsAsync<PluginTrapException>(async () => await plugin.InvokeAsync("lint", input.RootElement));
        JsonElement health = await plugin.InvokeAsync("health", input.RootElement);

        Assert.Equal("lint", error.Export);
        Assert.True(health.GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task An_error_member_is_the_plugins_error()
    {
        await using DynamicPlugin plugin = await LoadAsync(Module(health: Answering("health", """{"error":{"code":"bad_input","message":"root is missing"}}""")));
        using var input = JsonDocument.Parse("{}");

        var error = await Assert.ThrowsAsync<PluginErrorException>(async () => await plugin.InvokeAsync("health", input.RootElement));

        Assert.Equal("bad_input", error.Code);
        Assert.Contains("root is missing", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"findings\":")]
    [InlineData("{\"a\":1}}")]
    [InlineData("[1,2")]
    public async Task A_malformed_result_is_a_typed_error(string json)
    {
        await using DynamicPlugin plugin = await LoadAsync(Module(health: Answering("health", json)));
        using var input = JsonDocument.Parse("{}");

        await Assert.ThrowsAsync<MalformedResponseException>(async () => await plugin.InvokeAsync("health", input.RootElement));
    }

    [Fact]
    public async Task An_empty_result_is_null_and_a_typed_result_requires_a_value()
    {
        string health = """(func (export "health") (param i32 i32) (result i64) (i64.const 0))""";
        await using DynamicPlugin plugin = await LoadAsync(Module(health: health));
        using var input = JsonDocument.Parse("{}");

        JsonElement result = await plugin.InvokeAsync("health", input.RootElement);
        var typed = await Assert.ThrowsAsync<MalformedResponseException>(async () => await plugin.InvokeAsync("health", new SamuelLintRequest("/"), SamuelJsonContext.Default.SamuelLintRequest, SamuelJsonContext.Default.SamuelLintReport));

        Assert.Equal(JsonValueKind.Null, result.ValueKind);
        Assert.Contains("null where a value is required", typed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_command_module_is_refused_when_the_contract_needs_a_reactor()
    {
        string start = """(func (export "_start"))""";
        DynamicContract reactor = Contract with { RequiresReactor = true };

        var error = await Assert.ThrowsAsync<PluginContractException>(() => LoadAsync(Module(extra: start), reactor));
        await using DynamicPlugin withInitialize = await LoadAsync(Module(extra: start + """(func (export "_initialize"))"""), reactor);
        await using DynamicPlugin notRequired = await LoadAsync(Module(extra: start));

        Assert.Contains("is a WASI command", error.Message, StringComparison.Ordinal);
        Assert.Contains("-buildmode=c-shared", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_module_with_other_bytes_than_recorded_is_refused_before_compiling()
    {
        var options = new PluginLoadOptions { ExpectedModuleSha256 = new string('0', 64) };

        var error = await Assert.ThrowsAsync<PluginLoadException>(() => LoadAsync(Module(), options: options));

        Assert.Contains("changed since it was installed or approved", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, _host.CompiledModuleCount);
    }

    [Theory]
    [InlineData("memory")]
    [InlineData("malloc")]
    [InlineData("_initialize")]
    public async Task An_export_the_abi_uses_cannot_be_declared(string name)
    {
        var contract = new DynamicContract("dynamic-probe", [name]) { AllocExport = "malloc", FreeExport = "free" };

        await Assert.ThrowsAsync<ArgumentException>(() => LoadAsync(Module(), contract));
    }
}
