using Airlock.Contracts.SocialScale;
using Microsoft.Extensions.Logging;

namespace Airlock.Host.Tests;

/// <summary>What the host refuses at load time, before the first call, and how it says so.</summary>
public sealed class LoadTests : IAsyncLifetime
{
    private readonly PluginHost _host = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_missing_export_is_named()
    {
        string wat = ProbeModules.Module(text: "").Replace("(func (export \"text\")", "(func", StringComparison.Ordinal);
        var error = await Assert.ThrowsAsync<PluginContractException>(() => _host.LoadModuleAsync<IProbePlugin>("p", ProbeModules.Compile(wat)));
        Assert.Contains("the module has no export 'text' of type (i32, i32) -> i64", error.Message, StringComparison.Ordinal);
        Assert.Equal("p", error.PluginId);
    }

    [Fact]
    public async Task An_export_with_the_wrong_signature_is_named()
    {
        string wat = ProbeModules.Module(ping: """(func (export "ping") (param i64) (result i64) (local.get 0))""");
        var error = await Assert.ThrowsAsync<PluginContractException>(() => _host.LoadModuleAsync<IProbePlugin>("p", ProbeModules.Compile(wat)));
        Assert.Contains("export 'ping' has type (i64) -> i64", error.Message, StringComparison.Ordinal);
        Assert.Contains("needs (i32) -> i32", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_allocator_and_memory_are_named()
    {
        string wat = """(module (func (export "ping") (param i32) (result i32) (local.get 0)) (func (export "text") (param i32 i32) (result i64) (i64.const 0)) (func (export "doc") (param i32 i32) (result i64) (i64.const 0)))""";
        var error = await Assert.ThrowsAsync<PluginContractException>(() => _host.LoadModuleAsync<IProbePlugin>("p", ProbeModules.Compile(wat)));
        Assert.Contains("'memory'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'alloc'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'dealloc'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_import_nobody_provides_is_named()
    {
        string wat = ProbeModules.Module(imports: """(import "env" "host_teleport" (func (param i32)))""");
        var error = await Assert.ThrowsAsync<PluginContractException>(() => _host.LoadModuleAsync<IProbePlugin>("p", ProbeModules.Compile(wat)));
        Assert.Contains("'env.host_teleport' (i32) -> ()", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bytes_that_are_not_wasm_are_refused()
    {
        var error = await Assert.ThrowsAsync<PluginLoadException>(() => _host.LoadModuleAsync<IProbePlugin>("p", "not wasm at all"u8.ToArray()));
        Assert.Contains("not a valid WebAssembly module", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2, "reports abi_version 2 in plugin_init")]
    [InlineData(0, "reports abi_version 0 in plugin_init")]
    public async Task A_socialscale_plugin_with_another_abi_version_is_refused(int abiVersion, string expected)
    {
        var error = await Assert.ThrowsAsync<PluginAbiVersionException>(() => _host.LoadModuleAsync<ISocialScalePlugin>("com.example.old", ProbeModules.Compile(SocialScaleModule(abiVersion, "com.example.old"))));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Equal(1, error.Expected);
        Assert.Equal(abiVersion, error.Actual);
    }

    [Fact]
    public async Task A_socialscale_plugin_whose_id_disagrees_with_its_manifest_is_refused()
    {
        var error = await Assert.ThrowsAsync<PluginLoadException>(() => _host.LoadModuleAsync<ISocialScalePlugin>("com.example.expected", ProbeModules.Compile(SocialScaleModule(1, "com.example.other"))));
        Assert.Contains("reports id 'com.example.other'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_socialscale_plugin_with_abi_version_one_loads_and_serves()
    {
        await using ISocialScalePlugin plugin = await _host.LoadModuleAsync<ISocialScalePlugin>("com.example.ok", ProbeModules.Compile(SocialScaleModule(1, "com.example.ok")));
        var error = await Assert.ThrowsAsync<PluginErrorException>(() => plugin.PublishAsync("hi").AsTask());
        Assert.Equal("unsupported_request", error.Code);
    }

    [Fact]
    public async Task A_wasi_module_gets_wasi_with_output_captured()
    {
        // Writes "hello\n" to stdout through WASI fd_write during the call; the host must define WASI for it.
        string wat = ProbeModules.Module(
            imports: """(import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))""",
            extra: """
                (data (i32.const 2048) "hello\n")
                (func (export "_initialize")
                  (i32.store (i32.const 2064) (i32.const 2048))
                  (i32.store (i32.const 2068) (i32.const 6))
                  (drop (call $fd_write (i32.const 1) (i32.const 2064) (i32.const 1) (i32.const 2072))))
                """);
        var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        await using var host = new PluginHost(loggerFactory: factory);
        await using IProbePlugin plugin = await host.LoadModuleAsync<IProbePlugin>("wasi", ProbeModules.Compile(wat));
        Assert.Equal(2, plugin.Ping(1));
        Assert.Contains(logs.Messages, m => m.Contains("stdout: hello", StringComparison.Ordinal));
    }

    /// <summary>A minimal SocialScale plugin: fixed metadata, and an error answer to every request.</summary>
    private static string SocialScaleModule(int abiVersion, string id)
    {
        string metadata = $$"""{"name":"Old","version":"1.0.0","id":"{{id}}","abi_version":{{abiVersion}}}""";
        string capabilities = """{"can_publish_text":true,"can_publish_image":false,"can_publish_video":false,"can_read_analytics":false,"can_manage_ads":false,"platforms":[],"required_network_domains":[],"needs_kv_store":false}""";
        string error = """{"status":"error","code":"unsupported_request","message":"nothing is supported","retryable":false}""";
        return $$"""
            (module
              (memory (export "memory") 1)
              {{ProbeModules.BumpAlloc}}
              {{ProbeModules.NoopDealloc}}
              (data (i32.const 256) "{{Escape(metadata)}}")
              (data (i32.const 1024) "{{Escape(capabilities)}}")
              (data (i32.const 2048) "{{Escape(error)}}")
              (func (export "plugin_init") (result i64) (i64.or (i64.shl (i64.const 256) (i64.const 32)) (i64.const {{metadata.Length}})))
              (func (export "plugin_capabilities") (result i64) (i64.or (i64.shl (i64.const 1024) (i64.const 32)) (i64.const {{capabilities.Length}})))
              (func (export "plugin_handle_request") (param i32 i32) (result i64) (i64.or (i64.shl (i64.const 2048) (i64.const 32)) (i64.const {{error.Length}})))
            )
            """;
    }

    private static string Escape(string text) => text.Replace("\"", "\\\"", StringComparison.Ordinal);
}
