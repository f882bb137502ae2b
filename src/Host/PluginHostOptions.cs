namespace Airlock;

/// <summary>Settings of a <see cref="PluginHost"/>.</summary>
public sealed class PluginHostOptions
{
    /// <summary>The limits of every plugin unless its load options override them. See <see cref="PluginLimits"/> for the defaults.</summary>
    public PluginLimits DefaultLimits { get; set; } = PluginLimits.Default;

    /// <summary>
    /// How often the host checks running calls for their deadline and cancellation (the epoch tick).
    /// A call overruns its deadline by at most about one tick. Default 10 ms.
    /// </summary>
    public TimeSpan EpochInterval { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// The largest module the host reads and compiles. Default 64 MiB. A module file is read only up
    /// to this limit, whatever its length claims, and only if it is a regular file.
    /// </summary>
    public long MaxModuleBytes { get; set; } = DefaultMaxModuleBytes;

    /// <summary>
    /// How many compiled modules that no loaded plugin uses the host keeps in memory (the most recently
    /// used), so that reloading a plugin does not compile it again. Default 4; 0 keeps none. Modules of
    /// loaded plugins are always kept; a module refused at load is never kept.
    /// </summary>
    public int MaxIdleModules { get; set; } = 4;

    /// <summary>
    /// How the host reads manifests it is given by path (<see cref="PluginHost.LoadAsync{TPlugin}(string, PluginLoadOptions?, CancellationToken)"/>,
    /// <see cref="SocialScale.SocialScalePluginLoader"/>): by default a manifest names its module only in its own directory.
    /// </summary>
    public PluginManifestOptions Manifests { get; set; } = new();

    internal const long DefaultMaxModuleBytes = 64L * 1024 * 1024;

    /// <summary>
    /// Keeps compiled modules on disk so a restarted host loads plugins without compiling them;
    /// <see langword="null"/> (the default) keeps them in memory only.
    /// </summary>
    public ModuleCacheOptions? ModuleCache { get; set; }

    /// <summary>
    /// Uses Wasmtime's pooling allocator for instance memory and tables; <see langword="null"/> (the
    /// default) allocates them on demand.
    /// </summary>
    public PoolingAllocatorOptions? PoolingAllocator { get; set; }

    internal void Validate()
    {
        ModuleCache?.Validate();
        PoolingAllocator?.Validate();
        ArgumentNullException.ThrowIfNull(DefaultLimits);
        DefaultLimits.Validate();
        if (EpochInterval < TimeSpan.FromMilliseconds(1) || EpochInterval > TimeSpan.FromSeconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(EpochInterval), EpochInterval, "The epoch interval must be between 1 ms and 1 s.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxModuleBytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxModuleBytes, Array.MaxLength);
        ArgumentOutOfRangeException.ThrowIfNegative(MaxIdleModules);
        ArgumentNullException.ThrowIfNull(Manifests);
    }
}
