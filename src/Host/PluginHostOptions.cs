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
    /// The largest module the host reads and compiles, in bytes. Default 64 MiB. A module file is read
    /// only up to this limit, whatever its length claims, and only if it is a regular file. Checked, with
    /// <see cref="MaxModuleFunctions"/> and <see cref="MaxFunctionBodyBytes"/>, before anything is
    /// compiled: a module over a limit is refused with <see cref="PluginModuleLimitException"/>.
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
    /// The most functions a module may define (imports do not count). Default 100,000. Compiling
    /// costs time and memory per function, so this bounds what one module can cost at load.
    /// </summary>
    public int MaxModuleFunctions { get; set; } = 100_000;

    /// <summary>
    /// The largest function body a module may have, in bytes. Default 1 MiB. One function compiles on
    /// one thread and its cost grows with its size, so this bounds the longest single step of a
    /// compilation. (Wasmtime's own limit is 7,654,321 bytes.)
    /// </summary>
    public int MaxFunctionBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// The WASI plugins get unless their load options say otherwise (<see cref="PluginLoadOptions.Wasi"/>).
    /// Default <see cref="WasiPolicy.Minimal"/>, Airlock's own minimal WASI.
    /// </summary>
    public WasiPolicy Wasi { get; set; } = WasiPolicy.Minimal;

    /// <summary>
    /// The rate of the host's own log limit (<see cref="PluginHost.LogLimiter"/>), which applies per
    /// plugin to WASI stdout and stderr when a load gives no <see cref="PluginLoadOptions.LogLimiter"/>.
    /// Default 10 lines a second with bursts of 50.
    /// </summary>
    public Services.LogRateLimiterOptions PluginLogRate { get; set; } = new();

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
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxModuleFunctions);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxFunctionBodyBytes);
        ArgumentNullException.ThrowIfNull(Wasi);
        ArgumentNullException.ThrowIfNull(PluginLogRate);
        PluginLogRate.Validate();
    }
}
