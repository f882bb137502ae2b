using Airlock.Abi;

namespace Airlock;

/// <summary>
/// A loaded plugin: the generated client of a <see cref="WasmPluginAttribute"/> contract. Disposing it
/// waits for calls in flight and releases every instance.
/// </summary>
public interface IWasmPlugin : IAsyncDisposable
{
    /// <summary>What the host knows about the loaded plugin: identity, module hash, limits.</summary>
    WasmPluginInfo Info { get; }
}

/// <summary>
/// Implemented on a contract interface by Airlock's source generator so that the host can describe,
/// check and instantiate the contract without reflection.
/// </summary>
/// <typeparam name="TSelf">The contract interface itself.</typeparam>
public interface IWasmPlugin<TSelf> : IWasmPlugin
    where TSelf : class, IWasmPlugin<TSelf>
{
    /// <summary>The exports, signatures and host modules of the contract.</summary>
    static abstract WasmContract Contract { get; }

    /// <summary>Creates the generated client over a plugin the host has loaded.</summary>
    /// <param name="activator">The host's side of the binding.</param>
    static abstract TSelf Create(WasmPluginActivator activator);
}
