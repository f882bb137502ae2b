using Airlock.Services;
using Npgsql;

namespace Airlock.PostgreSql;

/// <summary>
/// A sliding-window request limit per plugin shared by every instance: 1,000 requests an hour means 1,000 across
/// the fleet. Each <see cref="TryAcquire"/> is one statement (the schema's <c>rate_acquire</c> function) that locks
/// the plugin's limit row, counts the window's permits and takes one, so acquires of one plugin from any instance
/// count one after another and the sum allowed never passes the limit.
/// </summary>
/// <remarks>
/// <para>The window works as in <see cref="PluginRateLimiter"/>: segmented (by default 60 segments of the window),
/// a permit comes back when its segment leaves the window. Time is the database's clock, so instances whose clocks
/// disagree still share one window; segments start at multiples of the segment length.</para>
/// <para>Limits live in the database too, read by every acquire: a limit changed through one instance applies to
/// the next request on every instance. Unlike the in-process limiter, a changed limit keeps the requests already in
/// the window (they count against the new limit), so an instance that starts and sets the limit again cannot hand
/// a plugin a fresh window.</para>
/// <para>When the database cannot be reached, <see cref="TryAcquire"/> throws
/// <see cref="PolicyStoreUnavailableException"/>: no permit, so the request is not made (fail closed).</para>
/// </remarks>
public sealed class PostgreSqlRateLimiter : IPluginRateLimiter
{
    private const string Store = "rate limiter";

    private readonly PostgreSqlPolicyDatabase _database;
    private readonly PluginRateLimiterOptions _defaults;

    /// <summary>Uses the shared database, with the defaults of <see cref="PostgreSqlStoreOptions.RateLimits"/>.</summary>
    /// <param name="database">The instance's connection to the policy database.</param>
    public PostgreSqlRateLimiter(PostgreSqlPolicyDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _defaults = database.Options.RateLimits;
    }

    /// <inheritdoc/>
    /// <exception cref="PolicyStoreUnavailableException">The database cannot be reached: no permit.</exception>
    public RateLimitDecision TryAcquire(string pluginId)
    {
        ArgumentException.ThrowIfNullOrEmpty(pluginId);
        return _database.Run(Store, "acquire a permit", pluginId, connection =>
        {
            using NpgsqlCommand acquire = Sql.Command(connection, $"SELECT allowed, permit_limit, window_ms, remaining, retry_after_ms FROM {_database.Schema}.rate_acquire($1, $2, $3, $4)", pluginId, _defaults.PermitLimit, (long)_defaults.Window.TotalMilliseconds, _defaults.SegmentsPerWindow);
            using NpgsqlDataReader reader = acquire.ExecuteReader();
            reader.Read();
            bool allowed = reader.GetBoolean(0);
            int limit = reader.GetInt32(1);
            TimeSpan window = TimeSpan.FromMilliseconds(reader.GetInt64(2));
            TimeSpan? retryAfter = reader.IsDBNull(4) ? null : TimeSpan.FromMilliseconds(reader.GetInt64(4));
            return new RateLimitDecision(allowed, allowed ? null : retryAfter, limit, window, reader.GetInt32(3));
        });
    }

    /// <inheritdoc/>
    /// <remarks>Stored for the fleet; requests already in the window count against the new limit.</remarks>
    /// <exception cref="PolicyStoreUnavailableException">The database cannot be reached; the limit was not changed.</exception>
    public void SetLimit(string pluginId, int permitLimit, TimeSpan window)
    {
        ArgumentException.ThrowIfNullOrEmpty(pluginId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(permitLimit);
        if (window <= TimeSpan.Zero || window.TotalMilliseconds / _defaults.SegmentsPerWindow < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, "The window must be positive and each of its segments at least 1 ms long.");
        }

        _database.Run(Store, "set a limit", pluginId, connection =>
        {
            using var batch = new NpgsqlBatch(connection);
            batch.BatchCommands.Add(Sql.Statement(
                $"""
                INSERT INTO {_database.Schema}.rate_limits AS r (plugin_id, permit_limit, window_ms, overridden) VALUES ($1, $2, $3, TRUE)
                ON CONFLICT (plugin_id) DO UPDATE SET permit_limit = excluded.permit_limit, window_ms = excluded.window_ms, overridden = TRUE
                WHERE (r.permit_limit, r.window_ms, r.overridden) IS DISTINCT FROM (excluded.permit_limit, excluded.window_ms, TRUE)
                """,
                pluginId,
                permitLimit,
                (long)window.TotalMilliseconds));
            batch.BatchCommands.Add(Sql.Statement("SELECT pg_notify($1, $2)", _database.Channel, "limit\t" + pluginId));
            return batch.ExecuteNonQuery();
        });
    }

    /// <inheritdoc/>
    /// <exception cref="PolicyStoreUnavailableException">The database cannot be reached; the limit was not changed.</exception>
    public bool ClearLimit(string pluginId)
    {
        ArgumentException.ThrowIfNullOrEmpty(pluginId);
        return _database.Run(Store, "clear a limit", pluginId, connection =>
        {
            using NpgsqlCommand clear = Sql.Command(connection, $"UPDATE {_database.Schema}.rate_limits SET overridden = FALSE WHERE plugin_id = $1 AND overridden", pluginId);
            return clear.ExecuteNonQuery() > 0;
        });
    }
}
