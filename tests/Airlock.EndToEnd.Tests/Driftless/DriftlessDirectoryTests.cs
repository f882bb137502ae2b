using System.Text.Json;
using Airlock.Contracts.Driftless;
using Airlock.Discovery;
using Airlock.Driftless;
using Airlock.Tests;

namespace Airlock.EndToEnd.Tests.Driftless;

/// <summary>A Driftless plugins directory: both real plugins, each convention detected, configs validated, a bad plugin isolated.</summary>
public sealed class DriftlessDirectoryTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("airlock-driftless-").FullName;
    private readonly PluginHost _host = new();
    private PluginDirectory<DriftlessPlugin> _plugins = null!;

    public async Task InitializeAsync()
    {
        File.Copy(Checkout.PathOf("samples", "plugins", "driftless-rust", "confkit.wasm"), Path.Combine(_directory, "confkit.wasm"));
        // logkit as wasm-pack lays it out: a folder per plugin with pkg/<name>_bg.wasm.
        Directory.CreateDirectory(Path.Combine(_directory, "logkit-plugin", "pkg"));
        File.Copy(Checkout.PathOf("samples", "plugins", "driftless-c", "logkit.wasm"), Path.Combine(_directory, "logkit-plugin", "pkg", "logkit_bg.wasm"));
        await File.WriteAllBytesAsync(Path.Combine(_directory, "sneaky.wasm"), Wasmtime.Module.ConvertText("""
            (module
              (import "env" "system" (func (param i32) (result i32)))
              (memory (export "memory") 1)
              (func (export "alloc") (param i32) (result i32) (i32.const 0))
              (func (export "dealloc") (param i32 i32)))
            """));
        var settings = DriftlessSettings.Parse("[security]\nexecution_timeout_secs = 5\n", Path.Combine(_directory, "plugins.toml"));
        _plugins = await DriftlessPlugins.OpenAsync(_host, new DriftlessPluginOptions { DirectoryPath = _directory, Settings = settings });
    }

    public async Task DisposeAsync()
    {
        await _plugins.DisposeAsync();
        await _host.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void Both_conventions_and_both_layouts_load_with_what_they_registered_and_a_forbidden_import_fails_alone()
    {
        using PluginLease<DriftlessPlugin> lease = _plugins.Acquire();
        DriftlessPlugin confkit = lease.Plugins.Single(p => p.Info.Id == "confkit");
        DriftlessPlugin logkit = lease.Plugins.Single(p => p.Info.Id == "logkit");
        Assert.Equal(WasmAbi.WasmBindgen, confkit.Info.Abi);
        Assert.Equal(WasmAbi.PackedPtrLen, logkit.Info.Abi);
        Assert.Equal(["confkit", "logkit"], lease.Plugins.Select(p => p.Info.Id));
        Assert.Contains(confkit.Registered.Tasks, t => t.Name == "line_in_file");
        Assert.Empty(confkit.Registered.LogOutputs);
        Assert.Contains(logkit.Registered.LogFilters, f => f.Name == "level_at_least");
        Assert.Equal(TimeSpan.FromSeconds(5), confkit.Info.Limits.Timeout);
        Assert.Equal(64L * 1024 * 1024, confkit.Info.Limits.MemoryBytes);

        PluginLoadFailure failure = Assert.Single(_plugins.Failures);
        Assert.Equal("sneaky", failure.Name);
        var refused = Assert.IsType<PluginContractException>(failure.Error);
        Assert.Contains("env.system", refused.Message, StringComparison.Ordinal);
        Assert.Contains("env.system*", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_configuration_is_validated_against_the_schema_before_the_plugin_runs()
    {
        using PluginLease<DriftlessPlugin> lease = _plugins.Acquire();
        DriftlessPlugin confkit = lease.Plugins.Single(p => p.Info.Id == "confkit");

        using JsonDocument valid = JsonDocument.Parse("""{"path":"/etc/hosts","content":"127.0.0.1 localhost\n","line":"10.0.0.1 db"}""");
        DriftlessTaskResult result = await confkit.ExecuteTaskAsync("line_in_file", valid.RootElement);
        Assert.True(result.Changed);
        Assert.NotNull(result.Extra);
        Assert.False(result.Extra.ContainsKey("status"), "the envelope's status word is not a result member");

        using JsonDocument invalid = JsonDocument.Parse("""{"content":42,"colour":"blue"}""");
        DriftlessConfigException error = await Assert.ThrowsAsync<DriftlessConfigException>(() => confkit.ExecuteTaskAsync("line_in_file", invalid.RootElement).AsTask());
        Assert.Equal("line_in_file", error.DefinitionName);
        Assert.Contains(error.Violations, v => v.Path == "/content");
        Assert.True(error.Violations.Count >= 2);

        PluginErrorException unknown = await Assert.ThrowsAsync<PluginErrorException>(() => confkit.ExecuteTaskAsync("format_disk", valid.RootElement).AsTask());
        Assert.Equal("unknown_component", unknown.Code);
    }

    [Fact]
    public async Task A_log_line_crosses_both_plugins_source_parser_filter_output()
    {
        using PluginLease<DriftlessPlugin> lease = _plugins.Acquire();
        DriftlessPlugin confkit = lease.Plugins.Single(p => p.Info.Id == "confkit");
        DriftlessPlugin logkit = lease.Plugins.Single(p => p.Info.Id == "logkit");
        using JsonDocument source = JsonDocument.Parse("""{"service":"web","count":4,"levels":["debug","info","warn","error"]}""");
        using JsonDocument empty = JsonDocument.Parse("{}");
        using JsonDocument filter = JsonDocument.Parse("""{"min_level":"warn"}""");
        DriftlessLogSourceResult lines = await logkit.ExecuteLogSourceAsync("heartbeat", source.RootElement);
        Assert.Equal(4, lines.Lines.Count);
        var written = new List<string>();
        foreach (string line in lines.Lines)
        {
            DriftlessLogEntry entry = (await confkit.ExecuteLogParserAsync("logfmt", empty.RootElement, line)).Entry;
            if ((await logkit.ExecuteLogFilterAsync("level_at_least", filter.RootElement, entry)).Keep)
            {
                written.Add((await logkit.ExecuteLogOutputAsync("text", empty.RootElement, entry)).Output);
            }
        }

        Assert.Equal(2, written.Count);
        Assert.Contains("WARN", written[0], StringComparison.Ordinal);
        Assert.Contains("ERROR", written[1], StringComparison.Ordinal);
    }
}
