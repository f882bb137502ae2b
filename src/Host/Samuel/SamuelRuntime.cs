namespace Airlock.Samuel;

/// <summary>The <c>[runtime]</c> table of a <c>samuel-plugin.toml</c>: the plugin's memory cap and deadlines.</summary>
public sealed record SamuelRuntime
{
    /// <summary>The default memory cap, in MiB (64).</summary>
    public const int DefaultMaxMemoryMiB = 64;

    /// <summary>The largest memory cap a manifest may ask for, in MiB (2048, the most linear memory Airlock allows).</summary>
    public const int MaxMaxMemoryMiB = 2048;

    /// <summary>The longest soft or hard timeout a manifest may declare (one hour).</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromHours(1);

    internal SamuelRuntime()
    {
    }

    /// <summary>The defaults: 64 MiB, a 5 s soft deadline and a 30 s hard timeout.</summary>
    public static SamuelRuntime Default { get; } = new();

    /// <summary><c>max_memory</c>: the most linear memory the plugin may grow to, in MiB. Default 64.</summary>
    public int MaxMemoryMiB { get; internal init; } = DefaultMaxMemoryMiB;

    /// <summary><see cref="MaxMemoryMiB"/> in bytes.</summary>
    public long MaxMemoryBytes => MaxMemoryMiB * 1024L * 1024L;

    /// <summary>
    /// <c>timeout</c>: the soft deadline of one call, made known to the plugin so it can wrap up; the call is not stopped
    /// when it passes. Default 5 s; never longer than <see cref="HardTimeout"/>.
    /// </summary>
    public TimeSpan SoftTimeout { get; internal init; } = TimeSpan.FromSeconds(5);

    /// <summary><c>hard_timeout</c>: the wall-clock time after which a call is killed. Default 30 s.</summary>
    public TimeSpan HardTimeout { get; internal init; } = TimeSpan.FromSeconds(30);
}
