namespace Airlock;

/// <summary>
/// Thrown by a host function implementation to answer the guest with a <see cref="HostCallStatus"/>
/// code instead of a result. For a host function that returns <c>i64</c> the guest receives the code;
/// for one without a result, the plugin's call fails with a <see cref="HostFunctionException"/>.
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
}
