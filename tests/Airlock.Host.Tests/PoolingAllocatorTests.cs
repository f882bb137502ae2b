namespace Airlock.Host.Tests;

/// <summary>Wasmtime's pooling allocator, as an option of the host.</summary>
public sealed class PoolingAllocatorTests
{
    [Fact]
    public async Task Plugins_run_on_pooled_memory()
    {
        await using var host = new PluginHost(new PluginHostOptions { PoolingAllocator = new PoolingAllocatorOptions { MaxInstances = 8 } });
        await using IProbePlugin plugin = await host.LoadModuleAsync<IProbePlugin>("p", ProbeModules.Compile(ProbeModules.Module()));
        Assert.Equal(8, plugin.Ping(7));
        Assert.Equal("ok", plugin.Text("ok"));
    }

    [Fact]
    public async Task A_memory_limit_above_the_pool_slot_is_refused_at_load()
    {
        await using var host = new PluginHost(new PluginHostOptions { PoolingAllocator = new PoolingAllocatorOptions { MaxMemoryBytes = 1024 * 1024 } });
        var error = await Assert.ThrowsAsync<PluginLoadException>(() => host.LoadModuleAsync<IProbePlugin>("p", ProbeModules.Compile(ProbeModules.Module())));
        Assert.Equal("Plugin 'p' may use 67108864 bytes of memory, more than the pooling allocator's 1048576 bytes per instance; lower its memory limit or raise PoolingAllocatorOptions.MaxMemoryBytes.", error.Message);
    }

    [Fact]
    public async Task An_exhausted_pool_is_a_typed_error_not_a_crash()
    {
        await using var host = new PluginHost(new PluginHostOptions { PoolingAllocator = new PoolingAllocatorOptions { MaxInstances = 1 } });
        byte[] module = ProbeModules.Compile(ProbeModules.Module());
        await using IProbePlugin first = await host.LoadModuleAsync<IProbePlugin>("a", module);
        Assert.Equal(8, first.Ping(7));
        Exception error = await Record.ExceptionAsync(async () =>
        {
            await using IProbePlugin second = await host.LoadModuleAsync<IProbePlugin>("b", module);
            second.Ping(1);
        });
        Assert.IsAssignableFrom<AirlockException>(error);
        Assert.Equal(8, first.Ping(7));
    }

    [Fact]
    public void Options_are_validated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PluginHost(new PluginHostOptions { PoolingAllocator = new PoolingAllocatorOptions { MaxInstances = 0 } }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PluginHost(new PluginHostOptions { PoolingAllocator = new PoolingAllocatorOptions { MaxMemoryBytes = 100 } }));
    }
}
