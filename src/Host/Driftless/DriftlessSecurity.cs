namespace Airlock.Driftless;

/// <summary>
/// The <c>[security]</c> table of a Driftless <c>plugins.toml</c>: the resources every Driftless plugin may use and what
/// it may import. Every member not written in the file has the Driftless default (<see cref="Default"/>).
/// </summary>
/// <remarks>
/// <code>
/// [security]
/// max_memory = 67108864        # bytes (64 MiB)
/// fuel_limit = 1000000000      # instructions per execution
/// execution_timeout_secs = 30  # seconds per execution
/// allow_wasi = false           # no WASI imports
/// debug_enabled = false        # no debug features
/// </code>
/// </remarks>
public sealed record DriftlessSecurity
{
    /// <summary>The smallest <c>max_memory</c>: 65536 bytes (64 KiB, one wasm page).</summary>
    public const long MinMaxMemory = 64 * 1024;

    /// <summary>The largest <c>max_memory</c>: 2147483648 bytes (2 GiB, the most <see cref="PluginLimits.MemoryBytes"/> allows).</summary>
    public const long MaxMaxMemory = 2L * 1024 * 1024 * 1024;

    /// <summary>The largest <c>fuel_limit</c>: 100000000000 (a hundred times the default).</summary>
    public const ulong MaxFuelLimit = 100_000_000_000;

    /// <summary>The largest <c>execution_timeout_secs</c>: 3600 (one hour).</summary>
    public const int MaxExecutionTimeoutSeconds = 3600;

    /// <summary>The Driftless defaults: 64 MiB, 1 000 000 000 instructions and 30 seconds per execution, no WASI, no debug features.</summary>
    public static DriftlessSecurity Default { get; } = new();

    /// <summary>The most linear memory a plugin instance may grow to, in bytes (<c>max_memory</c>). Default 67108864 (64 MiB).</summary>
    public long MaxMemory { get; init; } = 64L * 1024 * 1024;

    /// <summary>The fuel (about one unit per wasm instruction) one execution may consume (<c>fuel_limit</c>). Default 1 000 000 000.</summary>
    public ulong FuelLimit { get; init; } = 1_000_000_000;

    /// <summary>The wall-clock time one execution may take (<c>execution_timeout_secs</c>). Default 30 seconds.</summary>
    public TimeSpan ExecutionTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Whether a plugin may import WASI (<c>wasi_snapshot_preview1</c>) (<c>allow_wasi</c>). Default <see langword="false"/>:
    /// a module that imports any WASI function is refused at load (<see cref="DriftlessImportRules"/>).
    /// </summary>
    public bool AllowWasi { get; init; }

    /// <summary>
    /// Whether what a plugin author needs to debug is on (<c>debug_enabled</c>): wasm backtraces with function names and
    /// debug-level <c>host_log</c> lines. Nothing else changes. Default <see langword="false"/>.
    /// </summary>
    public bool DebugEnabled { get; init; }

    /// <summary>
    /// These settings as Airlock's <see cref="PluginLimits"/>: <see cref="MaxMemory"/>, <see cref="FuelLimit"/> and
    /// <see cref="ExecutionTimeout"/> replace the memory, fuel and timeout of <paramref name="hostDefaults"/>, which keeps
    /// deciding what <c>plugins.toml</c> does not have (the payload size and the number of instances).
    /// </summary>
    /// <param name="hostDefaults">The host's limits for everything else.</param>
    /// <returns>The validated limits.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range (possible only for settings built in code, not for ones read from a file).</exception>
    public PluginLimits ToLimits(PluginLimits hostDefaults)
    {
        ArgumentNullException.ThrowIfNull(hostDefaults);
        PluginLimits limits = hostDefaults with { MemoryBytes = MaxMemory, FuelPerCall = FuelLimit, Timeout = ExecutionTimeout };
        limits.Validate();
        return limits;
    }
}
