using System.CommandLine;
using Airlock.Cli.Commands;
using Spectre.Console;

namespace Airlock.Cli;

/// <summary>
/// The <c>airlock</c> command line: its commands, the options every command shares, and how failures end (one
/// sentence saying what to do and an exit code, never a stack trace for a mistake or a refused plugin).
/// </summary>
internal static class AirlockCli
{
    /// <summary>Runs the command <paramref name="args"/> name, writing to <paramref name="console"/>.</summary>
    public static async Task<int> RunAsync(string[] args, CliConsole console, CancellationToken cancellationToken = default)
    {
        var context = new CliContext(console);
        RootCommand root = Build(context);
        // '@file' is the run command's input file, not a response file of arguments.
        ParseResult parsed = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        var output = new StringWriter();
        var error = new StringWriter();
        try
        {
            int code = await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false }, cancellationToken).ConfigureAwait(false);
            Flush(console, output, error);
            return code;
        }
        catch (Exception exception)
        {
            Flush(console, output, error);
            return Report(console, exception);
        }
    }

    /// <summary>The commands and their options.</summary>
    public static RootCommand Build(CliContext context)
    {
        var root = new RootCommand(
            "airlock: look at, check, install, approve, run and audit WebAssembly plugins of any Airlock profile (SocialScale, Lesstruct, Driftless, Samuel) without writing C#.\n\n"
            + "Examples:\n"
            + "  airlock inspect samples/plugins/chirp-c/chirp.wasm\n"
            + "  airlock check chirp.wasm --profile socialscale\n"
            + "  airlock install samples/plugins/chirp-c --key signer.pub\n"
            + "  airlock run com.airlock.samples.chirp-c plugin_info\n\n"
            + ExitCodes.Help);
        root.Options.Add(context.PluginsDirectory);
        root.Options.Add(context.DataDirectory);
        root.Subcommands.Add(InspectCommand.Create(context));
        root.Subcommands.Add(CheckCommand.Create(context));
        root.Subcommands.Add(InstallCommand.Create(context));
        root.Subcommands.Add(RunCommand.Create(context));
        root.Subcommands.Add(ApprovalsCommand.Create(context));
        root.Subcommands.Add(AuditCommand.Create(context));
        root.Subcommands.Add(DoctorCommand.Create(context));
        root.Subcommands.Add(BindingsCommand.Create(context));
        root.Subcommands.Add(NewCommand.Create(context));
        return root;
    }

    // Help and parse errors are written by System.CommandLine to the configuration's writers; they go to the
    // console's streams, in order.
    private static void Flush(CliConsole console, StringWriter output, StringWriter error)
    {
        if (output.GetStringBuilder().Length > 0)
        {
            console.Out.Profile.Out.Writer.Write(output.ToString());
        }

        if (error.GetStringBuilder().Length > 0)
        {
            console.Error.Profile.Out.Writer.Write(error.ToString());
        }
    }

    // A failure is one sentence on standard error. Airlock's own exceptions already say what was wrong and where.
    private static int Report(CliConsole console, Exception exception)
    {
        switch (exception)
        {
            case CliException cli:
                Error(console, cli.Message);
                return cli.ExitCode;
            case Signing.SignatureException:
                Error(console, exception.Message);
                return ExitCodes.No;
            case OperationCanceledException:
                Error(console, "Interrupted; nothing that was not finished was changed.");
                return ExitCodes.Cancelled;
            case PluginManifestException or PluginFileException:
                Error(console, exception.Message);
                return ExitCodes.CouldNot;
            case AirlockException:
                Error(console, exception.Message);
                return ExitCodes.No;
            case IOException or UnauthorizedAccessException:
                Error(console, exception.Message + " Check the path and its permissions.");
                return ExitCodes.CouldNot;
            default:
                Error(console, $"Unexpected {exception.GetType().Name}: {exception.Message} (this is a bug in airlock; set AIRLOCK_DEBUG=1 for the stack trace).");
                if (Environment.GetEnvironmentVariable("AIRLOCK_DEBUG") is "1")
                {
                    console.Error.WriteLine(exception.ToString(), Style.Plain);
                }

                return 70;
        }
    }

    /// <summary>Writes an error sentence to standard error.</summary>
    public static void Error(CliConsole console, string message)
        => console.Error.MarkupLine("[red]error:[/] " + Markup.Escape(message));
}
