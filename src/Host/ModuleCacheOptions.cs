namespace Airlock;

/// <summary>
/// Where and how much a <see cref="PluginHost"/> keeps compiled modules on disk, so that a plugin
/// loads without compiling again after a restart. See <c>docs/performance.md</c>.
/// </summary>
/// <remarks>
/// Compiled code is machine code the host runs: the directory must be writable only by the account
/// the host runs as, like the host's own binaries. Each file carries a SHA-256 of its contents and of
/// the engine configuration it was compiled for; a truncated, corrupted or foreign file is deleted and
/// the module compiled again, never loaded.
/// </remarks>
public sealed class ModuleCacheOptions
{
    /// <summary>The directory of the cache files; created when missing.</summary>
    public required string Directory { get; init; }

    /// <summary>
    /// How many bytes the cache files may take in total. When a new file takes the cache over budget,
    /// the least recently used files are deleted first. Default 500 MiB (the default <c>cache_budget</c> of Samuel).
    /// </summary>
    public long MaxBytes { get; init; } = 500L * 1024 * 1024;

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Directory);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxBytes);
    }
}

/// <summary>What a host's module cache has done since the host was created.</summary>
/// <param name="MemoryHits">Loads served by a module already compiled in this host.</param>
/// <param name="DiskHits">Loads served from a cache file.</param>
/// <param name="Compilations">Modules compiled from their bytes.</param>
/// <param name="RejectedFiles">Cache files found truncated, corrupted or foreign, and deleted.</param>
/// <param name="EvictedFiles">Cache files deleted to keep the cache within its budget.</param>
public readonly record struct ModuleCacheStatistics(long MemoryHits, long DiskHits, long Compilations, long RejectedFiles, long EvictedFiles)
{
    /// <summary>Loads served without compiling (from memory or from disk) out of all loads; 0 before the first load.</summary>
    public double HitRate
    {
        get
        {
            long loads = MemoryHits + DiskHits + Compilations;
            return loads == 0 ? 0 : (double)(MemoryHits + DiskHits) / loads;
        }
    }
}

/// <summary>What a host's module cache directory holds now, for <c>doctor</c>-style reports.</summary>
/// <param name="Directory">The cache directory; <see langword="null"/> when the host keeps no cache on disk.</param>
/// <param name="Files">How many compiled modules it holds.</param>
/// <param name="Bytes">Their total size.</param>
/// <param name="BudgetBytes">The most it may hold (<see cref="ModuleCacheOptions.MaxBytes"/>); 0 without a directory.</param>
public readonly record struct ModuleCacheUsage(string? Directory, int Files, long Bytes, long BudgetBytes);

/// <summary>
/// Settings of Wasmtime's pooling allocator, which reserves memory and tables for a fixed number of
/// instances up front and reuses them, so creating an instance costs no system calls. Worth it for
/// hosts that create many short-lived instances; see <c>docs/performance.md</c>.
/// </summary>
public sealed class PoolingAllocatorOptions
{
    /// <summary>How many instances (each with one memory and one table) can exist at once across all plugins. Default 256.</summary>
    public int MaxInstances { get; init; } = 256;

    /// <summary>
    /// The largest linear memory an instance may grow to. A plugin whose <see cref="PluginLimits.MemoryBytes"/>
    /// is larger is refused at load. Default 64 MiB.
    /// </summary>
    public long MaxMemoryBytes { get; init; } = 64L * 1024 * 1024;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxInstances);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxMemoryBytes, 65536L);
    }
}
