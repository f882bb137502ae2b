using Spectre.Console;

namespace Airlock.Cli;

/// <summary>
/// Where a command writes and whom it may ask: standard output for results (tables, JSON), standard error for
/// progress and errors. Colours and prompts only on a terminal: output that is redirected gets plain text, and a
/// command that would prompt without a terminal says to pass <c>--yes</c> instead.
/// </summary>
internal sealed class CliConsole
{
    public CliConsole(IAnsiConsole output, IAnsiConsole error, bool interactive)
    {
        Out = output;
        Error = error;
        Interactive = interactive;
    }

    /// <summary>Results.</summary>
    public IAnsiConsole Out { get; }

    /// <summary>Progress, warnings and errors.</summary>
    public IAnsiConsole Error { get; }

    /// <summary>Whether the user can answer a prompt (standard input and output are a terminal).</summary>
    public bool Interactive { get; }

    /// <summary>The process's console: colours when the stream is a terminal and <c>NO_COLOR</c> is not set.</summary>
    public static CliConsole FromProcess()
    {
        bool colour = Environment.GetEnvironmentVariable("NO_COLOR") is null or "";
        IAnsiConsole output = Create(Console.Out, colour && !Console.IsOutputRedirected, !Console.IsInputRedirected && !Console.IsOutputRedirected);
        IAnsiConsole error = Create(Console.Error, colour && !Console.IsErrorRedirected, false);
        return new CliConsole(output, error, !Console.IsInputRedirected && !Console.IsOutputRedirected);
    }

    /// <summary>A console over writers (tests): plain text, no prompts.</summary>
    public static CliConsole Plain(TextWriter output, TextWriter error)
        => new(Create(output, false, false), Create(error, false, false), false);

    private static IAnsiConsole Create(TextWriter writer, bool terminal, bool interactive)
    {
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Yes : InteractionSupport.No,
        });
        if (!terminal)
        {
            // Redirected output is read by scripts: no wrapping at an imagined width.
            console.Profile.Width = 4096;
        }

        return console;
    }
}
