using System.Text.Json;
using Airlock.Abi;
using Airlock.Contracts.Driftless;
using Airlock.Contracts.Lesstruct;

namespace Airlock.Cli.Tests.GuestBindings;

/// <summary>
/// <c>airlock new lesstruct|driftless --lang c</c>: a project on the C bindings of the fixed-offset ABI and of wasm-bindgen's
/// convention that builds, passes <c>airlock check</c>, loads and answers typed results, typed errors and host calls.
/// </summary>
public sealed class CBindingsAbiTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [ClangFact]
    public async Task New_lesstruct_plugin_in_c_builds_passes_check_and_runs_its_hooks_with_host_functions()
    {
        string folder = Path.Combine(_cli.Root, "my-hooks");
        CliResult created = await _cli.RunAsync("new", "lesstruct", "--lang", "c", "--name", "my-hooks", "--out", folder);
        Assert.True(created.ExitCode == 0, created.ToString());

        // Two more hooks: on_plugin_loaded answers the plugin's name and how many settings it has; before_delete runs
        // the item's title as SQL through db_exec and answers the rows it changed, or the host's typed error.
        string plugin = Path.Combine(folder, "plugin.c");
        File.WriteAllText(plugin, "#include <string.h>\n" + File.ReadAllText(plugin) + """

            static void put(char *buf, size_t *n, const char *s, size_t len) {
                memcpy(buf + *n, s, len);
                *n += len;
            }

            bool lesstruct_hook_on_plugin_loaded(airlock_ctx *ctx, const lesstruct_plugin_loaded_info_t *info, lesstruct_content_hook_result_t *out) {
                if (info->config.count > 9) return airlock_fail(ctx, "too_many", "at most 9 settings");
                size_t n = 0;
                char *buf = (char *)airlock_alloc(ctx, info->name.len + 32);
                put(buf, &n, "{\"name\":\"", 9);
                put(buf, &n, info->name.ptr, info->name.len);
                put(buf, &n, "\",\"settings\":", 13);
                char digit = (char)('0' + info->config.count);
                put(buf, &n, &digit, 1);
                put(buf, &n, "}", 1);
                out->customfields.ptr = buf;
                out->customfields.len = (uint32_t)n;
                return true;
            }
            LESSTRUCT_EXPORT_HOOK_ON_PLUGIN_LOADED

            bool lesstruct_hook_before_delete(airlock_ctx *ctx, const lesstruct_content_item_t *item, lesstruct_content_hook_result_t *out) {
                lesstruct_host_result_db_exec_data_t result;
                airlock_json parameters = {"[]", 2};
                airlock_status status = lesstruct_db_exec(ctx, item->title, parameters, &result);
                if (status != AIRLOCK_OK) return airlock_fail(ctx, airlock_status_name(status), "db_exec failed");
                if (!result.ok || !result.has_error == !result.has_data) {
                    return airlock_fail(ctx, result.has_error ? result.error.code.ptr : "no_data", result.has_error ? result.error.message.ptr : "no data");
                }
                char *buf = (char *)airlock_alloc(ctx, 16);
                size_t n = 0;
                put(buf, &n, "{\"rows\":", 8);
                char digit = (char)('0' + result.data.rowsaffected % 10);
                put(buf, &n, &digit, 1);
                put(buf, &n, "}", 1);
                out->customfields.ptr = buf;
                out->customfields.len = (uint32_t)n;
                return true;
            }
            LESSTRUCT_EXPORT_HOOK_BEFORE_DELETE

            """);
        (int built, string log) = Clang.Run("bash", folder, "build.sh");
        Assert.True(built == 0, log);
        string module = Path.Combine(folder, "my-hooks.wasm");
        CliResult check = await _cli.RunAsync("check", module, "--profile", "lesstruct", "--manifest", Path.Combine(folder, "my-hooks.manifest"));
        Assert.True(check.ExitCode == 0, check.ToString());

        await using var host = new PluginHost();
        var services = new LesstructServices();
        ILesstructPlugin hooks = await host.LoadModuleAsync<ILesstructPlugin>("my-hooks", File.ReadAllBytes(module), new PluginLoadOptions().AddImports<ILesstructHost>(services));
        Assert.True(hooks.HasBeforeSave && hooks.HasOnPluginLoaded && hooks.HasBeforeDelete);
        Assert.False(hooks.HasAfterCreate || hooks.HasAfterPublish);

        // before_save reads the whole item (escapes, non-ASCII, custom fields) and answers "no change".
        var item = new ContentItem
        {
            ContentId = 7,
            Title = "Grüße \"quoted\" \\ 😀",
            Tags = ["a", "ü"],
            CustomFields = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>("""{"n":1,"s":"x\u0001"}""")!,
        };
        Assert.Null(await hooks.BeforeSaveAsync(item));
        Assert.Contains("my-hooks: before_save", services.Logs);
        var refused = await Assert.ThrowsAsync<PluginErrorException>(() => hooks.BeforeSaveAsync(item with { Title = string.Empty }).AsTask());
        Assert.Equal("invalid_item", refused.Code);
        Assert.Contains("the title is empty", refused.Message);

        ContentHookResult? loaded = await hooks.OnPluginLoadedAsync(new PluginLoadedInfo("hooks-é", "1.0.0", new Dictionary<string, string> { ["a"] = "1", ["b"] = "\"2\"" }));
        Assert.Equal("hooks-é", loaded!.CustomFields!["name"].GetString());
        Assert.Equal(2, loaded.CustomFields["settings"].GetInt32());

        // A host function's framed result at 4096, read into the typed HostResult; its error becomes the plugin's.
        ContentHookResult? deleted = await hooks.BeforeDeleteAsync(item with { Title = "DELETE FROM t" });
        Assert.Equal(3, deleted!.CustomFields!["rows"].GetInt32());
        var denied = await Assert.ThrowsAsync<PluginErrorException>(() => hooks.BeforeDeleteAsync(item with { Title = "DROP TABLE t" }).AsTask());
        Assert.Equal("table_not_allowed", denied.Code);
        Assert.Equal(["DELETE FROM t", "DROP TABLE t"], services.Statements);

        // A hook the module does not export is skipped.
        Assert.Null(await hooks.AfterCreateAsync(item));
    }

    [ClangFact]
    public async Task New_driftless_plugin_in_c_builds_passes_check_and_answers_registries_and_executions()
    {
        string folder = Path.Combine(_cli.Root, "my-kit");
        CliResult created = await _cli.RunAsync("new", "driftless", "--lang", "c", "--name", "my-kit", "--out", folder);
        Assert.True(created.ExitCode == 0, created.ToString());

        File.AppendAllText(Path.Combine(folder, "plugin.c"), """

            bool driftless_execute_log_filter(airlock_ctx *ctx, airlock_str name, airlock_json config, const driftless_log_entry_t *entry, driftless_log_filter_result_t *out) {
                (void)config;
                if (!airlock_str_eq(name, "errors_only")) return airlock_fail(ctx, "unknown_filter", "no such filter");
                out->keep = entry->level.ptr && airlock_str_eq(entry->level, "error");
                return true;
            }
            DRIFTLESS_EXPORT_EXECUTE_LOG_FILTER

            """);
        (int built, string log) = Clang.Run("bash", folder, "build.sh");
        Assert.True(built == 0, log);
        string module = Path.Combine(folder, "my-kit.wasm");
        CliResult check = await _cli.RunAsync("check", module, "--profile", "driftless");
        Assert.True(check.ExitCode == 0, check.ToString());

        await using var host = new PluginHost();
        var services = new DriftlessServices();
        // Four pages at most: were the arguments of the calls below not freed, memory would run out.
        var options = new PluginLoadOptions { Limits = new PluginLimits { MemoryBytes = 4 * 65536 } }.AddImports<IDriftlessHost>(services);
        IDriftlessPlugin kit = await host.LoadModuleAsync<IDriftlessPlugin>("my-kit", File.ReadAllBytes(module), options);

        DriftlessDefinition task = Assert.Single((await kit.GetTaskDefinitionsAsync())!);
        Assert.Equal("hello", task.Name);
        Assert.Equal("apply", task.Type);
        Assert.Equal("object", task.ConfigSchema!.Value.GetProperty("type").GetString());
        Assert.Null(await kit.GetFactsCollectorsAsync());

        JsonElement empty = JsonDocument.Parse("{}").RootElement;
        DriftlessTaskResult hello = await kit.ExecuteTaskAsync("hello", empty);
        Assert.False(hello.Changed);
        Assert.Equal("hello", hello.Message);
        Assert.Contains(("info", "my-kit: hello"), services.Logs);
        var unknown = await Assert.ThrowsAsync<PluginErrorException>(() => kit.ExecuteTaskAsync("nope ✓", empty).AsTask());
        Assert.Equal("unknown_task", unknown.Code);
        Assert.Contains("no such task", unknown.Message);

        // Arguments are freed by the callee (wasm-bindgen's rule): many calls leave memory where it was.
        for (int i = 0; i < 2000; i++)
        {
            Assert.True((await kit.ExecuteLogFilterAsync("errors_only", empty, new DriftlessLogEntry("boom \"" + i + "\" ✓", Level: "error", Fields: new() { ["k"] = empty }))).Keep);
        }

        Assert.False((await kit.ExecuteLogFilterAsync("errors_only", empty, new DriftlessLogEntry("fine", Level: "info"))).Keep);
        await Assert.ThrowsAsync<PluginExportMissingException>(() => kit.ExecuteFactsCollectorAsync("x", empty).AsTask());
    }

    internal sealed class LesstructServices : ILesstructHost
    {
        public List<string> Logs { get; } = [];

        public List<string> Statements { get; } = [];

        public HostResult<HttpResponseData> HttpGet(GuestContext guest, string url, Dictionary<string, string>? headers) => HostResult<HttpResponseData>.Failure("url_not_allowed", url);

        public HostResult<HttpResponseData> HttpPost(GuestContext guest, string url, Dictionary<string, string>? headers, ReadOnlySpan<byte> body) => HostResult<HttpResponseData>.Failure("url_not_allowed", url);

        public HostResult<DbQueryData> DbQuery(GuestContext guest, string sql, System.Text.Json.Nodes.JsonNode? parameters) => HostResult<DbQueryData>.Failure("table_not_allowed", sql);

        public HostResult<DbExecData> DbExec(GuestContext guest, string sql, System.Text.Json.Nodes.JsonNode? parameters)
        {
            Statements.Add(sql);
            return sql == "DELETE FROM t" && parameters is System.Text.Json.Nodes.JsonArray { Count: 0 }
                ? HostResult<DbExecData>.Success(new DbExecData(3, 7))
                : HostResult<DbExecData>.Failure("table_not_allowed", "no writes to t");
        }

        public void LogInfo(GuestContext guest, string message) => Logs.Add(message);

        public void LogError(GuestContext guest, string message) => Logs.Add(message);
    }

    internal sealed class DriftlessServices : IDriftlessHost
    {
        public List<(string Level, string Message)> Logs { get; } = [];

        public void Log(GuestContext guest, string level, string message) => Logs.Add((level, message));

        public ulong GetTimestamp(GuestContext guest) => 1_700_000_000;
    }
}
