using System.Reflection;
using Airlock.Abi;
using Airlock.Cli.Plugins;
using Airlock.GuestBindings;

namespace Airlock.Cli.Tests.GuestBindings;

/// <summary>
/// The source generator puts each contract's wire hash in its <see cref="WasmContract"/> (what the host and the build
/// compare a module's stamp with); the guest-bindings tool computes the hash it stamps from the compiled contract. Both
/// must give the same hash for every contract, or a module built on fresh bindings would be refused.
/// </summary>
public sealed class WireHashAgreementTests
{
    public static TheoryData<string> Contracts()
    {
        var data = new TheoryData<string>();
        foreach (Type type in typeof(IWasmPlugin).Assembly.GetTypes().Where(t => t.IsInterface && t.GetCustomAttribute<WasmPluginAttribute>() is not null).OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            data.Add(type.FullName!);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Contracts))]
    public void Every_shipped_contract_carries_the_wire_hash_its_guest_bindings_stamp(string name)
    {
        Type type = typeof(IWasmPlugin).Assembly.GetType(name, throwOnError: true)!;
        var contract = (WasmContract)typeof(Profiles).GetMethod(nameof(Profiles.ContractOf))!.MakeGenericMethod(type).Invoke(null, null)!;

        Assert.NotNull(contract.BindingsHash);
        Assert.Equal(GuestBindingsGenerator.WireHash(typeof(IWasmPlugin).Assembly.Location, name), contract.BindingsHash);
    }
}
