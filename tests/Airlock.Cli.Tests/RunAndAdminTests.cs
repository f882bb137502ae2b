using System.Text.Json;

namespace Airlock.Cli.Tests;

public sealed class RunAndAdminTests : IDisposable
{
    private const string ChirpId = "com.airlock.samples.chirp-c";

    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Run_calls_a_local_samuel_plugin_and_reports_what_the_call_cost()
    {
        string input = Path.Combine(_cli.Root, "input.json");
        File.WriteAllText(input, """{"name":"Grace"}""");

        CliResult plain = await _cli.RunAsync("run", Path.Combine(CliHarness.Samples, "samuel-hello-c"), "greet", "@" + input);
        CliResult json = await _cli.RunAsync("run", Path.Combine(CliHarness.Samples, "samuel-hello-c"), "greet", """{"name":"Ada"}""", "--json", "--fuel", "50000000");

        Assert.True(plain.ExitCode == 0, plain.ToString());
        Assert.Equal("Hello, Grace!", plain.Json.GetProperty("greeting").GetString());
        Assert.Matches(@"samuel-hello greet: [0-9.]+ ms, fuel [0-9,]+, memory [0-9.]+ KiB", plain.Error);
        Assert.True(json.ExitCode == 0, json.ToString());
        Assert.Equal("Hello, Ada!", json.Json.GetProperty("result").GetProperty("greeting").GetString());
        Assert.InRange(json.Json.GetProperty("fuel").GetUInt64(), 1UL, 50_000_000UL);
        Assert.True(json.Json.GetProperty("memoryBytes").GetInt64() >= 65536);
    }

