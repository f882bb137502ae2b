namespace Airlock;

/// <summary>
/// The resources one plugin may use. Every call to an export runs with a fresh wall-clock deadline (and a fresh
/// instruction budget when <see cref="FuelPerCall"/> sets one); memory is limited per instance; at most
/// <see cref="MaxInstances"/> calls run at once, each on its own instance.
/// </summary>
public sealed record PluginLimits
{
    /// <summary>The defaults: 64 MiB of memory, 30 s per call and no instruction budget, 16 MiB payloads, one instance per processor.</summary>
    public static PluginLimits Default { get; } = new();

    /// <summary>The most linear memory an instance may grow to, in bytes. Default 64 MiB; at most 2 GiB.</summary>
    public long MemoryBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>
    /// The instruction budget of one call: the fuel (about one unit per wasm instruction) it may consume, or
    /// <see langword="null"/> (the default) for none, when the deadline alone bounds a call. A plugin with a budget runs on
    /// an engine that meters fuel, which slows the guest's own code (see <c>docs/performance.md</c>); one without runs on
    /// an epoch-only engine. Profiles that promise an instruction limit set it (Driftless's <c>fuel_limit</c>, a
    /// SocialScale manifest's <c>fuel_per_call</c>).
    /// </summary>
    public ulong? FuelPerCall { get; init; }

    /// <summary>The wall-clock time one call may take. Default 30 seconds.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The largest payload a plugin may hand the host in one buffer, in bytes. Default 16 MiB.</summary>
    public int MaxPayloadBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>How many instances, and so how many concurrent calls, one plugin may have. Default: the processor count.</summary>
    public int MaxInstances { get; init; } = Environment.ProcessorCount;

    /// <summary>Checks that every limit is in range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is out of range; the message names it.</exception>
    public void Validate()
    {
        const long MaxMemory = 2L * 1024 * 1024 * 1024;
        if (MemoryBytes < 65536 || MemoryBytes > MaxMemory)
        {
            throw new ArgumentOutOfRangeException(nameof(MemoryBytes), MemoryBytes, $"{nameof(MemoryBytes)} must be between 64 KiB (one wasm page) and 2 GiB.");
        }

        if (FuelPerCall == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(FuelPerCall), FuelPerCall, $"{nameof(FuelPerCall)} must be positive.");
        }

        if (Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Timeout), Timeout, $"{nameof(Timeout)} must be positive.");
        }

        if (MaxPayloadBytes <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxPayloadBytes), MaxPayloadBytes, $"{nameof(MaxPayloadBytes)} must be positive.");
        }

        if (MaxInstances <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxInstances), MaxInstances, $"{nameof(MaxInstances)} must be positive.");
        }
    }
}
