using Airlock.Diagnostics;
using OpenTelemetry.Trace;

namespace OpenTelemetry.Metrics;

/// <summary>Subscribes an OpenTelemetry meter provider to Airlock's plugin metrics.</summary>
public static class AirlockMeterProviderBuilderExtensions
{
    /// <summary>
    /// Adds Airlock's meter (<see cref="AirlockTelemetry.SourceName"/>): calls by plugin, export and outcome, call
    /// duration, fuel, memory, traps, timeouts, denials, rate-limited requests, dropped log lines, instances, module
    /// cache operations, and load and compile time. Hosts created with <c>new PluginHost()</c> and hosts created by
    /// <c>AddAirlock</c> (whose meter the container's meter factory owns) are both included.
    /// </summary>
    /// <param name="builder">The meter provider builder.</param>
    /// <returns>The builder, for chaining.</returns>
    public static MeterProviderBuilder AddAirlockInstrumentation(this MeterProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddMeter(AirlockTelemetry.SourceName);
    }
}

/// <summary>Subscribes an OpenTelemetry tracer provider to Airlock's spans.</summary>
public static class AirlockTracerProviderBuilderExtensions
{
    /// <summary>
    /// Adds Airlock's activity source (<see cref="AirlockTelemetry.SourceName"/>): a span for each plugin load
    /// (<see cref="AirlockTelemetry.Spans.Load"/>), each call (<see cref="AirlockTelemetry.Spans.Call"/>) and each host
    /// function a plugin calls (<see cref="AirlockTelemetry.Spans.HostFunction"/>), children of the caller's activity.
    /// </summary>
    /// <param name="builder">The tracer provider builder.</param>
    /// <returns>The builder, for chaining.</returns>
    public static TracerProviderBuilder AddAirlockInstrumentation(this TracerProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddSource(AirlockTelemetry.SourceName);
    }
}
