namespace Airlock.Abi;

/// <summary>A module of host functions, as declared by a <see cref="WasmHostAttribute"/> interface.</summary>
/// <param name="Name">The import module's name.</param>
/// <param name="Functions">The functions it provides.</param>
/// <param name="Abi">How its results reach the guest.</param>
/// <param name="ResultOffset">Where results are written, for <see cref="WasmAbi.FixedOffset"/> modules; 0 otherwise.</param>
public sealed record WasmHostModule(string Name, IReadOnlyList<WasmImportDescriptor> Functions, WasmAbi Abi = WasmAbi.PackedPtrLen, int ResultOffset = 0)
{
    /// <summary>The import module a generated <see cref="WasmHostAttribute"/> interface describes.</summary>
    /// <typeparam name="THost">The host interface.</typeparam>
    public static WasmHostModule Of<THost>()
        where THost : class, IWasmHost<THost>
        => THost.Module;
}
