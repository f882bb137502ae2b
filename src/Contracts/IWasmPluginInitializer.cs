namespace Airlock;

/// <summary>
/// Lets a contract check a plugin when it is loaded, before the application receives it: for example
/// ask for its metadata and refuse an unsupported ABI version. Implement it on the contract interface
/// with a default interface method; the host calls it once per load.
/// </summary>
public interface IWasmPluginInitializer
{
    /// <summary>Runs the contract's load-time checks.</summary>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <exception cref="PluginLoadException">The plugin does not satisfy the contract.</exception>
    ValueTask InitializeAsync(CancellationToken cancellationToken);
}
