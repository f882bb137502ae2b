namespace Airlock.Services;

/// <summary>
/// A store that holds policy state shared by the instances of an application (approvals, the audit log, the
/// key-value store, the rate limits) could not be reached or did not answer in time. Airlock fails closed: the
/// decision that needed the store is refused, and nothing was acknowledged. An audit record that could not be
/// written stays queued and is written when the store is back.
/// </summary>
public sealed class PolicyStoreUnavailableException : AirlockException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="store">Which store: <c>approvals</c>, <c>audit log</c>, <c>key-value store</c> or <c>rate limiter</c>.</param>
    /// <param name="operation">What was being done, for example <c>acquire a permit</c>.</param>
    /// <param name="pluginId">The plugin concerned, when known.</param>
    /// <param name="reason">Why, in the words of the database driver.</param>
    /// <param name="innerException">The driver's exception.</param>
    public PolicyStoreUnavailableException(string store, string operation, string? pluginId, string reason, Exception? innerException = null)
        : base(pluginId, $"The {store} is unavailable, so Airlock refused to {operation}{(pluginId is null ? string.Empty : $" for plugin '{pluginId}'")}: {reason}. Nothing was acknowledged; retry when the database is reachable.", innerException)
    {
        Store = store;
        Operation = operation;
    }

    /// <summary>Which store could not be reached.</summary>
    public string Store { get; }

    /// <summary>What was being done.</summary>
    public string Operation { get; }
}
