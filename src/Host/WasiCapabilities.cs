using System.Collections.Immutable;

namespace Airlock;

/// <summary>
/// What a plugin under <see cref="WasiPolicy.WithCapabilities"/> sees of the host through WASI: the
/// environment variables it is given and the host directories mounted into its file system. Anything
/// not granted here is not there: no other environment, no other files.
/// </summary>
/// <remarks>
/// <para>
/// Immutable: each <c>With...</c> method answers a new set of capabilities with one more grant, and
/// checks that grant at once, throwing <see cref="WasiCapabilityException"/> naming what is wrong.
/// Start from <see cref="None"/>:
/// </para>
/// <code>
/// WasiCapabilities capabilities = WasiCapabilities.None
///     .WithHostEnvironmentVariables(["LANG", "TZ"])
///     .WithMount("/data", "/srv/plugin-data", WasiMountAccess.ReadOnly)
///     .WithMount("/cache", "/var/cache/plugin", WasiMountAccess.Writable);
/// options.Wasi = WasiPolicy.WithCapabilities(capabilities);
/// </code>
/// </remarks>
public sealed class WasiCapabilities
{
    private readonly ImmutableArray<KeyValuePair<string, string>> _environment;
    private readonly ImmutableArray<WasiMount> _mounts;

    private WasiCapabilities(ImmutableArray<KeyValuePair<string, string>> environment, ImmutableArray<WasiMount> mounts)
    {
        _environment = environment;
        _mounts = mounts;
    }

    /// <summary>Nothing granted: no environment variables, no mounts.</summary>
    public static WasiCapabilities None { get; } = new([], []);

    /// <summary>The environment variables the guest sees (<c>environ_get</c>), name and value, in the order granted.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> EnvironmentVariables => _environment;

    /// <summary>
    /// The host directories the guest sees, in the order granted: each is a preopened directory of the
    /// guest (file descriptors 3, 4, ... in this order) at its <see cref="WasiMount.GuestPath"/>.
    /// </summary>
    public IReadOnlyList<WasiMount> Mounts => _mounts;

    /// <summary>
    /// Gives the guest an environment variable with the given value. A name granted before keeps its
    /// place and takes the new value.
    /// </summary>
    /// <param name="name">The variable's name: not empty, without <c>=</c> or NUL.</param>
    /// <param name="value">Its value, without NUL (may be empty).</param>
    /// <returns>These capabilities with the variable.</returns>
    /// <exception cref="WasiCapabilityException">The name or the value cannot be an environment variable (<see cref="WasiCapabilityProblem.InvalidEnvironmentVariable"/>).</exception>
    public WasiCapabilities WithEnvironmentVariable(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        CheckVariableName(name);
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new WasiCapabilityException(WasiCapabilityProblem.InvalidEnvironmentVariable, $"The value of the environment variable '{name}' contains a NUL character, which an environment cannot hold.") { VariableName = name };
        }

