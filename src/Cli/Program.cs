namespace Airlock.Cli;

/// <summary>The entry point of the <c>airlock</c> command.</summary>
internal static class Program
{
    public static Task<int> Main(string[] args) => AirlockCli.RunAsync(args, CliConsole.FromProcess());
}
