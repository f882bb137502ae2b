namespace Airlock.Abi;

/// <summary>A module of host functions, as declared by a <see cref="WasmHostAttribute"/> interface.</summary>
/// <param name="Name">The import module's name.</param>
/// <param name="Functions">The functions it provides.</param>
public sealed record WasmHostModule(string Name, IReadOnlyList<WasmImportDescriptor> Functions)
{
    /// <summary>The import module a generated <see cref="WasmHostAttribute"/> interface describes.</summary>
    /// <typeparam name="THost">The host interface.</typeparam>
    public static WasmHostModule Of<THost>()
        where THost : class, IWasmHost<THost>
        => THost.Module;
}
