namespace Airlock.Discovery;

/// <summary>
/// The plugins of a <see cref="PluginDirectory{TPlugin}"/> at one moment, kept loaded until the lease
/// is disposed. Take one per operation (a save, a delete) so every hook of the operation runs on the
/// same versions, and a reload in between cannot unload a plugin under it.
/// </summary>
/// <typeparam name="TPlugin">The plugins' contract.</typeparam>
public sealed class PluginLease<TPlugin> : IDisposable
    where TPlugin : class, IWasmPlugin
{
    private readonly PluginDirectory<TPlugin> _directory;
    private readonly PluginDirectory<TPlugin>.Entry[] _entries;
    private int _released;

    internal PluginLease(PluginDirectory<TPlugin> directory, PluginDirectory<TPlugin>.Entry[] entries)
    {
        _directory = directory;
        _entries = entries;
        Plugins = [.. entries.Select(e => e.Plugin)];
    }

    /// <summary>The plugins, in name order.</summary>
    public IReadOnlyList<TPlugin> Plugins { get; }

    /// <summary>Releases the plugins; a version replaced meanwhile is unloaded when its last lease ends.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            _directory.Release(_entries);
        }
    }
}
