using Airlock.Contracts.Lesstruct;
using Airlock.Discovery;
using Airlock.Lesstruct;
using Microsoft.Extensions.Logging;

namespace Airlock.Host.Tests;

/// <summary>
/// The plugins/ directory: discovery at start, failures reported without stopping the others, and in
/// development mode debounced reloads of only the changed plugin, with the old version serving calls
/// already running and serving on when a reload fails.
/// </summary>
public sealed class LesstructDirectoryTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "airlock-plugins-" + Guid.NewGuid().ToString("N"));
    private readonly CapturingLoggerProvider _logs = new();
    private readonly ILoggerFactory _loggerFactory;
    private readonly PluginHost _host = new();

    public LesstructDirectoryTests()
    {
        _loggerFactory = LoggerFactory.Create(builder => builder.AddProvider(_logs).SetMinimumLevel(LogLevel.Trace));
    }

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _loggerFactory.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Every_wasm_at_the_top_of_the_directory_is_loaded_in_name_order()
    {
        Write("beta", VersionedModule(2));
        Write("alpha", VersionedModule(1));
        File.WriteAllText(Path.Combine(_directory, "alpha.manifest"), "name = \"alpha\"\nversion = \"1.4.0\"\n");
        Directory.CreateDirectory(Path.Combine(_directory, "nested"));
        File.WriteAllBytes(Path.Combine(_directory, "nested", "gamma.wasm"), VersionedModule(3));
        File.WriteAllText(Path.Combine(_directory, "notes.txt"), "not a plugin");

        await using PluginDirectory<ILesstructPlugin> plugins = await OpenAsync();
        Assert.Equal(["alpha", "beta"], plugins.Names);
        using PluginLease<ILesstructPlugin> lease = plugins.Acquire();
        Assert.Equal("1.4.0", lease.Plugins[0].Info.Version);
        Assert.Equal(LesstructPlugins.UnversionedVersion, lease.Plugins[1].Info.Version);
        Assert.Empty(plugins.Failures);
    }

    [Fact]
    public async Task A_plugin_that_fails_to_load_is_reported_and_the_others_serve()
    {
        Write("good", VersionedModule(1));
        File.WriteAllBytes(Path.Combine(_directory, "broken.wasm"), [0, 1, 2, 3]);
        Write("manifestless", VersionedModule(1, imports: """(import "lesstruct" "log_info" (func (param i32 i32)))"""));
        File.WriteAllText(Path.Combine(_directory, "badmanifest.manifest"), "name = \"\"\nversion = \"1.0.0\"\n");
        Write("badmanifest", VersionedModule(1));

        await using PluginDirectory<ILesstructPlugin> plugins = await OpenAsync();
        Assert.Equal(["good"], plugins.Names);
        Dictionary<string, PluginLoadFailure> failures = plugins.Failures.ToDictionary(f => f.Name);
        Assert.Equal(["badmanifest", "broken", "manifestless"], failures.Keys.Order(StringComparer.Ordinal));
        Assert.IsType<PluginLoadException>(failures["broken"].Error);
        Assert.Contains("imports 'lesstruct.log_info' (i32, i32) -> (), but plugin 'manifestless' has no manifest (manifestless.manifest), so it gets no host functions", failures["manifestless"].Error.Message, StringComparison.Ordinal);
        var manifest = Assert.IsType<PluginManifestException>(failures["badmanifest"].Error);
        Assert.Equal("name", manifest.Field);
        Assert.Equal(1, manifest.Line);
        Assert.All(failures.Values, f => Assert.False(f.PreviousVersionServing));
    }

    [Fact]
    public async Task Entries_that_are_not_regular_files_fail_alone_without_blocking_the_directory()
    {
        Write("good", VersionedModule(1));
        Airlock.Tests.HostileFiles.LinkToDevZero(Path.Combine(_directory, "zero.wasm"));
        Airlock.Tests.HostileFiles.Fifo(Path.Combine(_directory, "fifo.wasm"));
        Write("piped", VersionedModule(1));
        Airlock.Tests.HostileFiles.Fifo(Path.Combine(_directory, "piped.manifest"));

        var timer = System.Diagnostics.Stopwatch.StartNew();
        await using PluginDirectory<ILesstructPlugin> plugins = await OpenAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.InRange(timer.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        Assert.Equal(["good"], plugins.Names);
        Dictionary<string, PluginLoadFailure> failures = plugins.Failures.ToDictionary(f => f.Name);
        Assert.Equal(["fifo", "piped", "zero"], failures.Keys.Order(StringComparer.Ordinal));
        Assert.All(failures.Values, f => Assert.Equal(PluginFileProblem.NotRegularFile, Assert.IsType<PluginFileException>(f.Error).Reason));
        Assert.Contains("a character device (through a symbolic link)", failures["zero"].Error.Message, StringComparison.Ordinal);
        Assert.Equal(Path.Combine(_directory, "piped.manifest"), ((PluginFileException)failures["piped"].Error).FilePath);
    }

    [Fact]
    public async Task A_load_that_throws_anything_fails_alone()
    {
        Write("alpha", VersionedModule(1));
        Write("beta", VersionedModule(2));
        var options = new LesstructPluginOptions { DirectoryPath = _directory, DevelopmentMode = false };
        await using PluginDirectory<ILesstructPlugin> plugins = await PluginDirectory<ILesstructPlugin>.OpenAsync(
            _directory,
            new PluginDirectoryOptions(),
            (file, token) => file.Name == "alpha" ? throw new InvalidOperationException("the loader broke on alpha") : LesstructPlugins.LoadAsync(_host, options, file, token));
        Assert.Equal(["beta"], plugins.Names);
        Assert.IsType<InvalidOperationException>(Assert.Single(plugins.Failures).Error);
    }

    [Fact]
    public async Task A_changed_plugin_is_reloaded_alone_once_its_files_are_quiet_for_the_debounce()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        Write("alpha", VersionedModule(1));
        Write("beta", VersionedModule(1));
        await using PluginDirectory<ILesstructPlugin> plugins = await OpenAsync(watch: true, time);
        var changes = new System.Collections.Concurrent.ConcurrentQueue<PluginDirectoryEventArgs>();
        plugins.Changed += (_, e) => changes.Enqueue(e);

        // Three writes in a row; the watcher's events arrive in real time, the debounce runs on the fake clock.
        for (int i = 0; i < 3; i++)
        {
            Write("alpha", VersionedModule(2));
        }

        await Task.Delay(500);
        time.Advance(TimeSpan.FromMilliseconds(149));
        await Task.Delay(100);
        Assert.Empty(changes);
        Assert.Equal(1, Version(plugins, "alpha"));

        time.Advance(TimeSpan.FromMilliseconds(1));
        await WaitUntil(() =>
        {
            // A watcher event delivered late restarts the debounce: let the clock run on until the reload.
            time.Advance(TimeSpan.FromMilliseconds(150));
            return !changes.IsEmpty;
        });
        Assert.Equal(2, Version(plugins, "alpha"));
        PluginDirectoryEventArgs change = Assert.Single(changes);
        Assert.Equal("alpha", change.Name);
        Assert.Equal(PluginDirectoryChange.Reloaded, change.Change);
        Assert.Equal(1, Version(plugins, "beta"));
    }

    [Fact]
    public async Task A_plugin_that_fails_to_reload_keeps_its_old_version_serving()
    {
        Write("alpha", VersionedModule(1));
        await using PluginDirectory<ILesstructPlugin> plugins = await OpenAsync(watch: true);
        File.WriteAllBytes(Path.Combine(_directory, "alpha.wasm"), [0, 97, 115, 109, 1, 0, 0, 0, 99]);
        await WaitUntil(() => plugins.Failures.Count == 1);

        PluginLoadFailure failure = Assert.Single(plugins.Failures);
        Assert.True(failure.PreviousVersionServing);
        Assert.Equal(1, Version(plugins, "alpha"));
        Assert.Contains(_logs.Messages, m => m.Contains("alpha failed to load and keeps serving its previous version", StringComparison.Ordinal));

        Write("alpha", VersionedModule(3));
        await WaitUntil(() => Version(plugins, "alpha") == 3);
        Assert.Empty(plugins.Failures);
    }

    [Fact]
    public async Task Calls_under_a_lease_finish_on_the_old_version_which_unloads_when_the_lease_ends()
    {
        Write("alpha", VersionedModule(1));
        await using PluginDirectory<ILesstructPlugin> plugins = await OpenAsync();
        PluginLease<ILesstructPlugin> before = plugins.Acquire();
        ILesstructPlugin old = before.Plugins.Single();

        Write("alpha", VersionedModule(2));
        Assert.True(await plugins.ReloadAsync("alpha"));
        Assert.Equal(2, Version(plugins, "alpha"));
        Assert.Equal(1, await VersionOf(old));

        before.Dispose();
        await WaitUntil(() => CallFails(old));
    }

    [Fact]
    public async Task Calls_running_through_a_reload_all_succeed_and_then_see_the_new_version()
    {
        Write("alpha", VersionedModule(1));
        await using PluginDirectory<ILesstructPlugin> plugins = await OpenAsync(watch: true);
        var hooks = new ContentHooks(plugins);
        using var stop = new CancellationTokenSource();
        // Each caller keeps its own sequence: under load one caller's call may start before the swap and end after
        // the other caller's calls on the new version, so only a caller's own order says anything.
        System.Collections.Concurrent.ConcurrentQueue<int>[] sequences = [new(), new()];
        Task[] callers = [.. sequences.Select(own => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                ContentItem saved = await hooks.BeforeSaveAsync(new ContentItem { Title = "t" });
                own.Enqueue(saved.CustomFields["version"].GetInt32());
            }
        }))];

        int Seen() => sequences.Sum(s => s.Count);
        bool EveryCallerSaw(int version) => sequences.All(s => s.Contains(version));
        await WaitUntil(() => Seen() > 20);
        Write("alpha", VersionedModule(2));
        await WaitUntil(() => EveryCallerSaw(2));
        int[] before = [.. sequences.Select(s => s.Count)];
        await WaitUntil(() => sequences.Select((s, i) => s.Count > before[i] + 10).All(more => more));
        await stop.CancelAsync();
        await Task.WhenAll(callers);

        // No call failed (Task.WhenAll would have thrown). Each caller saw version 1, then version 2 from its first
        // call on the new module on: a lease taken before the swap answers 1, and no call after a 2 goes back to 1.
        foreach (System.Collections.Concurrent.ConcurrentQueue<int> sequence in sequences)
        {
            int[] versions = [.. sequence];
            Assert.All(versions, v => Assert.InRange(v, 1, 2));
            int first = Array.IndexOf(versions, 2);
            Assert.True(first >= 0, "A caller never saw the new version.");
            Assert.All(versions[first..], v => Assert.Equal(2, v));
        }
    }

    [Fact]
    public async Task A_removed_plugin_is_unloaded()
    {
        Write("alpha", VersionedModule(1));
        Write("beta", VersionedModule(1));
        await using PluginDirectory<ILesstructPlugin> plugins = await OpenAsync(watch: true);
        File.Delete(Path.Combine(_directory, "beta.wasm"));
        await WaitUntil(() => plugins.Names.Count == 1);
        Assert.Equal(["alpha"], plugins.Names);
    }

    [Fact]
    public async Task On_plugin_loaded_receives_the_manifest_config_and_can_refuse_the_load()
    {
        string loaded = """
            (import "lesstruct" "log_info" (func $log (param i32 i32)))
            (func (export "hook_on_plugin_loaded") (param $p i32) (param $n i32) (result i32)
              (call $log (local.get $p) (local.get $n)) (i32.const 0))
            """;
        Write("alpha", VersionedModule(1, imports: loaded));
        File.WriteAllText(Path.Combine(_directory, "alpha.manifest"), "name = \"Alpha\"\nversion = \"2.0.0\"\n[config]\nrates_url = \"http://127.0.0.1:1/rates\"\n");
        string refusing = """
            (data (i32.const 200000) "{\"error\":{\"code\":\"misconfigured\",\"message\":\"rates_url is missing\"}}")
            (func (export "hook_on_plugin_loaded") (param i32 i32) (result i32) (global.set $rlen (i32.const 66)) (i32.const 200000))
            """;
        Write("beta", VersionedModule(1, imports: refusing));

        await using PluginDirectory<ILesstructPlugin> plugins = await OpenAsync();
        Assert.Equal(["alpha"], plugins.Names);
        Assert.Contains(_logs.Messages, m => m.Contains("""{"name":"Alpha","version":"2.0.0","config":{"rates_url":"http://127.0.0.1:1/rates"}}""", StringComparison.Ordinal));
        PluginLoadFailure failure = Assert.Single(plugins.Failures);
        Assert.Equal("beta", failure.Name);
        Assert.Contains("failed in hook_on_plugin_loaded", failure.Error.Message, StringComparison.Ordinal);
        Assert.Equal("misconfigured", Assert.IsType<PluginErrorException>(failure.Error.InnerException).Code);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("TRUE", true)]
    [InlineData(" True ", true)]
    [InlineData("false", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public async Task DEV_MODE_decides_development_mode_when_the_options_leave_it_unset(string? devMode, bool watching)
    {
        await using PluginDirectory<ILesstructPlugin> plugins = await OpenWithEnvironmentAsync(null, devMode);
        Assert.Equal(watching, plugins.IsWatching);
    }

    [Theory]
    [InlineData(false, "true")]
    [InlineData(true, "not a mode")]
    public async Task A_development_mode_set_in_code_wins_over_DEV_MODE(bool mode, string devMode)
    {
        await using PluginDirectory<ILesstructPlugin> plugins = await OpenWithEnvironmentAsync(mode, devMode);
        Assert.Equal(mode, plugins.IsWatching);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("yes")]
    public async Task An_unrecognised_DEV_MODE_stops_the_directory_from_opening(string devMode)
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => OpenWithEnvironmentAsync(null, devMode));
        Assert.Equal(
            $"The environment variable DEV_MODE is '{devMode}'; Lesstruct plugins accept 'true' (development mode: reload plugins when their files change) or 'false' (production). "
            + "Set it to one of those, or set LesstructPluginOptions.DevelopmentMode in code, which takes precedence.",
            error.Message);
    }

    /// <summary>A plugin whose before_save answers {"customFields":{"version":N}}.</summary>
    internal static byte[] VersionedModule(int version, string imports = "")
    {
        string json = "{\"customFields\":{\"version\":" + version + "}}";
        string escaped = json.Replace("\"", "\\\"", StringComparison.Ordinal);
        string importLines = string.Join('\n', imports.Split('\n').Where(l => l.TrimStart().StartsWith("(import", StringComparison.Ordinal)));
        string bodyLines = string.Join('\n', imports.Split('\n').Where(l => !l.TrimStart().StartsWith("(import", StringComparison.Ordinal)));
        return ProbeModules.Compile($$"""
            (module
              {{importLines}}
              (memory (export "memory") 4)
              (data (i32.const 196608) "{{escaped}}")
              (func (export "hook_before_save") (param i32 i32) (result i32) (global.set $rlen (i32.const {{json.Length}})) (i32.const 196608))
              (func (export "__hook_result_len") (param i32) (result i32) (global.get $rlen))
              {{bodyLines}}
              (global $rlen (mut i32) (i32.const 0)))
            """);
    }

    private static int Version(PluginDirectory<ILesstructPlugin> plugins, string name)
    {
        using PluginLease<ILesstructPlugin> lease = plugins.Acquire();
        return VersionOf(lease.Plugins.Single(p => p.Info.Id == name)).GetAwaiter().GetResult();
    }

    private static async Task<int> VersionOf(ILesstructPlugin plugin)
    {
        ContentHookResult? result = await plugin.BeforeSaveAsync(new ContentItem { Title = "t" });
        return result!.CustomFields!["version"].GetInt32();
    }

    private static bool CallFails(ILesstructPlugin plugin)
    {
        try
        {
            _ = VersionOf(plugin).GetAwaiter().GetResult();
            return false;
        }
        catch (ObjectDisposedException)
        {
            return true;
        }
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The directory did not reach the expected state within 30 s.");
            await Task.Delay(25);
        }
    }

    private void Write(string name, byte[] module)
    {
        // Write then move, as a build or deploy step would, so the watcher never sees a half-written file.
        string temporary = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".tmp");
        File.WriteAllBytes(temporary, module);
        File.Move(temporary, Path.Combine(_directory, name + ".wasm"), overwrite: true);
    }

    // The process environment is shared with every test running in parallel: DEV_MODE is read from a stand-in.
    private Task<PluginDirectory<ILesstructPlugin>> OpenWithEnvironmentAsync(bool? mode, string? devMode)
    {
        var options = new LesstructPluginOptions
        {
            DirectoryPath = _directory,
            DevelopmentMode = mode,
            ReadEnvironment = name => name == LesstructPluginOptions.DevelopmentModeVariable ? devMode : null,
        };
        return LesstructPlugins.OpenAsync(_host, options, _loggerFactory.CreateLogger("plugins"));
    }

    private Task<PluginDirectory<ILesstructPlugin>> OpenAsync(bool watch = false, TimeProvider? time = null)
    {
        var options = new LesstructPluginOptions { DirectoryPath = _directory, DevelopmentMode = watch };
        options.Services.LoggerFactory = _loggerFactory;
        return LesstructPlugins.OpenAsync(_host, options, _loggerFactory.CreateLogger("plugins"), time);
    }
}
