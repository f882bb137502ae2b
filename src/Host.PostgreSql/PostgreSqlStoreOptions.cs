using System.Text.RegularExpressions;

namespace Airlock.PostgreSql;

/// <summary>How Airlock reaches the PostgreSQL database that holds the policy state its instances share.</summary>
public sealed partial class PostgreSqlStoreOptions
{
    /// <summary>The Npgsql connection string, for example <c>Host=db;Database=app;Username=airlock;Password=...</c>. Required.</summary>
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>
    /// The schema Airlock's tables live in, created and migrated on start. Default <c>airlock</c>. Instances that
    /// share policy state name the same schema; a lower-case identifier (letters, digits, underscores).
    /// </summary>
    public string Schema { get; set; } = "airlock";

    /// <summary>
    /// How long opening a connection may take before a call that needs a decision is refused (fails closed).
    /// Applied unless the connection string sets <c>Timeout</c>. Default 5 seconds.
    /// </summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long one statement may run before the call is refused. Applied unless the connection string sets
    /// <c>Command Timeout</c>. Default 10 seconds.
    /// </summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often the connection that listens for revocations proves it is alive when nothing arrives, so an
    /// instance whose listener died silently (a network partition) stops trusting its cache within this interval
    /// plus <see cref="CommandTimeout"/>. Default 5 seconds.
    /// </summary>
    public TimeSpan ListenerProbeInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The default rate limit of a plugin without an override: 1000 requests an hour in 60 segments, as in one process.</summary>
    public Services.PluginRateLimiterOptions RateLimits { get; set; } = new();

    internal PostgreSqlStoreOptions Validated()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new ArgumentException("PostgreSqlStoreOptions.ConnectionString is required: it names the database the instances share.", nameof(ConnectionString));
        }

        if (!Identifier().IsMatch(Schema))
        {
            throw new ArgumentException($"PostgreSqlStoreOptions.Schema '{Schema}' is not a plain lower-case identifier (a letter or underscore, then letters, digits or underscores, at most 48 characters).", nameof(Schema));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(ConnectTimeout, TimeSpan.FromSeconds(1), nameof(ConnectTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(CommandTimeout, TimeSpan.FromSeconds(1), nameof(CommandTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(ListenerProbeInterval, TimeSpan.FromMilliseconds(100), nameof(ListenerProbeInterval));
        ArgumentNullException.ThrowIfNull(RateLimits);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(RateLimits.PermitLimit, nameof(RateLimits));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(RateLimits.SegmentsPerWindow, nameof(RateLimits));
        if (RateLimits.Window.TotalMilliseconds / RateLimits.SegmentsPerWindow < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(RateLimits), RateLimits.Window, "The rate-limit window must be positive and each of its segments at least 1 ms long.");
        }

        return this;
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,47}$", RegexOptions.CultureInvariant)]
    private static partial Regex Identifier();
}
