namespace Airlock;

/// <summary>
/// The negative codes a host function that returns <c>i64</c> gives the guest instead of a buffer.
/// Plugin memory is kept below 2 GiB, so a packed buffer is never negative and the two cannot be confused.
/// </summary>
public enum HostCallStatus
{
    /// <summary>The requested value does not exist.</summary>
    NotFound = -1,

    /// <summary>The plugin lacks the capability, or the target is not allowed.</summary>
    PermissionDenied = -2,

    /// <summary>The plugin's rate limit is exhausted; retry later.</summary>
    RateLimited = -3,

    /// <summary>The host rejected an argument.</summary>
    InvalidArgument = -4,

    /// <summary>An argument or the result exceeds the host's size limit.</summary>
    TooLarge = -5,

    /// <summary>The host service failed or timed out.</summary>
    Unavailable = -6,
}
