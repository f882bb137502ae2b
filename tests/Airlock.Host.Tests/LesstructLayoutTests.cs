using Airlock.Contracts.Lesstruct;
using Airlock.Discovery;
using Airlock.Lesstruct;

namespace Airlock.Host.Tests;

/// <summary>
/// Lesstruct plugins against the fixed windows at 65536 (hook input) and 4096 (host results): a module
/// is refused when its data, stack or heap really lies there, and only then.
/// </summary>
public sealed class LesstructLayoutTests : IAsyncLifetime
{
    private const string Answer = """{"customFields":{"layout":"ok"}}""";

    // wasm-ld's layout with an 8 KiB stack (-z stack-size=8192): data from 1024, the stack above it up
    // to __heap_base at 0x2460. Everything the guest owns ends far below 65536.
    private const string SmallStack = """
        (global $sp (mut i32) (i32.const 9312))
        (global (export "__data_end") i32 (i32.const 1120))
        (global (export "__heap_base") i32 (i32.const 9312))
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("airlock-layout-").FullName;
    private readonly PluginHost _host = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task A_module_without_an_allocator_whose_heap_base_is_below_the_input_loads_and_its_hook_runs()
    {
        await using ILesstructPlugin plugin = await LoadAsync(Plugin(SmallStack));
        ContentHookResult? result = await plugin.BeforeSaveAsync(new ContentItem { Title = "t" });
        Assert.Equal("ok", result!.CustomFields!["layout"].GetString());
    }

    [Fact]
    public async Task The_same_layout_with_an_allocator_is_refused_because_its_heap_covers_the_input()
    {
        // memory.grow: the guest may hand out any address from __heap_base up.
        string sbrk = """(func (export "sbrk") (param i32) (result i32) (memory.grow (local.get 0)))""";
        var error = await Assert.ThrowsAsync<PluginContractException>(() => LoadAsync(Plugin(SmallStack + sbrk)));
        Assert.Equal(
            "the input offset 0x10000 (65536) lies inside the guest's heap (from __heap_base) [0x2460, 0x100000000), so writing there would corrupt the plugin; "
            + "link the module to leave that address free (for C: -Wl,--global-base=1114112, see docs/abi/fixed-offset.md).",
            Assert.Single(error.Problems));
    }

    [Fact]
    public async Task The_seed_default_build_is_refused_naming_its_stack_and_the_linker_flag()
    {
        // clang --target=wasm32-wasi with wasm-ld's defaults: data from 1024, then a 64 KiB stack over 65536.
        string layout = """
            (global $sp (mut i32) (i32.const 66656))
            (global (export "__data_end") i32 (i32.const 1120))
            (global (export "__heap_base") i32 (i32.const 66656))
            """;
        var error = await Assert.ThrowsAsync<PluginContractException>(() => LoadAsync(Plugin(layout)));
        Assert.Equal(
            "the input offset 0x10000 (65536) lies inside the guest's stack [0x460, 0x10460), so writing there would corrupt the plugin; "
            + "link the module to leave that address free (for C: -Wl,--global-base=1114112, see docs/abi/fixed-offset.md).",
            Assert.Single(error.Problems));
    }

    [Fact]
    public async Task A_module_importing_only_log_functions_may_keep_data_at_4096()
    {
        // log_info and log_error answer nothing, so nothing is ever written at 4096.
        string logging = $"""(func (export "hook_after_create") (param i32 i32) (result i32) (call $log (i32.const 1024) (i32.const {Answer.Length})) (i32.const 1024))""";
        byte[] module = Plugin(DataAt4096 + logging, """(import "lesstruct" "log_info" (func $log (param i32 i32)))""");
        await using ILesstructPlugin plugin = await LoadAsync(module, manifest: true);
        ContentHookResult? result = await plugin.AfterCreateAsync(new ContentItem { Title = "t" });
        Assert.Equal("ok", result!.CustomFields!["layout"].GetString());
    }

    [Fact]
    public async Task A_module_importing_a_function_that_answers_at_4096_may_not_keep_data_there()
    {
        string imports = """
            (import "lesstruct" "log_info" (func $log (param i32 i32)))
            (import "lesstruct" "http_get" (func $get (param i32 i32 i32 i32) (result i32)))
            """;
        var error = await Assert.ThrowsAsync<PluginContractException>(() => LoadAsync(Plugin(DataAt4096, imports), manifest: true));
        Assert.Equal(
            "the result offset of host module 'lesstruct' 0x1000 (4096) lies inside the guest's data segment 0 [0xfa0, 0x1068), so writing there would corrupt the plugin; "
            + "link the module to leave that address free (for C: -Wl,--global-base=1114112, see docs/abi/fixed-offset.md).",
            Assert.Single(error.Problems));
    }

    // 200 bytes of guest data from 4000, over the host-result offset; no stack or heap.
    private static string DataAt4096 => $"""(data (i32.const 4000) "{new string('d', 200)}")""";

    // A plugin whose hook_before_save answers Answer from its static data at 1024.
    private static byte[] Plugin(string body, string imports = "")
        => ProbeModules.Compile($$"""
            (module
              {{imports}}
              (memory (export "memory") 2)
              {{body}}
              (data (i32.const 1024) "{{Answer.Replace("\"", "\\\"", StringComparison.Ordinal)}}")
              (func (export "hook_before_save") (param i32 i32) (result i32) (i32.const 1024))
              (func (export "__hook_result_len") (param i32) (result i32) (i32.const {{Answer.Length}})))
            """);

    private async Task<ILesstructPlugin> LoadAsync(byte[] module, bool manifest = false)
    {
        string wasm = Path.Combine(_directory, "layout.wasm");
        await File.WriteAllBytesAsync(wasm, module);
        string? manifestPath = null;
        if (manifest)
        {
            manifestPath = Path.Combine(_directory, "layout.manifest");
            await File.WriteAllTextAsync(manifestPath, "name = \"layout\"\nversion = \"1.0.0\"\n");
        }

        var options = new LesstructPluginOptions { DirectoryPath = _directory };
        return await LesstructPlugins.LoadAsync(_host, options, new PluginFile("layout", wasm, manifestPath));
    }
}
