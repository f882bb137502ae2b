using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;
using Airlock.Abi;
using Wasmtime;

namespace Airlock.Diagnostics;

/// <summary>
/// Airlock's meter with its instruments, and its activity source. A host created with
/// <c>new PluginHost()</c> reports through <see cref="Shared"/>, a process-wide meter; a host created by
/// <see cref="AirlockServiceCollectionExtensions.AddAirlock"/> in a container that has an
/// <see cref="IMeterFactory"/> reports through a meter that factory owns. Both meters are named
/// <see cref="AirlockTelemetry.SourceName"/>, so a listener subscribing by name sees both.
/// </summary>
/// <remarks>
/// Every record is guarded by the instrument's <see cref="Instrument.Enabled"/> (or the source's
/// <see cref="ActivitySource.HasListeners"/>): with nothing listening, recording is a few field reads.
/// </remarks>
internal sealed class AirlockInstruments
{
    /// <summary>The assembly's informational version, the meter's and the activity source's version.</summary>
    public static readonly string Version = typeof(AirlockInstruments).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(AirlockInstruments).Assembly.GetName().Version?.ToString()
        ?? "0.0.0";

    // Seconds (declared before Shared, whose instruments use them), from 10 µs to 10 s: the default boundaries (0 to 10 000) are meant for milliseconds.
    private static readonly IReadOnlyList<double> SecondsBuckets = [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private static readonly Dictionary<TrapCode, string> TrapKinds = Enum.GetValues<TrapCode>().Distinct().ToDictionary(code => code, code => SnakeCase(code.ToString()));

    /// <summary>Airlock's one activity source (activity sources have no factory; one per process).</summary>
    public static readonly ActivitySource Source = new(AirlockTelemetry.SourceName, Version);

    /// <summary>The process-wide instruments, for hosts created without dependency injection.</summary>
    public static readonly AirlockInstruments Shared = new(new Meter(AirlockTelemetry.SourceName, Version));

    private readonly Lock _poolsLock = new();
    private readonly List<IInstanceCounts> _pools = [];

    private AirlockInstruments(Meter meter)
    {
        Meter = meter;
        Calls = meter.CreateCounter<long>(AirlockTelemetry.Instruments.Calls, "{call}", "Completed plugin calls, by plugin, export and outcome.");
        CallDuration = meter.CreateHistogram(AirlockTelemetry.Instruments.CallDuration, "s", "Duration of plugin calls.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        FuelConsumed = meter.CreateHistogram<long>(AirlockTelemetry.Instruments.FuelConsumed, "{fuel}", "Fuel consumed per call, for plugins with an instruction budget.");
        MemoryHighWater = meter.CreateHistogram<long>(AirlockTelemetry.Instruments.MemoryHighWater, "By", "Size of a plugin instance's linear memory after a call.");
        Traps = meter.CreateCounter<long>(AirlockTelemetry.Instruments.Traps, "{trap}", "Plugin traps, by kind.");
        Timeouts = meter.CreateCounter<long>(AirlockTelemetry.Instruments.Timeouts, "{call}", "Plugin calls stopped at their deadline.");
        Denials = meter.CreateCounter<long>(AirlockTelemetry.Instruments.Denials, "{denial}", "Capability uses refused to plugins, by capability.");
        RateLimited = meter.CreateCounter<long>(AirlockTelemetry.Instruments.RateLimited, "{request}", "Plugin requests refused by a rate limit, by capability.");
        LogDropped = meter.CreateCounter<long>(AirlockTelemetry.Instruments.LogDropped, "{line}", "Plugin log lines dropped by the log rate limit.");
        ModuleCache = meter.CreateCounter<long>(AirlockTelemetry.Instruments.ModuleCache, "{operation}", "Module cache lookups and evictions, by result.");
        LoadDuration = meter.CreateHistogram(AirlockTelemetry.Instruments.LoadDuration, "s", "Time to load a plugin's module, compile included, by source.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        CompileDuration = meter.CreateHistogram(AirlockTelemetry.Instruments.CompileDuration, "s", "Time to compile a plugin's module.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        meter.CreateObservableUpDownCounter(AirlockTelemetry.Instruments.Instances, ObserveInstances, "{instance}", "Plugin instances: live (every instance that exists) and idle (of those, the ones waiting for a call).");
    }

    /// <summary>The meter the instruments belong to.</summary>
    public Meter Meter { get; }

    public Counter<long> Calls { get; }

    public Histogram<double> CallDuration { get; }

    public Histogram<long> FuelConsumed { get; }

    public Histogram<long> MemoryHighWater { get; }

    public Counter<long> Traps { get; }

    public Counter<long> Timeouts { get; }

    public Counter<long> Denials { get; }

    public Counter<long> RateLimited { get; }

    public Counter<long> LogDropped { get; }

    public Counter<long> ModuleCache { get; }

    public Histogram<double> LoadDuration { get; }

    public Histogram<double> CompileDuration { get; }

    /// <summary>
    /// Whether anything listens to what a successful call records (count, duration, fuel, memory or a
    /// span): read once as a call begins; when false the call records nothing and reads no clock.
    /// </summary>
    public bool ObservesCalls => Calls.Enabled | CallDuration.Enabled | FuelConsumed.Enabled | MemoryHighWater.Enabled | Source.HasListeners();

    /// <summary>The instruments a dependency-injection container's meter factory owns, or <see cref="Shared"/> without one.</summary>
    /// <param name="factory">The container's meter factory, if it has one.</param>
    public static AirlockInstruments For(IMeterFactory? factory)
        => factory is null ? Shared : new AirlockInstruments(factory.Create(new MeterOptions(AirlockTelemetry.SourceName) { Version = Version }));

    /// <summary>The instruments of the host that created <paramref name="guest"/>'s instance.</summary>
    /// <param name="guest">A calling instance.</param>
    public static AirlockInstruments Of(GuestContext guest) => guest is IInstrumented instrumented ? instrumented.Instruments : Shared;

    /// <summary>The trap-kind tag value of a Wasmtime trap code (lower snake case, <c>unknown</c> when absent).</summary>
    /// <param name="code">The trap code.</param>
    public static string TrapKind(TrapCode? code) => code is { } known && TrapKinds.TryGetValue(known, out string? kind) ? kind : "unknown";

    /// <summary>Counts a capability use refused to <paramref name="pluginId"/>.</summary>
    /// <param name="pluginId">The plugin.</param>
    /// <param name="capability">The capability (<c>http</c>, <c>kv</c>, <c>approval</c>…).</param>
    public void Denied(string pluginId, string capability)
    {
        if (Denials.Enabled)
        {
            Denials.Add(1, new KeyValuePair<string, object?>(AirlockTelemetry.Tags.Plugin, pluginId), new KeyValuePair<string, object?>(AirlockTelemetry.Tags.Capability, capability));
        }
    }

    /// <summary>Counts a request of <paramref name="pluginId"/> refused by a rate limit.</summary>
    /// <param name="pluginId">The plugin.</param>
    /// <param name="capability">What was limited (<c>http</c>, <c>log</c>).</param>
    public void Limited(string pluginId, string capability)
    {
        if (RateLimited.Enabled)
        {
            RateLimited.Add(1, new KeyValuePair<string, object?>(AirlockTelemetry.Tags.Plugin, pluginId), new KeyValuePair<string, object?>(AirlockTelemetry.Tags.Capability, capability));
        }
    }

    /// <summary>Counts a log line of <paramref name="pluginId"/> the log rate limit dropped.</summary>
    /// <param name="pluginId">The plugin.</param>
    public void LogLineDropped(string pluginId)
    {
        if (LogDropped.Enabled)
        {
            LogDropped.Add(1, new KeyValuePair<string, object?>(AirlockTelemetry.Tags.Plugin, pluginId));
        }

        Limited(pluginId, "log");
    }

    /// <summary>Counts a module cache lookup or eviction.</summary>
    /// <param name="result"><c>hit</c>, <c>miss</c> or <c>eviction</c>.</param>
    public void CacheOperation(string result)
    {
        if (ModuleCache.Enabled)
        {
            ModuleCache.Add(1, new KeyValuePair<string, object?>(AirlockTelemetry.Tags.Result, result));
        }
    }

    /// <summary>Reports a pool's instances in <see cref="AirlockTelemetry.Instruments.Instances"/> until it is untracked.</summary>
    /// <param name="pool">The pool.</param>
    public void Track(IInstanceCounts pool)
    {
        lock (_poolsLock)
        {
            _pools.Add(pool);
        }
    }

    /// <summary>Stops reporting a pool (it was disposed).</summary>
    /// <param name="pool">The pool.</param>
    public void Untrack(IInstanceCounts pool)
    {
        lock (_poolsLock)
        {
            _pools.Remove(pool);
        }
    }

    // Called only when a listener collects: plugins with several pools (several loads) are reported apart.
    private List<Measurement<int>> ObserveInstances()
    {
        IInstanceCounts[] pools;
        lock (_poolsLock)
        {
            pools = [.. _pools];
        }

        var measurements = new List<Measurement<int>>(pools.Length * 2);
        foreach (IInstanceCounts pool in pools)
        {
            measurements.Add(new Measurement<int>(pool.LiveCount, new KeyValuePair<string, object?>(AirlockTelemetry.Tags.Plugin, pool.PluginId), new KeyValuePair<string, object?>(AirlockTelemetry.Tags.State, "live")));
            measurements.Add(new Measurement<int>(pool.IdleCount, new KeyValuePair<string, object?>(AirlockTelemetry.Tags.Plugin, pool.PluginId), new KeyValuePair<string, object?>(AirlockTelemetry.Tags.State, "idle")));
        }

        return measurements;
    }

    private static string SnakeCase(string name)
    {
        var text = new System.Text.StringBuilder(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0)
                {
                    text.Append('_');
                }

                text.Append(char.ToLowerInvariant(c));
            }
            else
            {
                text.Append(c);
            }
        }

        return text.ToString();
    }
}

/// <summary>Something that reports through a host's <see cref="AirlockInstruments"/> (a plugin instance).</summary>
internal interface IInstrumented
{
    /// <summary>The host's instruments.</summary>
    AirlockInstruments Instruments { get; }
}

/// <summary>A pool whose instances <see cref="AirlockTelemetry.Instruments.Instances"/> reports.</summary>
internal interface IInstanceCounts
{
    /// <summary>The plugin.</summary>
    string PluginId { get; }

    /// <summary>Every instance that exists.</summary>
    int LiveCount { get; }

    /// <summary>The instances waiting for a call.</summary>
    int IdleCount { get; }
}
