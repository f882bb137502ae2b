namespace Airlock.Services;

/// <summary>Settings of a <see cref="PluginEventBus"/>.</summary>
public sealed class PluginEventBusOptions
{
    /// <summary>How many events may wait for one subscriber; events beyond that are dropped for it. Default 1024.</summary>
    public int Capacity { get; set; } = 1024;

    /// <summary>The largest payload, in bytes of UTF-8 JSON. Default 64 KiB.</summary>
    public int MaxEventBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// How many events one plugin may publish per second, sustained; it may also publish this many at once after a
    /// quiet second (a token bucket). Events over the rate are rejected. Default 100.
    /// </summary>
    public int MaxEventsPerSecondPerPlugin { get; set; } = 100;

    /// <summary>
    /// How long disposing the bus lets subscribers work through the events already queued for them before it
    /// cancels their handlers and discards the rest. Default 5 seconds.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(5);

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Capacity);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxEventBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxEventsPerSecondPerPlugin);
        ArgumentOutOfRangeException.ThrowIfLessThan(ShutdownTimeout, TimeSpan.Zero);
    }

    internal PluginEventBusOptions Copy() => new()
    {
        Capacity = Capacity,
        MaxEventBytes = MaxEventBytes,
        MaxEventsPerSecondPerPlugin = MaxEventsPerSecondPerPlugin,
        ShutdownTimeout = ShutdownTimeout,
    };
}
