namespace Airlock.EndToEnd.Tests.Security;

/// <summary>Directories for plugins under WASI with capabilities, removed with the world.</summary>
public sealed partial class HostileWorld
{
    /// <summary>Creates a new, empty directory under the world's own, named after <paramref name="prefix"/>.</summary>
    public string NewDirectory(string prefix)
        => Directory.CreateDirectory(Path.Combine(_directory, prefix + "-" + Interlocked.Increment(ref _next))).FullName;
}
