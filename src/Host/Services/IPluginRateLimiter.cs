namespace Airlock.Services;

/// <summary>
/// The per-plugin sliding-window limit of outbound requests: <see cref="PluginRateLimiter"/> in one process, or a
/// store shared by every instance of an application (the PostgreSQL one in <c>Airlock.Host.PostgreSql</c>), so that
/// a limit of 1,000 an hour means 1,000 across the fleet. Implementations are thread-safe.
/// </summary>
public interface IPluginRateLimiter
{
    /// <summary>Takes one permit for <paramref name="pluginId"/> if it has one left in its window.</summary>
    /// <param name="pluginId">The plugin, as the host knows it.</param>
    /// <returns>Whether the request may go ahead, and if not, when to retry.</returns>
    /// <exception cref="PolicyStoreUnavailableException">A shared limiter could not reach its store: the request must not go ahead.</exception>
    RateLimitDecision TryAcquire(string pluginId);

    /// <summary>Gives <paramref name="pluginId"/> its own limit instead of the default.</summary>
    /// <param name="pluginId">The plugin.</param>
    /// <param name="permitLimit">How many requests it may make per <paramref name="window"/>.</param>
    /// <param name="window">The length of its sliding window.</param>
    void SetLimit(string pluginId, int permitLimit, TimeSpan window);

    /// <summary>Returns <paramref name="pluginId"/> to the default limit.</summary>
    /// <param name="pluginId">The plugin.</param>
    /// <returns>Whether it had an override.</returns>
    bool ClearLimit(string pluginId);
}
