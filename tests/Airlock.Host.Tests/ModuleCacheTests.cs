namespace Airlock.Host.Tests;

/// <summary>
/// The on-disk module cache: a restarted host loads from it instead of compiling; a truncated,
/// corrupted or foreign file is deleted and the module compiled again; the cache keeps to its budget.
/// </summary>
public sealed class ModuleCacheTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("airlock-cache-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_restarted_host_loads_from_disk_without_compiling()
    {
        byte[] module = ProbeModules.Compile(ProbeModules.Module());
        ModuleCacheStatistics first = await LoadAndPing(module);
        Assert.Equal(new ModuleCacheStatistics(0, 0, 1, 0, 0), first);
        Assert.Single(CacheFiles());

        ModuleCacheStatistics second = await LoadAndPing(module);
        Assert.Equal(new ModuleCacheStatistics(0, 1, 0, 0, 0), second);
    }

    [Fact]
    public async Task Usage_and_hit_rate_report_what_the_cache_holds_and_serves()
    {
        byte[] module = ProbeModules.Compile(ProbeModules.Module());
        await using var host = new PluginHost(Options(maxBytes: 100L * 1024 * 1024));
        Assert.Equal(new ModuleCacheUsage(_directory, 0, 0, 100L * 1024 * 1024), host.ModuleCacheUsage);
        Assert.Equal(0, host.ModuleCacheStatistics.HitRate);

        await using (await host.LoadModuleAsync<IProbePlugin>("a", module))
        {
        }

        await using IProbePlugin again = await host.LoadModuleAsync<IProbePlugin>("b", module);
        ModuleCacheUsage usage = host.ModuleCacheUsage;

        Assert.Equal(1, usage.Files);
        Assert.Equal(new FileInfo(Assert.Single(CacheFiles())).Length, usage.Bytes);
        Assert.Equal(0.5, host.ModuleCacheStatistics.HitRate);
        await using var memoryOnly = new PluginHost();
        Assert.Equal(new ModuleCacheUsage(null, 0, 0, 0), memoryOnly.ModuleCacheUsage);
        Assert.Equal(500L * 1024 * 1024, new ModuleCacheOptions { Directory = _directory }.MaxBytes);
    }

    [Fact]
    public async Task A_second_load_in_the_same_host_reuses_the_module_in_memory()
    {
        byte[] module = ProbeModules.Compile(ProbeModules.Module());
        await using var host = new PluginHost(Options());
        await using (await host.LoadModuleAsync<IProbePlugin>("a", module))
        {
        }

        await using IProbePlugin again = await host.LoadModuleAsync<IProbePlugin>("b", module);
        Assert.Equal(8, again.Ping(7));
        Assert.Equal(new ModuleCacheStatistics(1, 0, 1, 0, 0), host.ModuleCacheStatistics);
    }

    public static TheoryData<string, Func<byte[], byte[]>> Damage => new()
    {
        { "a flipped bit in the compiled code", bytes => { bytes[^200] ^= 0x10; return bytes; } },
        { "a truncated file", bytes => bytes[..(bytes.Length / 2)] },
        { "a file shorter than its trailer", bytes => bytes[..40] },
        { "an empty file", _ => [] },
        { "another engine configuration", bytes => { bytes[^100] ^= 0xFF; return bytes; } },
        { "a trailer that is not Airlock's", bytes => { bytes[^120] ^= 0xFF; return bytes; } },
        { "another module's hash in the trailer", bytes => { bytes[^60] ^= 0x01; return bytes; } },
        { "a flipped bit in the payload checksum", bytes => { bytes[^1] ^= 0x01; return bytes; } },
        { "a foreign file", bytes => [.. "not an Airlock cache file at all, just text"u8] },
        { "a length that promises more", bytes => { bytes[^40] ^= 0x01; return bytes; } },
        { "a file with a byte appended", bytes => [.. bytes, 0] },
    };

    [Theory]
    [MemberData(nameof(Damage))]
    public async Task A_damaged_file_is_deleted_and_the_module_compiled_again(string damage, Func<byte[], byte[]> change)
    {
        byte[] module = ProbeModules.Compile(ProbeModules.Module());
        await LoadAndPing(module);
        string file = Assert.Single(CacheFiles());
        File.WriteAllBytes(file, change(File.ReadAllBytes(file)));

        ModuleCacheStatistics statistics = await LoadAndPing(module);
        Assert.True(statistics == new ModuleCacheStatistics(0, 0, 1, 1, 0), $"{damage}: {statistics}");

        // The compiled module was stored again, whole: the next host loads it from disk.
        Assert.Equal(new ModuleCacheStatistics(0, 1, 0, 0, 0), await LoadAndPing(module));
    }

    [Fact]
    public async Task A_file_for_another_module_under_this_name_is_rejected()
    {
        byte[] one = ProbeModules.Compile(ProbeModules.Module());
        byte[] two = ProbeModules.Compile(ProbeModules.Module(extra: """(func (export "other") (result i32) (i32.const 2))"""));
        await LoadAndPing(one);
        await LoadAndPing(two);
        string[] files = CacheFiles();
        Assert.Equal(2, files.Length);

        // Swap the two files' contents: each now claims the other module's hash.
        byte[] first = File.ReadAllBytes(files[0]);
        File.WriteAllBytes(files[0], File.ReadAllBytes(files[1]));
        File.WriteAllBytes(files[1], first);
        Assert.Equal(new ModuleCacheStatistics(0, 0, 1, 1, 0), await LoadAndPing(one));
    }

    [Fact]
    public async Task The_least_recently_used_file_is_evicted_past_the_budget()
    {
        byte[] one = ProbeModules.Compile(ProbeModules.Module());
        byte[] two = ProbeModules.Compile(ProbeModules.Module(extra: """(func (export "other") (result i32) (i32.const 2))"""));
        await LoadAndPing(one);
        long size = new FileInfo(Assert.Single(CacheFiles())).Length;
        string oneFile = CacheFiles()[0];
        File.SetLastWriteTimeUtc(oneFile, DateTime.UtcNow.AddHours(-1));

        // Room for one file and a half: storing the second evicts the first.
        ModuleCacheStatistics statistics = await LoadAndPing(two, maxBytes: size + (size / 2));
        Assert.Equal(1, statistics.EvictedFiles);
        string left = Assert.Single(CacheFiles());
        Assert.NotEqual(oneFile, left);
    }

    [Fact]
    public async Task A_module_larger_than_the_whole_budget_is_not_stored()
    {
        byte[] module = ProbeModules.Compile(ProbeModules.Module());
        ModuleCacheStatistics statistics = await LoadAndPing(module, maxBytes: 1024);
        Assert.Equal(1, statistics.Compilations);
        Assert.Empty(CacheFiles());
    }

    [Fact]
    public async Task An_unusable_cache_directory_falls_back_to_compiling()
    {
        string blocked = Path.Combine(_directory, "blocked");
        File.WriteAllText(blocked, "a file where the cache directory should be");
        await using var host = new PluginHost(new PluginHostOptions { ModuleCache = new ModuleCacheOptions { Directory = blocked } });
        await using IProbePlugin plugin = await host.LoadModuleAsync<IProbePlugin>("p", ProbeModules.Compile(ProbeModules.Module()));
        Assert.Equal(8, plugin.Ping(7));
        Assert.Equal(1, host.ModuleCacheStatistics.Compilations);
    }

    [Fact]
    public async Task Modules_refused_at_load_do_not_stay_in_memory()
    {
        await using var host = new PluginHost();
        for (int i = 0; i < 12; i++)
        {
            // Each a distinct module that compiles but does not fit IProbePlugin (it exports no "ping").
            byte[] module = ProbeModules.Compile(ProbeModules.Module(ping: $$"""(func (export "other") (result i32) (i32.const {{i}}))"""));
            await Assert.ThrowsAsync<PluginContractException>(() => host.LoadModuleAsync<IProbePlugin>("refused-" + i, module));
        }

        await Assert.ThrowsAsync<PluginLoadException>(() => host.LoadModuleAsync<IProbePlugin>("garbage", new byte[] { 0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00, 0xFF }));
        Assert.Equal(12, host.ModuleCacheStatistics.Compilations);
        Assert.Equal(0, host.CompiledModuleCount);
    }

    [Fact]
    public async Task A_module_refused_for_one_contract_stays_while_a_loaded_plugin_uses_it()
    {
        byte[] module = ProbeModules.Compile(ProbeModules.Module());
        await using var host = new PluginHost();
        await using IProbePlugin serving = await host.LoadModuleAsync<IProbePlugin>("serving", module);
        await Assert.ThrowsAsync<PluginContractException>(() => host.LoadModuleAsync<IHookProbe>("wrong-contract", module));
        Assert.Equal(1, host.CompiledModuleCount);
        Assert.Equal(8, serving.Ping(7));
    }

    [Fact]
    public async Task Idle_modules_are_kept_up_to_the_limit_most_recent_first()
    {
        byte[][] modules = [.. Enumerable.Range(0, 5).Select(i => ProbeModules.Compile(ProbeModules.Module(extra: $$"""(func (export "other") (result i32) (i32.const {{i}}))""")))];
        await using var host = new PluginHost(new PluginHostOptions { MaxIdleModules = 2 });
        await using (IProbePlugin first = await host.LoadModuleAsync<IProbePlugin>("first", modules[0]))
        {
            foreach (byte[] module in modules[1..])
            {
                await using IProbePlugin plugin = await host.LoadModuleAsync<IProbePlugin>("p", module);
                Assert.Equal(8, plugin.Ping(7));
            }

            // The loaded plugin's module, and the two most recently unloaded.
            Assert.Equal(3, host.CompiledModuleCount);
        }

        Assert.Equal(2, host.CompiledModuleCount);
        await using IProbePlugin again = await host.LoadModuleAsync<IProbePlugin>("again", modules[4]);
        Assert.Equal(1, host.ModuleCacheStatistics.MemoryHits);
        Assert.Equal(5, host.ModuleCacheStatistics.Compilations);
    }

    [Fact]
    public void Options_are_validated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PluginHost(new PluginHostOptions { MaxIdleModules = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PluginHost(new PluginHostOptions { ModuleCache = new ModuleCacheOptions { Directory = _directory, MaxBytes = 0 } }));
        Assert.Throws<ArgumentException>(() => new PluginHost(new PluginHostOptions { ModuleCache = new ModuleCacheOptions { Directory = " " } }));
    }

    private async Task<ModuleCacheStatistics> LoadAndPing(byte[] module, long? maxBytes = null)
    {
        await using var host = new PluginHost(Options(maxBytes));
        await using IProbePlugin plugin = await host.LoadModuleAsync<IProbePlugin>("p", module);
        Assert.Equal(8, plugin.Ping(7));
        return host.ModuleCacheStatistics;
    }

    private PluginHostOptions Options(long? maxBytes = null)
        => new() { ModuleCache = new ModuleCacheOptions { Directory = _directory, MaxBytes = maxBytes ?? 512L * 1024 * 1024 } };

    private string[] CacheFiles() => [.. Directory.GetFiles(_directory, "*.airmod").Order(StringComparer.Ordinal)];
}
