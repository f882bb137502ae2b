namespace Airlock;

/// <summary>
/// Thrown by a host function implementation to answer the guest with a <see cref="HostCallStatus"/>
/// instead of a result. A plugin that takes status codes (<see cref="HostResultEncoding.StatusCodes"/>)
/// receives the code from a host function that returns a value; on the default plain encoding a
/// <see cref="HostCallStatus.NotFound"/> is <c>0</c> and anything else ends the plugin's call with a
/// <see cref="HostFunctionException"/>, as it does for host functions without a result.
/// </summary>
public sealed class HostCallException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="status">The code the guest receives.</param>
    /// <param name="message">Why, for the host's logs; the guest sees only the code.</param>
    /// <param name="innerException">The underlying cause, if any.</param>
    public HostCallException(HostCallStatus status, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Status = status;
    }

    /// <summary>The code the guest receives.</summary>
    public HostCallStatus Status { get; }

    /// <summary>When a <see cref="HostCallStatus.RateLimited"/> caller may try again, if known.</summary>
    public TimeSpan? RetryAfter { get; init; }
}
