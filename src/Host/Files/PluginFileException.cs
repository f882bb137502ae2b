namespace Airlock;

/// <summary>
/// A file Airlock was asked to read for a plugin (its module, its manifest, an approvals file) was
/// refused before it was read whole: it is not a regular file, it is larger than the limit for its
/// kind, or it cannot be opened. Says which file, what was wrong and, for a size, the limit.
/// </summary>
public sealed class PluginFileException : PluginLoadException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="filePath">The file.</param>
    /// <param name="problem">What is wrong with it.</param>
    /// <param name="reason">The kind of problem.</param>
    /// <param name="maxBytes">The limit that was exceeded, for <see cref="PluginFileProblem.TooLarge"/>.</param>
    /// <param name="pluginId">The plugin concerned, when known.</param>
    /// <param name="innerException">The underlying cause, if any.</param>
    public PluginFileException(string filePath, string problem, PluginFileProblem reason, long? maxBytes = null, string? pluginId = null, Exception? innerException = null)
        : base(pluginId, $"{filePath}: {problem}", innerException)
    {
        FilePath = filePath;
        Problem = problem;
        Reason = reason;
        MaxBytes = maxBytes;
    }

    /// <summary>The file.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong with it, as a sentence fragment without the file's name.</summary>
    public string Problem { get; }

    /// <summary>The kind of problem.</summary>
    public PluginFileProblem Reason { get; }

    /// <summary>The limit that was exceeded, for <see cref="PluginFileProblem.TooLarge"/>.</summary>
    public long? MaxBytes { get; }
}

/// <summary>Why a plugin's file was refused.</summary>
public enum PluginFileProblem
{
    /// <summary>It could not be opened or read: missing, not permitted, or an I/O error.</summary>
    Unreadable,

    /// <summary>It is not a regular file (after following symbolic links): a directory, a device, a FIFO or a socket.</summary>
    NotRegularFile,

    /// <summary>It holds more bytes than the limit for its kind; reading stopped at the limit.</summary>
    TooLarge,
}
