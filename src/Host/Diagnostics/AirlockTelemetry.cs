namespace Airlock.Diagnostics;

/// <summary>
/// The names under which Airlock reports metrics (<see cref="System.Diagnostics.Metrics.Meter"/>) and traces
/// (<see cref="System.Diagnostics.ActivitySource"/>). Monitoring systems, the OpenTelemetry extension and the
/// dashboard subscribe by these names; they are part of the public contract and change only with a major version.
/// </summary>
/// <remarks>
/// Durations are in seconds and sizes in bytes, following the OpenTelemetry semantic conventions. Every
/// per-plugin instrument carries the <see cref="Tags.Plugin"/> tag.
/// </remarks>
public static class AirlockTelemetry
{
    /// <summary>The name of Airlock's meter and of its activity source.</summary>
    public const string SourceName = "Airlock";

    /// <summary>Instrument names.</summary>
    public static class Instruments
    {
        /// <summary>Counter of completed plugin calls; tags plugin, export, outcome.</summary>
        public const string Calls = "airlock.plugin.calls";

        /// <summary>Histogram of call duration in seconds; tags plugin, export, outcome.</summary>
        public const string CallDuration = "airlock.plugin.call.duration";

        /// <summary>Histogram of fuel consumed per call (only for plugins with an instruction budget); tags plugin, export.</summary>
        public const string FuelConsumed = "airlock.plugin.fuel.consumed";

        /// <summary>Histogram of a plugin instance's linear-memory size after a call, in bytes; tag plugin.</summary>
        public const string MemoryHighWater = "airlock.plugin.memory.high_water";

        /// <summary>Counter of traps; tags plugin, export, trap kind.</summary>
        public const string Traps = "airlock.plugin.traps";

        /// <summary>Counter of calls stopped at their deadline; tags plugin, export.</summary>
        public const string Timeouts = "airlock.plugin.timeouts";

        /// <summary>Counter of capability denials; tags plugin, capability.</summary>
        public const string Denials = "airlock.plugin.denials";

        /// <summary>Counter of requests refused by a rate limit; tags plugin, capability.</summary>
        public const string RateLimited = "airlock.plugin.rate_limited";

        /// <summary>Counter of plugin log lines dropped by the log limits; tag plugin.</summary>
        public const string LogDropped = "airlock.plugin.log.dropped";

        /// <summary>Observable up-down counter of plugin instances; tags plugin, state (<c>live</c> or <c>idle</c>).</summary>
        public const string Instances = "airlock.plugin.instances";

        /// <summary>Counter of module cache lookups; tag result (<c>hit</c>, <c>miss</c>, <c>eviction</c>).</summary>
        public const string ModuleCache = "airlock.module_cache.operations";

        /// <summary>Histogram of module load time in seconds (bytes to a ready module, compile included); tags plugin, source (<c>memory</c>, <c>disk</c>, <c>compile</c>).</summary>
        public const string LoadDuration = "airlock.module.load.duration";

        /// <summary>Histogram of module compile time in seconds; tag plugin.</summary>
        public const string CompileDuration = "airlock.module.compile.duration";
    }

    /// <summary>Tag (attribute) names.</summary>
    public static class Tags
    {
        /// <summary>The plugin's name from its manifest.</summary>
        public const string Plugin = "airlock.plugin";

        /// <summary>The contract export called.</summary>
        public const string Export = "airlock.export";

        /// <summary>How a call ended: one of <see cref="Outcomes"/>.</summary>
        public const string Outcome = "airlock.outcome";

        /// <summary>The capability denied or rate-limited (for example <c>http</c>, <c>kv</c>, <c>wasi.fs</c>).</summary>
        public const string Capability = "airlock.capability";

        /// <summary>The kind of trap (Wasmtime's trap code in lower case, for example <c>unreachable</c>, <c>out_of_fuel</c>).</summary>
        public const string TrapKind = "airlock.trap.kind";

        /// <summary>An instance state, <c>live</c> or <c>idle</c>.</summary>
        public const string State = "airlock.state";

        /// <summary>A module cache result or load source.</summary>
        public const string Result = "airlock.result";

        /// <summary>Where a module came from on load.</summary>
        public const string Source = "airlock.source";

        /// <summary>The plugin's version (on load spans).</summary>
        public const string Version = "airlock.plugin.version";

        /// <summary>The import module of a host function (on host-function spans).</summary>
        public const string HostModule = "airlock.host.module";

        /// <summary>The name of a host function (on host-function spans).</summary>
        public const string HostFunction = "airlock.host.function";

        /// <summary>The OpenTelemetry <c>error.type</c> attribute: the exception's type name on a failed span.</summary>
        public const string ErrorType = "error.type";
    }

    /// <summary>Span (activity) names. Names are fixed (low cardinality); the plugin and export are tags.</summary>
    public static class Spans
    {
        /// <summary>A plugin load: read, check, compile or cache lookup, link and the first instance.</summary>
        public const string Load = "airlock.load";

        /// <summary>One call of a plugin's export.</summary>
        public const string Call = "airlock.call";

        /// <summary>One call of a host function by a plugin, a child of its call's span.</summary>
        public const string HostFunction = "airlock.host_function";
    }

    /// <summary>Values of <see cref="Tags.Outcome"/>.</summary>
    public static class Outcomes
    {
        /// <summary>The call returned a result.</summary>
        public const string Ok = "ok";

        /// <summary>The plugin answered with its own typed error.</summary>
        public const string PluginError = "plugin_error";

        /// <summary>The plugin trapped.</summary>
        public const string Trap = "trap";

        /// <summary>The call was stopped at its deadline.</summary>
        public const string Timeout = "timeout";

        /// <summary>The call was refused before it ran (approval, rate limit, disposed).</summary>
        public const string Refused = "refused";

        /// <summary>The plugin's answer broke the contract (malformed result).</summary>
        public const string ContractViolation = "contract_violation";

        /// <summary>The caller cancelled the call.</summary>
        public const string Cancelled = "cancelled";

        /// <summary>A host function the plugin called failed, or refused in a way that ends the call.</summary>
        public const string HostError = "host_error";
    }
}
