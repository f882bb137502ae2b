using System.Text.Json;
using Airlock.Contracts.Driftless;
using Airlock.Driftless;
using Airlock.Tests;

namespace Airlock.EndToEnd.Tests.Driftless;

/// <summary>
/// The two real Driftless plugins through the generated bindings: confkit (Rust, #[wasm_bindgen], the
/// wasm-bindgen ABI) and logkit (C, plain ptr+len, the packed ABI).
/// </summary>
public sealed class DriftlessPluginTests : IAsyncLifetime
{
    private readonly PluginHost _host = new();
    private IDriftlessPlugin _confkit = null!;
    private IDriftlessPackedPlugin _logkit = null!;

    public async Task InitializeAsync()
    {
        var options = new PluginLoadOptions().AddImports<IDriftlessHost>(new DriftlessHostServices(debugEnabled: true));
        _confkit = await _host.LoadModuleAsync<IDriftlessPlugin>("confkit", File.ReadAllBytes(Checkout.PathOf("samples", "plugins", "driftless-rust", "confkit.wasm")), options);
        _logkit = await _host.LoadModuleAsync<IDriftlessPackedPlugin>("logkit", File.ReadAllBytes(Checkout.PathOf("samples", "plugins", "driftless-c", "logkit.wasm")), options);
    }

    public async Task DisposeAsync()
    {
        await _confkit.DisposeAsync();
        await _logkit.DisposeAsync();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task The_rust_plugin_registers_its_components_and_omits_what_it_does_not_export()
    {
        List<DriftlessDefinition>? tasks = await _confkit.GetTaskDefinitionsAsync();
        Assert.NotNull(tasks);
        Assert.Contains(tasks, t => t is { Name: "line_in_file", Type: "apply" } && t.ConfigSchema is { ValueKind: JsonValueKind.Object });
        Assert.Contains(await _confkit.GetTemplateExtensionsAsync() ?? [], e => e is { Name: "slugify", Type: "filter" });
        Assert.Contains(await _confkit.GetLogParsersAsync() ?? [], p => p.Name == "logfmt");
        Assert.False(_confkit.HasGetLogOutputs);
        Assert.Null(await _confkit.GetLogOutputsAsync());
    }

    [Fact]
    public async Task The_rust_plugin_runs_a_task_a_filter_and_a_parser_through_the_wasm_bindgen_abi()
    {
        using JsonDocument filterConfig = JsonDocument.Parse("{}");
        using JsonDocument value = JsonDocument.Parse("\"Hello, Wörld! Ünïcode\"");
        using JsonDocument args = JsonDocument.Parse("[]");
        DriftlessValueResult slug = await _confkit.ExecuteTemplateFilterAsync("slugify", filterConfig.RootElement, value.RootElement, args.RootElement);
        Assert.Equal(JsonValueKind.String, slug.Value.ValueKind);
        Assert.StartsWith("hello-w", slug.Value.GetString(), StringComparison.Ordinal);

        DriftlessLogParseResult parsed = await _confkit.ExecuteLogParserAsync("logfmt", filterConfig.RootElement, "ts=2024-03-01T12:00:00Z level=error msg=\"disk full\" host=web-1");
        Assert.Equal("disk full", parsed.Entry.Message);
        Assert.Equal("error", parsed.Entry.Level);
    }

    [Fact]
    public async Task An_error_envelope_without_a_code_is_a_plugin_error()
    {
        using JsonDocument config = JsonDocument.Parse("{}");
        PluginErrorException error = await Assert.ThrowsAsync<PluginErrorException>(() => _confkit.ExecuteTaskAsync("no_such_task", config.RootElement).AsTask());
        Assert.Equal("error", error.Code);
        Assert.Contains("no_such_task", error.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Arguments_belong_to_the_callee_and_results_are_freed_so_memory_stays_flat()
    {
        // The callee frees every string argument and the host frees every result: 300 calls that each
        // pass and get back 64 KiB fit in 8 MiB (19 MiB would leak otherwise), and a double free of an
        // argument would corrupt the guest's heap and trap.
        var options = new PluginLoadOptions { Limits = PluginLimits.Default with { MemoryBytes = 8L * 1024 * 1024 } }
            .AddImports<IDriftlessHost>(new DriftlessHostServices());
        await using IDriftlessPlugin small = await _host.LoadModuleAsync<IDriftlessPlugin>("confkit-small", File.ReadAllBytes(Checkout.PathOf("samples", "plugins", "driftless-rust", "confkit.wasm")), options);
        using JsonDocument config = JsonDocument.Parse("{}");
        string line = "level=info msg=\"" + new string('x', 64 * 1024) + "\"";
        for (int i = 0; i < 300; i++)
        {
            DriftlessLogParseResult parsed = await small.ExecuteLogParserAsync("logfmt", config.RootElement, line);
            Assert.Equal(64 * 1024, parsed.Entry.Message.Length);
        }
    }

    [Fact]
    public async Task The_c_plugin_runs_through_the_packed_abi_with_the_same_contract()
    {
        List<DriftlessDefinition>? tasks = await _logkit.GetTaskDefinitionsAsync();
        Assert.Contains(tasks ?? [], t => t.Name == "logrotate_config");
        Assert.Null(await _logkit.GetTemplateExtensionsAsync());

        using JsonDocument filter = JsonDocument.Parse("""{"min_level":"warn"}""");
        Assert.True((await _logkit.ExecuteLogFilterAsync("level_at_least", filter.RootElement, new DriftlessLogEntry("disk full", Level: "error"))).Keep);
        Assert.False((await _logkit.ExecuteLogFilterAsync("level_at_least", filter.RootElement, new DriftlessLogEntry("tick", Level: "debug"))).Keep);

        using JsonDocument empty = JsonDocument.Parse("{}");
        DriftlessLogOutputResult text = await _logkit.ExecuteLogOutputAsync("text", empty.RootElement, new DriftlessLogEntry("disk full", "2024-03-01T12:00:00Z", "error"));
        Assert.Contains("ERROR disk full", text.Output, StringComparison.Ordinal);
    }
}