    [Fact]
    public async Task Run_reports_a_plugin_failure_as_one_sentence_with_exit_1()
    {
        CliResult fuel = await _cli.RunAsync("run", Path.Combine(CliHarness.Samples, "samuel-hello-c"), "greet", """{"name":"Ada"}""", "--fuel", "10");
        CliResult missing = await _cli.RunAsync("run", Path.Combine(CliHarness.Samples, "samuel-hello-c"), "nothing");
        CliResult badJson = await _cli.RunAsync("run", Path.Combine(CliHarness.Samples, "samuel-hello-c"), "greet", "{nope");
        CliResult loneSurrogate = await _cli.RunAsync("run", Path.Combine(CliHarness.Samples, "samuel-hello-c"), "greet", """{"name":"\ud800"}""");
        CliResult unknown = await _cli.RunAsync("run", "no.such.plugin", "greet");

        Assert.Equal(1, fuel.ExitCode);
        Assert.Contains("fuel", fuel.Error, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", fuel.Error);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("'nothing'", missing.Error);
        Assert.Equal(2, badJson.ExitCode);
        Assert.Contains("not valid JSON", badJson.Error);
        Assert.Equal(2, loneSurrogate.ExitCode);
        Assert.Contains("not valid JSON text", loneSurrogate.Error);
        Assert.DoesNotContain("bug in airlock", loneSurrogate.Error);
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("airlock install", unknown.Error);
    }

    [Fact]
    public async Task Run_calls_an_installed_socialscale_plugin_under_its_approval_with_its_host_functions()
    {
        Assert.Equal(0, (await _cli.RunAsync("install", Path.Combine(CliHarness.Samples, "chirp-c"), "--yes", "--allow-unsigned")).ExitCode);

        CliResult result = await _cli.RunAsync("run", ChirpId, "plugin_handle_request", """{"type":"no_such_request"}""");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("unsupported_request", result.Json.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Run_calls_a_socialscale_export_that_takes_no_input()
    {
        Assert.Equal(0, (await _cli.RunAsync("install", Path.Combine(CliHarness.Samples, "chirp-c"), "--yes", "--allow-unsigned")).ExitCode);

        CliResult result = await _cli.RunAsync("run", ChirpId, "plugin_capabilities", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("chirp", result.Json.GetProperty("result").GetProperty("platforms")[0].GetString());
    }

    [Fact]
    public async Task Run_calls_an_installed_lesstruct_hook_through_its_typed_contract()
    {
        Assert.Equal(0, (await _cli.RunAsync("install", Path.Combine(CliHarness.Samples, "lesstruct-redact-c"), "--yes", "--allow-unsigned")).ExitCode);

        CliResult masked = await _cli.RunAsync("run", "plugin", "hook_before_save", """{"title":"Darn","content":"heck","customFields":{"note":"Darn it","deep":{"x":"what the frak"},"keep":"darned"}}""", "--json");
        CliResult unchanged = await _cli.RunAsync("run", "plugin", "hook_before_save", """{"title":"t","customFields":{"note":"fine"}}""");
        CliResult created = await _cli.RunAsync("run", "plugin", "hook_after_create", """{"title":"t"}""");

        Assert.True(masked.ExitCode == 0, masked.ToString());
        JsonElement fields = masked.Json.GetProperty("result").GetProperty("customFields");
        Assert.Equal("**** it", fields.GetProperty("note").GetString());
        Assert.Equal("what the ****", fields.GetProperty("deep").GetProperty("x").GetString());
        Assert.Equal("darned", fields.GetProperty("keep").GetString());
        Assert.InRange(masked.Json.GetProperty("fuel").GetUInt64(), 1UL, CliContext.MeteredFuel);
        Assert.True(masked.Json.GetProperty("memoryBytes").GetInt64() >= 65536);
        Assert.True(unchanged.ExitCode == 0, unchanged.ToString());
        Assert.Equal(JsonValueKind.Null, unchanged.Json.ValueKind);
        Assert.Matches(@"plugin hook_before_save: [0-9.]+ ms, fuel [0-9,]+, memory [0-9.]+ [KM]iB", unchanged.Error);
        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Equal(JsonValueKind.Null, created.Json.ValueKind);
    }

    [Fact]
    public async Task Run_names_the_callable_hooks_when_a_lesstruct_export_is_unknown_or_not_exported()
    {
        string plugin = Path.Combine(CliHarness.Samples, "lesstruct-redact-c");

        CliResult unknown = await _cli.RunAsync("run", plugin, "hook_before_sav");
        CliResult notExported = await _cli.RunAsync("run", plugin, "hook_after_publish");
        CliResult badInput = await _cli.RunAsync("run", plugin, "hook_before_save", """{"title": 5}""");

        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("has no export 'hook_before_sav'; call one of: hook_before_save, hook_after_create.", unknown.Error);
        Assert.Equal(2, notExported.ExitCode);
        Assert.Contains("does not export it; call one of: hook_before_save, hook_after_create.", notExported.Error);
        Assert.Equal(2, badInput.ExitCode);
        Assert.Contains("does not fit the item (ContentItem)", badInput.Error);
        Assert.DoesNotContain("   at ", badInput.Error);
    }

    [Fact]
    public async Task Run_calls_an_installed_driftless_plugin_registry_and_executions_through_its_loader()
    {
        Assert.Equal(0, (await _cli.RunAsync("install", Path.Combine(CliHarness.Samples, "driftless-rust"), "--yes", "--allow-unsigned")).ExitCode);

        CliResult tasks = await _cli.RunAsync("run", "confkit", "get_task_definitions");
        CliResult slug = await _cli.RunAsync("run", "confkit", "execute_template_filter", """{"name":"slugify","config":{},"value":"Hello, Wasm World!","args":[]}""", "--json", "--fuel", "100000000");
        CliResult line = await _cli.RunAsync("run", "confkit", "execute_task", """{"name":"line_in_file","config":{"path":"/etc/hosts","content":"a\nb\n","line":"c"}}""");
        CliResult parsed = await _cli.RunAsync("run", "confkit", "execute_log_parser", """{"name":"logfmt","config":{},"input":"level=warn msg=\"disk low\""}""");

        Assert.True(tasks.ExitCode == 0, tasks.ToString());
        Assert.Equal(["line_in_file", "render_template"], tasks.Json.EnumerateArray().Select(d => d.GetProperty("name").GetString()));
        Assert.Matches(@"confkit get_task_definitions: [0-9.]+ ms, fuel [0-9,]+, memory", tasks.Error);
        Assert.True(slug.ExitCode == 0, slug.ToString());
        Assert.Equal("hello-wasm-world", slug.Json.GetProperty("result").GetProperty("value").GetString());
        Assert.InRange(slug.Json.GetProperty("fuel").GetUInt64(), 1UL, 100_000_000UL);
        Assert.True(line.ExitCode == 0, line.ToString());
        Assert.True(line.Json.GetProperty("changed").GetBoolean());
        Assert.Equal("a\nb\nc\n", line.Json.GetProperty("content").GetString());
        Assert.True(parsed.ExitCode == 0, parsed.ToString());
        Assert.Equal("disk low", parsed.Json.GetProperty("entry").GetProperty("message").GetString());
    }

    [Fact]
    public async Task Run_checks_driftless_names_configurations_and_arguments_before_the_plugin_runs()
    {
        string plugin = Path.Combine(CliHarness.Samples, "driftless-rust");

        CliResult unknownTask = await _cli.RunAsync("run", plugin, "execute_task", """{"name":"no_such_task","config":{}}""");
        CliResult badConfig = await _cli.RunAsync("run", plugin, "execute_task", """{"name":"line_in_file","config":{"path":"/x","content":"","line":"y","colour":"red"}}""");
        CliResult missingArgument = await _cli.RunAsync("run", plugin, "execute_task", """{"name":"line_in_file"}""");
        CliResult extraArgument = await _cli.RunAsync("run", plugin, "execute_task", """{"name":"line_in_file","config":{},"cfg":{}}""");
        CliResult notExported = await _cli.RunAsync("run", plugin, "execute_log_filter", """{"name":"x","config":{},"entry":{"message":"m"}}""");
        CliResult fuel = await _cli.RunAsync("run", plugin, "get_task_definitions", "--fuel", "1000");

        Assert.Equal(1, unknownTask.ExitCode);
        Assert.Contains("registered no task named 'no_such_task'", unknownTask.Error);
        Assert.Equal(1, badConfig.ExitCode);
        Assert.Contains("colour", badConfig.Error);
        Assert.Equal(2, missingArgument.ExitCode);
        Assert.Contains("""needs the argument 'config'; its input is {"name": a string, "config": any JSON}""", missingArgument.Error);
        Assert.Equal(2, extraArgument.ExitCode);
        Assert.Contains("has no argument 'cfg'", extraArgument.Error);
        Assert.Equal(2, notExported.ExitCode);
        Assert.Contains("does not export it; call one of: get_task_definitions, get_facts_collectors, get_template_extensions, get_log_parsers, execute_task", notExported.Error);
        Assert.Equal(1, fuel.ExitCode);
        Assert.Contains("fuel", fuel.Error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Approvals_list_approve_and_revoke_use_the_store_the_host_reads()
    {
        Assert.Equal(0, (await _cli.RunAsync("install", Path.Combine(CliHarness.Samples, "chirp-c"), "--yes", "--allow-unsigned")).ExitCode);

        CliResult listed = await _cli.RunAsync("approvals", "list", "--json");
        CliResult revoked = await _cli.RunAsync("approvals", "revoke", ChirpId);
        CliResult pending = await _cli.RunAsync("approvals", "list");
        CliResult refusedRun = await _cli.RunAsync("run", ChirpId, "plugin_handle_request", "{}");
        CliResult revokedAgain = await _cli.RunAsync("approvals", "revoke", ChirpId);
        CliResult approved = await _cli.RunAsync("approvals", "approve", ChirpId, "--yes");
        CliResult runs = await _cli.RunAsync("run", ChirpId, "plugin_handle_request", """{"type":"x"}""");

        JsonElement approval = Assert.Single(listed.Json.GetProperty("approvals").EnumerateArray());
        Assert.Equal(ChirpId, approval.GetProperty("plugin").GetString());
        Assert.Equal(CliHarness.Sha256(Path.Combine(CliHarness.Samples, "chirp-c", "chirp.wasm")), approval.GetProperty("moduleSha256").GetString());
        Assert.Contains("credential_access: chirp", approval.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal("airlock install --yes", approval.GetProperty("approvedBy").GetString());
        Assert.Equal(0, revoked.ExitCode);
        Assert.Contains("pending " + ChirpId + " 1.0.0", pending.Out);
        Assert.Equal(1, refusedRun.ExitCode);
        Assert.Equal(1, revokedAgain.ExitCode);
        Assert.True(approved.ExitCode == 0, approved.ToString());
        Assert.True(runs.ExitCode == 0, runs.ToString());
    }

    [Fact]
    public async Task Audit_filters_by_plugin_and_time_and_refuses_a_bad_since()
    {
        Assert.Equal(0, (await _cli.RunAsync("install", Path.Combine(CliHarness.Samples, "samuel-hello-c"), "--yes", "--allow-unsigned")).ExitCode);
        Assert.Equal(0, (await _cli.RunAsync("install", Path.Combine(CliHarness.Samples, "chirp-c"), "--yes", "--allow-unsigned")).ExitCode);

        CliResult samuel = await _cli.RunAsync("audit", "--plugin", "samuel-hello", "--since", "1h", "--json");
        CliResult future = await _cli.RunAsync("audit", "--since", DateTimeOffset.UtcNow.AddDays(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), "--json");
        CliResult table = await _cli.RunAsync("audit");
        CliResult bad = await _cli.RunAsync("audit", "--since", "yesterday-ish");

        Assert.All(samuel.Json.EnumerateArray(), e => Assert.Equal("samuel-hello", e.GetProperty("plugin").GetString()));
        Assert.Contains(samuel.Json.EnumerateArray(), e => e.GetProperty("action").GetString() == "install");
        Assert.Equal(0, future.Json.GetArrayLength());
        Assert.Contains(ChirpId, table.Out);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--since 'yesterday-ish'", bad.Error);
    }

    [Fact]
    public async Task Doctor_loads_each_installed_plugin_with_its_profile_and_says_why_one_does_not()
    {
        Assert.Equal(0, (await _cli.RunAsync("install", Path.Combine(CliHarness.Samples, "chirp-c"), "--yes", "--allow-unsigned")).ExitCode);
        Assert.Equal(0, (await _cli.RunAsync("install", Path.Combine(CliHarness.Samples, "samuel-hello-c"), "--yes", "--allow-unsigned")).ExitCode);
        Assert.Equal(0, (await _cli.RunAsync("install", Path.Combine(CliHarness.Samples, "lesstruct-redact-c"), "--yes", "--allow-unsigned")).ExitCode);
        Assert.Equal(0, (await _cli.RunAsync("install", Path.Combine(CliHarness.Samples, "driftless-c"), "--yes", "--allow-unsigned")).ExitCode);

        CliResult healthy = await _cli.RunAsync("doctor", "--json");
        Assert.Equal(0, (await _cli.RunAsync("approvals", "revoke", ChirpId)).ExitCode);
        File.AppendAllText(Path.Combine(_cli.PluginsDirectory, "samuel-hello", "samuel-hello.wasm"), "tampered");
        CliResult broken = await _cli.RunAsync("doctor", "--json");
        CliResult text = await _cli.RunAsync("doctor");

        Assert.True(healthy.ExitCode == 0, healthy.ToString());
        Assert.Equal(4, healthy.Json.GetProperty("plugins").GetArrayLength());
        Assert.All(healthy.Json.GetProperty("plugins").EnumerateArray(), p => Assert.True(p.GetProperty("loads").GetBoolean(), p.ToString()));
        Assert.StartsWith(".NET", healthy.Json.GetProperty("dotnet").GetString());
        Assert.False(string.IsNullOrEmpty(healthy.Json.GetProperty("wasmtime").GetString()));
        Assert.Equal(4, healthy.Json.GetProperty("moduleCache").GetProperty("compilations").GetInt64() + healthy.Json.GetProperty("moduleCache").GetProperty("diskHits").GetInt64() + healthy.Json.GetProperty("moduleCache").GetProperty("memoryHits").GetInt64());
        Assert.Contains(healthy.Json.GetProperty("toolchains").EnumerateArray(), t => t.GetProperty("tool").GetString() == "wat2wasm");
        Assert.Equal(1, broken.ExitCode);
        JsonElement[] plugins = [.. broken.Json.GetProperty("plugins").EnumerateArray()];
        Assert.Contains("not approved", plugins.Single(p => p.GetProperty("id").GetString() == ChirpId).GetProperty("problem").GetString());
        Assert.Contains("changed since", plugins.Single(p => p.GetProperty("id").GetString() == "samuel-hello").GetProperty("problem").GetString());
        Assert.True(broken.Json.GetProperty("moduleCache").GetProperty("diskHits").GetInt64() >= 1, broken.Out);
        Assert.Contains(ChirpId + " 1.0.0", broken.Json.GetProperty("pendingApprovals").EnumerateArray().Select(p => p.GetString()));
        Assert.Contains("fails", text.Out);
        Assert.Contains("loads", text.Out);
    }

    [Fact]
    public async Task Doctor_reports_the_module_cache_lookups_of_every_command_that_used_the_data_directory()
    {
        string hello = Path.Combine(CliHarness.Samples, "samuel-hello-c");
        string tally = Path.Combine(_cli.DataDirectory, "module-cache-stats.json");

        CliResult before = await _cli.RunAsync("doctor", "--json");
        Assert.Equal(0, (await _cli.RunAsync("run", hello, "greet", """{"name":"Ada"}""")).ExitCode);
        Assert.Equal(0, (await _cli.RunAsync("run", hello, "greet", """{"name":"Bob"}""")).ExitCode);
        CliResult after = await _cli.RunAsync("doctor", "--json");
        CliResult text = await _cli.RunAsync("doctor");
        File.WriteAllText(tally, "{not json");
        CliResult corrupt = await _cli.RunAsync("doctor", "--json");

        Assert.Equal(JsonValueKind.Null, before.Json.GetProperty("moduleCache").GetProperty("total").GetProperty("hitRate").ValueKind);
        JsonElement total = after.Json.GetProperty("moduleCache").GetProperty("total");
        Assert.Equal(2, total.GetProperty("memoryHits").GetInt64() + total.GetProperty("diskHits").GetInt64() + total.GetProperty("compilations").GetInt64());
        Assert.True(total.GetProperty("diskHits").GetInt64() + total.GetProperty("memoryHits").GetInt64() >= 1, after.Out);
        Assert.InRange(total.GetProperty("hitRate").GetDouble(), 0.5, 1.0);
        Assert.Equal(0, after.Json.GetProperty("moduleCache").GetProperty("compilations").GetInt64());
        Assert.Contains("every run and doctor since", text.Out);
        Assert.Equal(0, corrupt.ExitCode);
        Assert.Equal(JsonValueKind.Null, corrupt.Json.GetProperty("moduleCache").GetProperty("total").GetProperty("hitRate").ValueKind);
    }
}
