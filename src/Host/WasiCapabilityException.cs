namespace Airlock;

/// <summary>
/// A WASI capability (<see cref="WasiCapabilities"/>) cannot be granted: a mount's guest path is not
/// absolute and normalized or is taken, its host directory does not exist or is not a directory, or an
/// environment variable's name or value cannot be one. Raised when the grant is made, and again when an
/// instance of a plugin opens a mount whose host directory has gone since (then with the plugin's id).
/// </summary>
public sealed class WasiCapabilityException : AirlockException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="problem">What is wrong.</param>
    /// <param name="message">What is wrong, naming the paths or the variable.</param>
    /// <param name="pluginId">The plugin concerned, when the grant failed for one of its instances.</param>
    /// <param name="innerException">The underlying cause, if any.</param>
    public WasiCapabilityException(WasiCapabilityProblem problem, string message, string? pluginId = null, Exception? innerException = null)
        : base(pluginId, message, innerException)
    {
        Problem = problem;
    }

    /// <summary>What is wrong.</summary>
    public WasiCapabilityProblem Problem { get; }

    /// <summary>The guest path of the mount concerned, if a mount is.</summary>
    public string? GuestPath { get; init; }

    /// <summary>The host directory of the mount concerned, if a mount is.</summary>
    public string? HostDirectory { get; init; }

    /// <summary>The environment variable concerned, if one is.</summary>
    public string? VariableName { get; init; }
}

/// <summary>Why a WASI capability cannot be granted.</summary>
public enum WasiCapabilityProblem
{
    /// <summary>A mount's guest path is not absolute and normalized.</summary>
    InvalidGuestPath,

    /// <summary>Two mounts have the same guest path.</summary>
    DuplicateGuestPath,

    /// <summary>A mount's host directory does not exist.</summary>
    HostDirectoryNotFound,

    /// <summary>A mount's host path is a file, not a directory.</summary>
    HostPathNotDirectory,

    /// <summary>A mount's host directory exists but could not be opened for the guest.</summary>
    HostDirectoryUnavailable,

    /// <summary>An environment variable's name is empty or holds <c>=</c> or NUL, or its value holds NUL.</summary>
    InvalidEnvironmentVariable,
}
