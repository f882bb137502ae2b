namespace Airlock.Host.Tests;

/// <summary>A contract whose exports take and return only scalars.</summary>
[WasmPlugin]
public partial interface IScalarProbe
{
    /// <summary>Adds.</summary>
    /// <param name="a">One.</param>
    /// <param name="b">Two.</param>
    [WasmExport("add")]
    int Add(int a, int b);

    /// <summary>Scales.</summary>
    /// <param name="value">The value.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    [WasmExport("scale")]
    ValueTask<double> ScaleAsync(double value, CancellationToken cancellationToken = default);
}

/// <summary>Only scalars cross, so the module needs no memory and no allocator.</summary>
public sealed class ScalarContractTests
{
    [Fact]
    public async Task A_module_without_memory_or_allocator_serves_a_scalar_contract()
    {
        await using var host = new PluginHost();
        byte[] module = ProbeModules.Compile("""
            (module
              (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
              (func (export "scale") (param f64) (result f64) (f64.mul (local.get 0) (f64.const 2.5))))
            """);

        await using IScalarProbe plugin = await host.LoadModuleAsync<IScalarProbe>("scalar", module);

        Assert.Equal(5, plugin.Add(2, 3));
        Assert.Equal(10.0, await plugin.ScaleAsync(4.0));
        Assert.False(ContractOf<IScalarProbe>().UsesGuestMemory);
        Assert.True(ContractOf<IProbePlugin>().UsesGuestMemory);
    }

    private static Abi.WasmContract ContractOf<T>()
        where T : class, IWasmPlugin<T> => T.Contract;

    [Fact]
    public async Task A_contract_that_passes_buffers_still_needs_memory_and_allocator()
    {
        await using var host = new PluginHost();
        byte[] module = ProbeModules.Compile("""(module (func (export "ping") (param i32) (result i32) (local.get 0)))""");

        var error = await Assert.ThrowsAsync<PluginContractException>(() => host.LoadModuleAsync<IProbePlugin>("buffers", module));

        Assert.Contains("no 'memory' export", error.Message, StringComparison.Ordinal);
        Assert.Contains("no export 'alloc'", error.Message, StringComparison.Ordinal);
    }
}
