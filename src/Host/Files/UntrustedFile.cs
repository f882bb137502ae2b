using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace Airlock.Files;

/// <summary>
/// Reads the files a plugin brings (its module, its manifest) and the files beside them as untrusted
/// input: only regular files, opened so that a FIFO or a device cannot block or flood the host, and
/// never more than a limit, whatever the file's length claims. Every path that reads a plugin's file
/// from disk goes through here.
/// </summary>
/// <remarks>
/// <para>
/// The type is checked twice: on the path (following symbolic links) before opening, so a device is
/// not even opened, and on the open handle, so a file swapped in between is caught too. On Linux and
/// macOS the file is opened non-blocking: opening a FIFO nobody writes to returns at once instead of
/// waiting for a writer. On Windows the handle must be a disk file. On other systems the file is opened
/// normally and only the bounded read applies.
/// </para>
/// <para>
/// Reading stops one byte past the limit: a file that claims to be small and is not (a file that
/// grows, a <c>/proc</c> file that reports no length) is refused at the limit, and what is allocated
/// never exceeds the limit.
/// </para>
/// </remarks>
internal static partial class UntrustedFile
{
    /// <summary>The most Airlock reads of a manifest or approvals file: 1 MiB.</summary>
    public const long MaxManifestBytes = 1024 * 1024;

    private const int Chunk = 1024 * 1024;
    private const int MaxLinks = 40;

    /// <summary>Reads the whole of a regular file of at most <paramref name="maxBytes"/> bytes.</summary>
    /// <param name="path">The file.</param>
    /// <param name="maxBytes">The most it may hold.</param>
    /// <param name="kind">What the file is, for errors: "a manifest", "a module".</param>
    /// <param name="pluginId">The plugin concerned, when known.</param>
    /// <param name="cancellationToken">Checked between chunks.</param>
    /// <exception cref="PluginFileException">The file is not a regular file, is too large, or cannot be read.</exception>
    public static byte[] ReadAllBytes(string path, long maxBytes, string kind, string? pluginId = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxBytes, Array.MaxLength);
        using SafeFileHandle handle = OpenRegular(path, kind, pluginId);
        long length = Length(handle, path, pluginId);
        if (length > maxBytes)
        {
            throw TooLarge(path, kind, maxBytes, pluginId, length);
        }

        byte[] buffer = length == 0 ? [] : new byte[length];
        int total = 0;
        Span<byte> probe = stackalloc byte[1];
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (total < buffer.Length)
                {
                    int read = RandomAccess.Read(handle, buffer.AsSpan(total, Math.Min(buffer.Length - total, Chunk)), total);
                    if (read == 0)
                    {
                        break;
                    }

                    total += read;
                    continue;
                }

                // The buffer holds what the file claimed; a file that has more (it grew, or it is a
                // /proc file that reports no length) grows the buffer, never past the limit.
                if (RandomAccess.Read(handle, probe, total) == 0)
                {
                    break;
                }

                if (total >= maxBytes)
                {
                    throw TooLarge(path, kind, maxBytes, pluginId, null);
                }

