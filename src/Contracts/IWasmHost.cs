using Airlock.Abi;

namespace Airlock;

/// <summary>
/// Implemented on a <see cref="WasmHostAttribute"/> interface by Airlock's source generator: describes
/// the import module and wires an implementation into a Wasmtime linker.
/// </summary>
/// <typeparam name="TSelf">The host interface itself.</typeparam>
public interface IWasmHost<TSelf>
    where TSelf : class, IWasmHost<TSelf>
{
    /// <summary>The import module and the signature of each function in it.</summary>
    static abstract WasmHostModule Module { get; }

    /// <summary>Defines every import of the module on <paramref name="linker"/>, calling <paramref name="implementation"/>.</summary>
    /// <param name="linker">The linker plugins are instantiated with.</param>
    /// <param name="implementation">The application's implementation of the host functions.</param>
    static abstract void DefineImports(Wasmtime.Linker linker, TSelf implementation);
}
