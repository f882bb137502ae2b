namespace Airlock.Abi;

/// <summary>
/// The host's side of binding a contract to a loaded plugin. A generated client receives one in its
/// factory and asks it for a runtime over its typed exports.
/// </summary>
public abstract class WasmPluginActivator
{
    /// <summary>The plugin being bound.</summary>
    public abstract WasmPluginInfo Plugin { get; }

    /// <summary>Whether the plugin's module exports a function called <paramref name="name"/>.</summary>
    /// <param name="name">The export's name.</param>
    public abstract bool HasExport(string name);

    /// <summary>Creates the runtime that runs the client's operations on pooled instances.</summary>
    /// <typeparam name="TExports">The generated class that holds the contract's typed exports.</typeparam>
    /// <param name="bindExports">Binds the typed exports of a new instance; called once per instance.</param>
    public abstract WasmPluginRuntime<TExports> CreateRuntime<TExports>(Func<Wasmtime.Instance, TExports> bindExports)
        where TExports : class;
}
