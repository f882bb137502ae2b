using Airlock.Abi;

namespace Airlock.Runtime;

/// <summary>Binds a generated client to a loaded plugin: gives it a runtime over a pool of instances.</summary>
internal sealed class PluginActivator : WasmPluginActivator
{
    private readonly LoadedPlugin _plugin;
    private Action? _warm;

    public PluginActivator(LoadedPlugin plugin) => _plugin = plugin;

    public override WasmPluginInfo Plugin => _plugin.Info;

    /// <inheritdoc/>
    public override bool HasExport(string name) => _plugin.HasFunctionExport(name);

    public override WasmPluginRuntime<TExports> CreateRuntime<TExports>(Func<Wasmtime.Instance, TExports> bindExports)
    {
        ArgumentNullException.ThrowIfNull(bindExports);
        if (_warm is not null)
        {
            throw new InvalidOperationException($"A runtime for plugin '{_plugin.Info.Id}' was already created; a client creates exactly one.");
        }

        var pool = new InstancePool<TExports>(_plugin, bindExports);
        _warm = pool.Warm;
        return new WasmPluginRuntime<TExports>(pool);
    }

    /// <summary>Creates the first instance, so that link and start-up errors surface at load.</summary>
    public void Warm()
    {
        if (_warm is null)
        {
            throw new InvalidOperationException($"The generated client of plugin '{_plugin.Info.Id}' did not create its runtime.");
        }

        _warm();
    }
}
