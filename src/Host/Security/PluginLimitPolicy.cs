namespace Airlock.Security;

/// <summary>
/// The administrator's say over plugin limits: defaults, ceilings a manifest may ask up to, and
/// per-plugin overrides that win over everything.
/// </summary>
public sealed class PluginLimitPolicy
{
    /// <summary>Limits of a plugin whose manifest asks for none.</summary>
    public PluginLimits Defaults { get; set; } = PluginLimits.Default;

    /// <summary>The most a manifest may ask for; larger requests are cut to these.</summary>
    public PluginLimits Maximums { get; set; } = PluginLimits.Default with
    {
        MemoryBytes = 256L * 1024 * 1024,
        FuelPerCall = 10_000_000_000,
        Timeout = TimeSpan.FromSeconds(60),
        MaxInstances = Math.Max(2, Environment.ProcessorCount * 2),
    };

    /// <summary>Outbound HTTP requests per hour of a plugin whose manifest asks for no other number: 1000.</summary>
    public int DefaultHttpRequestsPerHour { get; set; } = 1000;

    /// <summary>The most outbound HTTP requests per hour a manifest may ask for.</summary>
    public int MaxHttpRequestsPerHour { get; set; } = 10_000;

    /// <summary>Limits the administrator set for particular plugins, by plugin id; they replace the manifest's.</summary>
    public IDictionary<string, PluginLimitOverride> Overrides { get; } = new Dictionary<string, PluginLimitOverride>(StringComparer.Ordinal);

    /// <summary>Works out the limits of one plugin.</summary>
    /// <param name="pluginId">The plugin.</param>
    /// <param name="requested">What its manifest asks for, if anything.</param>
    public EffectiveLimits Resolve(string pluginId, PluginLimitRequest? requested)
    {
        ArgumentException.ThrowIfNullOrEmpty(pluginId);
        Overrides.TryGetValue(pluginId, out PluginLimitOverride? admin);
        requested ??= new PluginLimitRequest();
        PluginLimits limits = admin?.Limits ?? Defaults with
        {
            MemoryBytes = Math.Min(requested.MemoryBytes ?? Defaults.MemoryBytes, Maximums.MemoryBytes),
            FuelPerCall = PluginLimitsMath.MinFuel(requested.FuelPerCall ?? Defaults.FuelPerCall, Maximums.FuelPerCall),
            Timeout = Min(requested.Timeout ?? Defaults.Timeout, Maximums.Timeout),
            MaxInstances = Math.Min(requested.MaxInstances ?? Defaults.MaxInstances, Maximums.MaxInstances),
        };
        limits.Validate();
        int rate = admin?.HttpRequestsPerHour ?? Math.Min(requested.HttpRequestsPerHour ?? DefaultHttpRequestsPerHour, MaxHttpRequestsPerHour);
        return new EffectiveLimits(limits, rate);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}

/// <summary>Limits the administrator set for one plugin.</summary>
/// <param name="Limits">Memory, fuel, time and instances; <see langword="null"/> to keep the manifest's (capped).</param>
/// <param name="HttpRequestsPerHour">Outbound requests per hour; <see langword="null"/> to keep the manifest's (capped).</param>
public sealed record PluginLimitOverride(PluginLimits? Limits = null, int? HttpRequestsPerHour = null);

/// <summary>The limits a plugin runs under.</summary>
/// <param name="Limits">Memory, fuel, time and instances.</param>
/// <param name="HttpRequestsPerHour">Outbound HTTP requests per hour (sliding window).</param>
public sealed record EffectiveLimits(PluginLimits Limits, int HttpRequestsPerHour);

/// <summary>Arithmetic over optional instruction budgets.</summary>
internal static class PluginLimitsMath
{
    /// <summary>The smaller budget, where <see langword="null"/> (no budget) is larger than any number.</summary>
    public static ulong? MinFuel(ulong? a, ulong? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);
}
