namespace Airlock.Security;

/// <summary>
/// The limits a manifest asks for (its <c>limits</c> object). The administrator's limits cap them:
/// see <see cref="PluginLimitPolicy"/>.
/// </summary>
public sealed record PluginLimitRequest
{
    /// <summary>Linear memory, in bytes.</summary>
    public long? MemoryBytes { get; init; }

    /// <summary>Fuel per call.</summary>
    public ulong? FuelPerCall { get; init; }

    /// <summary>Wall-clock time per call.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Concurrent instances.</summary>
    public int? MaxInstances { get; init; }

    /// <summary>Outbound HTTP requests per hour.</summary>
    public int? HttpRequestsPerHour { get; init; }
}
