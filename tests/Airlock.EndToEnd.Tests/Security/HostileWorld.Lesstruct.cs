using System.Text.Json;
using Airlock.Contracts.Lesstruct;
using Airlock.Discovery;
using Airlock.Lesstruct;

namespace Airlock.EndToEnd.Tests.Security;

/// <summary>
/// Lesstruct plugins in the hostile world: WAT hook plugins whose <c>http_get</c> goes through the same
/// <see cref="Airlock.Services.PluginHttpClient"/> as the SocialScale probes, audited in the same log.
/// </summary>
public sealed partial class HostileWorld
{
    private readonly List<ILesstructPlugin> _lesstruct = [];
    private ILesstructPlugin? _lesstructBystander;

    /// <summary>
    /// Loads a Lesstruct plugin (the module of <see cref="HostileLesstructModule"/>) whose <c>hook_before_save</c> requests
    /// <paramref name="hostilePath"/> on the loopback server and whose <c>hook_after_create</c> requests <c>/api/data</c>;
    /// its manifest allows <c>http://127.0.0.1:port/api/*</c>.
    /// </summary>
    public async Task<ILesstructPlugin> LoadLesstructAsync(string hostilePath, PluginLimits? limits = null, string? name = null)
    {
        name ??= "lesstruct-" + Interlocked.Increment(ref _next);
        string folder = Path.Combine(_directory, name);
        Directory.CreateDirectory(folder);
        string wasm = Path.Combine(folder, name + ".wasm");
        string manifest = Path.Combine(folder, name + ".manifest");
        await File.WriteAllBytesAsync(wasm, HostileLesstructModule.Compile(Server.Url(hostilePath), Server.Url("/api/data")));
        await File.WriteAllTextAsync(manifest, $"name = \"{name}\"\nversion = \"1.0.0\"\n[capabilities]\nhttp = [\"{Server.Url("/api/*")}\"]\n");
        var options = new LesstructPluginOptions
        {
            DirectoryPath = folder,
            Limits = limits ?? PluginLimits.Default with { Timeout = HostileWorld.CallTimeout, MemoryBytes = 8L * 1024 * 1024, MaxInstances = 2 },
            Services = { Http = Services.Http, Audit = Audit },
        };
        ILesstructPlugin plugin = await LesstructPlugins.LoadAsync(Host, options, new PluginFile(name, wasm, manifest));
        _lesstruct.Add(plugin);
        return plugin;
    }

    /// <summary>A Lesstruct plugin that only ever requests <c>/api/data</c>, loaded on first use.</summary>
    public async Task<ILesstructPlugin> LesstructBystanderAsync() =>
        _lesstructBystander ??= await LoadLesstructAsync("/api/data", name: "lesstruct-bystander");

    /// <summary>The host's answer to the plugin's <c>http_get</c>, as the plugin passed it back: <c>{"ok":...}</c>.</summary>
    public static JsonElement HttpAnswer(ContentHookResult? result)
    {
        Assert.NotNull(result?.CustomFields);
        return result.CustomFields["http"];
    }

    private async Task DisposeLesstructAsync()
    {
        foreach (ILesstructPlugin plugin in _lesstruct)
        {
            await plugin.DisposeAsync();
        }
    }
}

/// <summary>
/// The WAT of the hostile suite's Lesstruct plugin: each hook calls <c>lesstruct.http_get</c> on a URL held in its data and
/// answers <c>{"customFields":{"http":RESULT}}</c>, RESULT being the JSON the host wrote at offset 4096.
/// </summary>
internal static class HostileLesstructModule
{
    private const string Prefix = "{\"customFields\":{\"http\":";
    private const int Output = 196608;

    public static byte[] Compile(string beforeSaveUrl, string afterCreateUrl) => Wasmtime.Module.ConvertText($$"""
        (module
          (import "lesstruct" "http_get" (func $get (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 4)
          (global $rlen (mut i32) (i32.const 0))
          (data (i32.const 1024) "{{beforeSaveUrl}}")
          (data (i32.const 2048) "{{afterCreateUrl}}")
          (data (i32.const 3072) "{{Prefix.Replace("\"", "\\\"", StringComparison.Ordinal)}}")

          (func $answer (param $url i32) (param $len i32) (result i32)
            (local $n i32)
            (drop (call $get (local.get $url) (local.get $len) (i32.const 0) (i32.const 0)))
            ;; The host's result: a u32 length at 4096, then the JSON.
            (local.set $n (i32.load (i32.const 4096)))
            (memory.copy (i32.const {{Output}}) (i32.const 3072) (i32.const {{Prefix.Length}}))
            (memory.copy (i32.const {{Output + Prefix.Length}}) (i32.const 4100) (local.get $n))
            (i32.store16 (i32.add (i32.const {{Output + Prefix.Length}}) (local.get $n)) (i32.const 0x7d7d))
            (global.set $rlen (i32.add (local.get $n) (i32.const {{Prefix.Length + 2}})))
            (i32.const {{Output}}))

          (func (export "hook_before_save") (param i32 i32) (result i32) (call $answer (i32.const 1024) (i32.const {{beforeSaveUrl.Length}})))
          (func (export "hook_after_create") (param i32 i32) (result i32) (call $answer (i32.const 2048) (i32.const {{afterCreateUrl.Length}})))
          (func (export "__hook_result_len") (param i32) (result i32) (global.get $rlen)))
        """);
}