        int index = IndexOfVariable(name);
        var pair = new KeyValuePair<string, string>(name, value);
        return new(index >= 0 ? _environment.SetItem(index, pair) : _environment.Add(pair), _mounts);
    }

    /// <summary>
    /// Gives the guest those of the named environment variables that are set on the host, with the
    /// values they have now (read once, here). A name the host does not have is left out: the guest
    /// does not see it at all.
    /// </summary>
    /// <param name="names">The names allowed through (each not empty, without <c>=</c> or NUL).</param>
    /// <returns>These capabilities with the host's variables of those names.</returns>
    /// <exception cref="WasiCapabilityException">A name cannot be an environment variable's (<see cref="WasiCapabilityProblem.InvalidEnvironmentVariable"/>).</exception>
    public WasiCapabilities WithHostEnvironmentVariables(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        WasiCapabilities capabilities = this;
        foreach (string name in names)
        {
            ArgumentNullException.ThrowIfNull(name, nameof(names));
            CheckVariableName(name);
            if (Environment.GetEnvironmentVariable(name) is { } value)
            {
                capabilities = capabilities.WithEnvironmentVariable(name, value);
            }
        }

        return capabilities;
    }

    /// <summary>
    /// Mounts a host directory, with everything below it, at an absolute path of the guest's file
    /// system. The guest reaches nothing outside the directory through it: not through <c>..</c>, an
    /// absolute path or a symbolic link that leads out.
    /// </summary>
    /// <param name="guestPath">
    /// Where the guest sees the directory: absolute and normalized (starts with <c>/</c>; no <c>.</c>
    /// or <c>..</c> segment, no repeated or trailing <c>/</c>; <c>/</c> itself is allowed), and not the
    /// guest path of another mount.
    /// </param>
    /// <param name="hostDirectory">The host directory; a relative path is taken from the current directory. It must exist and be a directory (a symbolic link to one is followed now).</param>
    /// <param name="access">Whether the guest may change what is in it.</param>
    /// <returns>These capabilities with the mount.</returns>
    /// <exception cref="WasiCapabilityException">The guest path is not absolute and normalized or is taken, or the host directory does not exist or is not a directory; the exception names both paths.</exception>
    public WasiCapabilities WithMount(string guestPath, string hostDirectory, WasiMountAccess access)
    {
        ArgumentNullException.ThrowIfNull(guestPath);
        ArgumentException.ThrowIfNullOrEmpty(hostDirectory);
        if (access is not (WasiMountAccess.ReadOnly or WasiMountAccess.Writable))
        {
            throw new ArgumentOutOfRangeException(nameof(access), access, "A mount is ReadOnly or Writable.");
        }

        if (GuestPathProblem(guestPath) is { } problem)
        {
            throw new WasiCapabilityException(WasiCapabilityProblem.InvalidGuestPath, $"The guest path '{guestPath}' of the mount of host directory '{hostDirectory}' {problem}; write it as an absolute path without '.', '..', repeated or trailing slashes, such as '/data'.") { GuestPath = guestPath, HostDirectory = hostDirectory };
        }

        if (_mounts.FirstOrDefault(m => m.GuestPath == guestPath) is { } taken)
        {
            throw new WasiCapabilityException(WasiCapabilityProblem.DuplicateGuestPath, $"The guest path '{guestPath}' is mounted twice: host directory '{taken.HostDirectory}' and host directory '{hostDirectory}'; give each mount its own guest path.") { GuestPath = guestPath, HostDirectory = hostDirectory };
        }

        string full = Path.GetFullPath(hostDirectory);
        CheckHostDirectory(guestPath, full);
        return new(_environment, _mounts.Add(new WasiMount(guestPath, full, access)));
    }

    /// <summary>The grants, for messages: the names of the environment variables and each mount.</summary>
    /// <returns>For example <c>environment LANG, TZ; mounts /data (read-only) from /srv/data</c>.</returns>
    public override string ToString()
    {
        string environment = _environment.IsEmpty ? "no environment" : "environment " + string.Join(", ", _environment.Select(v => v.Key));
        string mounts = _mounts.IsEmpty ? "no mounts" : "mounts " + string.Join(", ", _mounts);
        return environment + "; " + mounts;
    }

    /// <summary>Checks, again, that a mount's host directory is there when an instance opens it.</summary>
    internal static void CheckHostDirectory(string guestPath, string hostDirectory, string? pluginId = null)
    {
        if (Directory.Exists(hostDirectory))
        {
            return;
        }

        bool isFile = File.Exists(hostDirectory);
        throw new WasiCapabilityException(
            isFile ? WasiCapabilityProblem.HostPathNotDirectory : WasiCapabilityProblem.HostDirectoryNotFound,
            $"The host directory '{hostDirectory}' to be mounted at guest path '{guestPath}' {(isFile ? "is not a directory" : "does not exist")}.",
            pluginId)
        { GuestPath = guestPath, HostDirectory = hostDirectory };
    }

    private static void CheckVariableName(string name)
    {
        if (name.Length == 0 || name.Contains('=', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal))
        {
            throw new WasiCapabilityException(WasiCapabilityProblem.InvalidEnvironmentVariable, $"'{name}' is not an environment variable's name: a name is not empty and holds no '=' or NUL.") { VariableName = name };
        }
    }

    // Why a guest path is not absolute and normalized, or null when it is.
    private static string? GuestPathProblem(string path)
    {
        if (!path.StartsWith('/'))
        {
            return "is not absolute";
        }

        if (path.Contains('\0', StringComparison.Ordinal))
        {
            return "contains a NUL character";
        }

        if (path == "/")
        {
            return null;
        }

        foreach (string segment in path[1..].Split('/'))
        {
            if (segment.Length == 0)
            {
                return "has a repeated or trailing '/'";
            }

            if (segment is "." or "..")
            {
                return $"has a '{segment}' segment";
            }
        }

        return null;
    }

    private int IndexOfVariable(string name)
    {
        for (int i = 0; i < _environment.Length; i++)
        {
            if (_environment[i].Key == name)
            {
                return i;
            }
        }

        return -1;
    }
}

/// <summary>A host directory mounted into a plugin's file system (<see cref="WasiCapabilities.WithMount"/>).</summary>
public sealed class WasiMount
{
    internal WasiMount(string guestPath, string hostDirectory, WasiMountAccess access)
    {
        GuestPath = guestPath;
        HostDirectory = hostDirectory;
        Access = access;
    }

    /// <summary>Where the guest sees the directory: an absolute, normalized guest path.</summary>
    public string GuestPath { get; }

    /// <summary>The host directory, as a full path.</summary>
    public string HostDirectory { get; }

    /// <summary>Whether the guest may change what is in it.</summary>
    public WasiMountAccess Access { get; }

    /// <summary>The mount, for messages.</summary>
    /// <returns>For example <c>/data (read-only) from /srv/data</c>.</returns>
    public override string ToString() => $"{GuestPath} ({(Access == WasiMountAccess.Writable ? "writable" : "read-only")}) from {HostDirectory}";
}

/// <summary>What a plugin may do in a mounted directory.</summary>
public enum WasiMountAccess
{
    /// <summary>Read files and list directories; every change (create, write, truncate, rename, delete, make a directory or a link) fails with a permission error.</summary>
    ReadOnly,

    /// <summary>Read and change anything below the directory.</summary>
    Writable,
}