                Array.Resize(ref buffer, (int)Math.Min(Math.Max(buffer.Length * 2L, 64 * 1024), maxBytes));
                buffer[total++] = probe[0];
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw Unreadable(path, "it cannot be read", pluginId, exception);
        }

        return total == buffer.Length ? buffer : buffer[..total];
    }

    /// <summary>
    /// Opens a regular file of at most <paramref name="maxBytes"/> bytes for reading, for a caller that reads
    /// it in pieces (and must itself stop at <paramref name="length"/>).
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="maxBytes">The most it may hold.</param>
    /// <param name="kind">What the file is, for errors: "a module cache file".</param>
    /// <param name="pluginId">The plugin concerned, when known.</param>
    /// <param name="length">The file's length when it was opened.</param>
    /// <returns>The open handle; the caller disposes it.</returns>
    /// <exception cref="PluginFileException">The file is not a regular file, is too large, or cannot be opened.</exception>
    public static SafeFileHandle Open(string path, long maxBytes, string kind, string? pluginId, out long length)
    {
        SafeFileHandle handle = OpenRegular(path, kind, pluginId);
        try
        {
            length = Length(handle, path, pluginId);
            if (length > maxBytes)
            {
                throw TooLarge(path, kind, maxBytes, pluginId, length);
            }

            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Reads the whole of a regular file of at most <paramref name="maxBytes"/> bytes, off the calling thread.</summary>
    /// <inheritdoc cref="ReadAllBytes" path="/param"/>
    /// <exception cref="PluginFileException">The file is not a regular file, is too large, or cannot be read.</exception>
    public static Task<byte[]> ReadAllBytesAsync(string path, long maxBytes, string kind, string? pluginId, CancellationToken cancellationToken)
        => Task.Run(() => ReadAllBytes(path, maxBytes, kind, pluginId, cancellationToken), cancellationToken);

    /// <summary>The lower-case hex SHA-256 of a regular file of at most <paramref name="maxBytes"/> bytes, read in chunks.</summary>
    /// <inheritdoc cref="ReadAllBytes" path="/param"/>
    /// <exception cref="PluginFileException">The file is not a regular file, is too large, or cannot be read.</exception>
    public static string ComputeSha256(string path, long maxBytes, string kind, string? pluginId = null, CancellationToken cancellationToken = default)
    {
        using SafeFileHandle handle = OpenRegular(path, kind, pluginId);
        long length = Length(handle, path, pluginId);
        if (length > maxBytes)
        {
            throw TooLarge(path, kind, maxBytes, pluginId, length);
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = new byte[(int)Math.Min(Chunk, maxBytes + 1)];
        long total = 0;
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int read = RandomAccess.Read(handle, buffer, total);
                if (read == 0)
                {
                    break;
                }

                total += read;
                if (total > maxBytes)
                {
                    throw TooLarge(path, kind, maxBytes, pluginId, null);
                }

                hash.AppendData(buffer, 0, read);
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw Unreadable(path, "it cannot be read", pluginId, exception);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Checks that <paramref name="path"/> is a regular file (after following links) without reading it.</summary>
    /// <inheritdoc cref="ReadAllBytes" path="/param[@name='path']|/param[@name='kind']|/param[@name='pluginId']"/>
    /// <exception cref="PluginFileException">It is not a regular file, or cannot be opened.</exception>
    public static void EnsureRegularFile(string path, string kind, string? pluginId = null)
    {
        using SafeFileHandle handle = OpenRegular(path, kind, pluginId);
    }

    /// <summary>
    /// The path with every symbolic link in it followed, component by component (so <c>..</c> after a
    /// link leaves the link's target, as the system does). Components that do not exist are kept as written.
    /// </summary>
    /// <param name="path">A path; a relative one is taken from the current directory.</param>
    /// <exception cref="IOException">The links loop, or there are more than 40 of them.</exception>
    public static string ResolveLinks(string path)
    {
        // Not Path.GetFullPath: it removes ".." by the text, before the links it follows are known.
        string full = Path.IsPathFullyQualified(path) ? path : Path.Join(Directory.GetCurrentDirectory(), path);
        string root = Path.GetPathRoot(full)!;
        var pending = new Stack<string>();
        Push(pending, full[root.Length..]);
        string current = root;
        int links = 0;
        while (pending.TryPop(out string? part))
        {
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? root;
                continue;
            }

            string next = Path.Join(current, part);
            string? target = LinkTarget(next);
            if (target is null)
            {
                current = next;
                continue;
            }

            if (++links > MaxLinks)
            {
                throw new IOException($"'{path}' leads through more than {MaxLinks} symbolic links (a loop?).");
            }

            if (Path.IsPathFullyQualified(target))
            {
                current = Path.GetPathRoot(target)!;
                target = target[current.Length..];
            }

            Push(pending, target);
        }

        return current;
    }

    /// <summary>Whether <paramref name="path"/> is <paramref name="directory"/> or inside it (both absolute, links resolved).</summary>
    /// <param name="path">The path.</param>
    /// <param name="directory">The directory.</param>
    public static bool IsWithin(string path, string directory)
    {
        StringComparison comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        string root = Path.TrimEndingDirectorySeparator(directory);
        if (path.Equals(root, comparison))
        {
            return true;
        }

        string prefix = IsSeparator(root[^1]) ? root : root + Path.DirectorySeparatorChar;
        return path.StartsWith(prefix, comparison);
    }

    private static bool IsSeparator(char c) => c == Path.DirectorySeparatorChar || c == Path.AltDirectorySeparatorChar;

    private static void Push(Stack<string> pending, string relative)
    {
        string[] parts = relative.Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);
        for (int i = parts.Length - 1; i >= 0; i--)
        {
            pending.Push(parts[i]);
        }
    }

    private static string? LinkTarget(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Not a link we can read (or not there): the open that follows reports it.
            return null;
        }
    }

    private static long Length(SafeFileHandle handle, string path, string? pluginId)
    {
        try
        {
            return RandomAccess.GetLength(handle);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw Unreadable(path, "its length cannot be read", pluginId, exception);
        }
    }

    private static PluginFileException TooLarge(string path, string kind, long maxBytes, string? pluginId, long? length)
    {
        string size = length is { } known ? $"it is {known} bytes" : $"it holds more than {maxBytes} bytes (reading stopped there)";
        return new PluginFileException(path, $"{size}; Airlock reads at most {maxBytes} bytes of {kind}.", PluginFileProblem.TooLarge, maxBytes, pluginId);
    }

    private static PluginFileException Unreadable(string path, string what, string? pluginId, Exception exception)
        => new(path, $"{what}: {exception.Message}", PluginFileProblem.Unreadable, pluginId: pluginId, innerException: exception);

    private static PluginFileException NotRegular(string path, string type, string kind, string? pluginId)
    {
        string through = LinkTarget(path) is null ? string.Empty : " (through a symbolic link)";
        return new PluginFileException(path, $"it is {type}{through}, not a regular file; only regular files are read as {kind}.", PluginFileProblem.NotRegularFile, pluginId: pluginId);
    }
}
