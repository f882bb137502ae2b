namespace Airlock.Host.Tests;

/// <summary>
/// A second plugin over a module already in memory: the same unchanged bytes are neither copied nor
/// hashed again and the contract check is not repeated, while bytes changed in the same array, even in
/// place, are never served what was worked out for the old ones.
/// </summary>
public sealed class ModuleReuseTests
{
    private static string Ping(int add) => $$"""(func (export "ping") (param i32) (result i32) (i32.add (local.get 0) (i32.const {{add}})))""";

    [Fact]
    public async Task The_same_unchanged_array_is_hashed_and_checked_once()
    {
        byte[] module = ProbeModules.Compile(ProbeModules.Module());
        await using var host = new PluginHost();
        await using IProbePlugin first = await host.LoadModuleAsync<IProbePlugin>("first", module);
        await using IProbePlugin second = await host.LoadModuleAsync<IProbePlugin>("second", module);
        await using IProbePlugin third = await host.LoadModuleAsync<IProbePlugin>("third", module.AsMemory());

        Assert.Equal(8, first.Ping(7));
        Assert.Equal(8, second.Ping(7));
        Assert.Equal(8, third.Ping(7));
        Assert.Equal(1, host.ModuleHashes);
        Assert.Equal(1, host.ContractChecks);
        Assert.Equal(new ModuleCacheStatistics(2, 0, 1, 0, 0), host.ModuleCacheStatistics);
    }

    [Fact]
    public async Task Bytes_changed_in_the_same_array_are_hashed_and_compiled_again()
    {
        byte[] module = ProbeModules.Compile(ProbeModules.Module(ping: Ping(1)));
        byte[] changed = ProbeModules.Compile(ProbeModules.Module(ping: Ping(2)));
        Assert.Equal(module.Length, changed.Length);
        await using var host = new PluginHost();
        await using IProbePlugin before = await host.LoadModuleAsync<IProbePlugin>("before", module);

        changed.CopyTo(module, 0);
        await using IProbePlugin after = await host.LoadModuleAsync<IProbePlugin>("after", module);

        Assert.Equal(8, before.Ping(7));
        Assert.Equal(9, after.Ping(7));
        Assert.Equal(2, host.ModuleHashes);
        Assert.Equal(2, host.ModuleCacheStatistics.Compilations);
        Assert.NotEqual(before.Info.ModuleSha256, after.Info.ModuleSha256);
    }

    [Fact]
    public async Task A_check_passed_before_the_array_changed_is_not_reused()
    {
        byte[] module = ProbeModules.Compile(ProbeModules.Module());
        await using var host = new PluginHost();
        await using IProbePlugin serving = await host.LoadModuleAsync<IProbePlugin>("serving", module);

        // The same length, the export renamed: the module no longer fits the contract.
        int name = module.AsSpan().IndexOf("ping"u8);
        "pong"u8.CopyTo(module.AsSpan(name));
        PluginContractException refused = await Assert.ThrowsAsync<PluginContractException>(() => host.LoadModuleAsync<IProbePlugin>("changed", module));

        Assert.Contains("ping", refused.Message, StringComparison.Ordinal);
        Assert.Equal(2, host.ContractChecks);
        Assert.Equal(8, serving.Ping(7));
    }

    [Fact]
    public async Task Another_array_of_the_same_bytes_is_hashed_and_served_from_memory()
    {
        byte[] module = ProbeModules.Compile(ProbeModules.Module());
        await using var host = new PluginHost();
        await using IProbePlugin first = await host.LoadModuleAsync<IProbePlugin>("first", module);
        await using IProbePlugin second = await host.LoadModuleAsync<IProbePlugin>("second", module.ToArray());

        Assert.Equal(8, second.Ping(7));
        Assert.Equal(2, host.ModuleHashes);
        Assert.Equal(1, host.ContractChecks);
        Assert.Equal(1, host.ModuleCacheStatistics.MemoryHits);
    }

    [Fact]
    public async Task A_slice_at_another_offset_of_the_same_array_is_not_taken_for_the_first()
    {
        byte[] one = ProbeModules.Compile(ProbeModules.Module(ping: Ping(1)));
        byte[] two = ProbeModules.Compile(ProbeModules.Module(ping: Ping(2)));
        byte[] both = [.. one, .. two];
        await using var host = new PluginHost();
        await using IProbePlugin first = await host.LoadModuleAsync<IProbePlugin>("first", both.AsMemory(0, one.Length));
        await using IProbePlugin second = await host.LoadModuleAsync<IProbePlugin>("second", both.AsMemory(one.Length));

        Assert.Equal(8, first.Ping(7));
        Assert.Equal(9, second.Ping(7));
    }

    [Fact]
    public async Task Plugins_sharing_a_linker_keep_serving_when_one_unloads()
    {
        byte[] module = ProbeModules.Compile(ProbeModules.Module());
        var options = new PluginLoadOptions { Limits = PluginLimits.Default with { MaxInstances = 2 } };
        await using var host = new PluginHost();
        IProbePlugin first = await host.LoadModuleAsync<IProbePlugin>("first", module, options);
        await using IProbePlugin second = await host.LoadModuleAsync<IProbePlugin>("second", module, options);
        Assert.Equal(8, first.Ping(7));
        await first.DisposeAsync();

        // Calls in parallel make the second plugin instantiate again through the linker it shares.
        int[] answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => second.Ping(i))));
        Assert.Equal(Enumerable.Range(1, 8), answers);
        await using IProbePlugin third = await host.LoadModuleAsync<IProbePlugin>("third", module, options);
        Assert.Equal(8, third.Ping(7));
    }

    [Fact]
    public async Task A_second_load_of_a_large_module_does_not_copy_it()
    {
        // A module of about 256 KB (a data segment): a copy of it would show in the allocations.
        string data = string.Concat(Enumerable.Repeat("\\2a", 256 * 1024));
        byte[] module = ProbeModules.Compile(ProbeModules.Module(extra: $"""(data (i32.const 4096) "{data}")""").Replace("(memory (export \"memory\") 1)", "(memory (export \"memory\") 8)", StringComparison.Ordinal));
        Assert.True(module.Length > 256 * 1024);
        await using var host = new PluginHost();
        await using IProbePlugin first = await host.LoadModuleAsync<IProbePlugin>("first", module);

        long before = GC.GetAllocatedBytesForCurrentThread();
        Task<IProbePlugin> load = host.LoadModuleAsync<IProbePlugin>("second", module);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        await using IProbePlugin second = await load;

        Assert.True(load.IsCompletedSuccessfully, "a module in memory loads without leaving the calling thread");
        Assert.True(allocated < module.Length / 4, $"the second load allocated {allocated} bytes for a {module.Length}-byte module");
        Assert.Equal(1, host.ModuleHashes);
        Assert.Equal(8, second.Ping(7));
    }
}
