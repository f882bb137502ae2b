namespace Airlock.Host.Tests;

/// <summary>
/// A module built on guest bindings names its contract and the contract's wire hash in a custom section; the host refuses
/// one whose hash is not the contract's (bindings of another version: a renamed member or a new union case would be
/// misread while every export and import still fits).
/// </summary>
public sealed class StaleBindingsLoadTests
{
    private const string Name = "Airlock.Host.Tests.IScalarProbe";

    private static readonly byte[] Module = ProbeModules.Compile("""
        (module
          (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
          (func (export "scale") (param f64) (result f64) (f64.mul (local.get 0) (f64.const 2.5))))
        """);

    private static string Current => ContractOf<IScalarProbe>().BindingsHash!;

    [Fact]
    public async Task A_module_stamped_with_the_contracts_wire_hash_loads_and_serves()
    {
        Assert.Matches("^[0-9a-f]{16}$", Current);
        await using var host = new PluginHost();
        await using IScalarProbe plugin = await host.LoadModuleAsync<IScalarProbe>("fresh", Stamp(Module, "airlock.bindings:" + Name + ":" + Current));
        Assert.Equal(5, plugin.Add(2, 3));

        // A custom section that is not a stamp is not judged.
        await using IScalarProbe unrelated = await host.LoadModuleAsync<IScalarProbe>("unrelated", Stamp(Module, "airlock.bindings"));
        Assert.Equal(7, unrelated.Add(3, 4));
    }

    [Fact]
    public async Task A_module_stamped_with_another_wire_hash_is_refused_at_every_load_naming_both_hashes()
    {
        await using var host = new PluginHost();
        byte[] stale = Stamp(Module, "airlock.bindings:" + Name + ":00000000deadbeef");
        for (int attempt = 0; attempt < 2; attempt++)
        {
            // The second load finds the module compiled in memory: the refusal is not remembered as a pass.
            var error = await Assert.ThrowsAsync<PluginContractException>(() => host.LoadModuleAsync<IScalarProbe>("stale", stale));
            Assert.Contains($"its bindings were generated from contract '{Name}' with wire hash 00000000deadbeef, but the contract's wire hash is now {Current}", error.Message, StringComparison.Ordinal);
        }

        byte[] other = Stamp(Module, "airlock.bindings:Shop.IOrderPlugin:00000000deadbeef");
        var mismatch = await Assert.ThrowsAsync<PluginContractException>(() => host.LoadModuleAsync<IScalarProbe>("other", other));
        Assert.Contains($"generated from contract 'Shop.IOrderPlugin' with wire hash 00000000deadbeef, not from '{Name}' (wire hash {Current})", mismatch.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hostile_stamp_is_refused_with_its_name_cut_short()
    {
        await using var host = new PluginHost();
        string huge = "airlock.bindings:" + new string('X', 60_000) + ":" + new string('f', 5_000);
        var error = await Assert.ThrowsAsync<PluginContractException>(() => host.LoadModuleAsync<IScalarProbe>("huge", Stamp(Module, huge)));
        Assert.True(error.Message.Length < 2_000, error.Message.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains("...", error.Message, StringComparison.Ordinal);
    }

    private static Abi.WasmContract ContractOf<T>()
        where T : class, IWasmPlugin<T> => T.Contract;

    // The module with a custom section appended (custom sections may come anywhere).
    private static byte[] Stamp(byte[] module, string name)
    {
        byte[] utf8 = System.Text.Encoding.UTF8.GetBytes(name);
        byte[] payload = [.. Leb((uint)utf8.Length), .. utf8, 1];
        return [.. module, 0, .. Leb((uint)payload.Length), .. payload];
    }

    private static IEnumerable<byte> Leb(uint value)
    {
        do
        {
            byte b = (byte)(value & 0x7F);
            value >>= 7;
            yield return value == 0 ? b : (byte)(b | 0x80);
        }
        while (value != 0);
    }
}
