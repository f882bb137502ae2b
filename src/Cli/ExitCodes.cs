namespace Airlock.Cli;

/// <summary>
/// What the command's exit status means, the same for every command (documented in <c>docs/cli.md</c> and in
/// <c>airlock --help</c>).
/// </summary>
internal static class ExitCodes
{
    /// <summary>Done: the module fits, the plugin installed, the call returned.</summary>
    public const int Ok = 0;

    /// <summary>
    /// The answer is no: the module does not fit, a signature does not verify, the approval was refused, the plugin
    /// answered with an error or its call failed.
    /// </summary>
    public const int No = 1;

    /// <summary>Could not check or do it: bad arguments, a file that cannot be read or is not a module, a failed download.</summary>
    public const int CouldNot = 2;

    /// <summary>Interrupted (Ctrl+C); nothing was changed that was not finished.</summary>
    public const int Cancelled = 130;

    /// <summary>The command's text for <c>--help</c>.</summary>
    public const string Help = """
        Exit codes:
          0    done (the module fits, the plugin installed, the call returned)
          1    the answer is no (does not fit, bad signature, approval refused, the plugin failed or answered an error)
          2    could not check or do it (bad arguments, unreadable file, not a module, failed download)
          130  interrupted
        """;
}

/// <summary>A user mistake or a refusal the command reports as one sentence, without a stack trace.</summary>
internal sealed class CliException : Exception
{
    public CliException(int exitCode, string message)
        : base(message)
    {
        ExitCode = exitCode;
    }

    public CliException()
        : this(ExitCodes.CouldNot, "The command failed.")
    {
    }

    public CliException(string message)
        : this(ExitCodes.CouldNot, message)
    {
    }

    public CliException(string message, Exception innerException)
        : base(message, innerException)
    {
        ExitCode = ExitCodes.CouldNot;
    }

    /// <summary>The exit status to end with.</summary>
    public int ExitCode { get; }
}
