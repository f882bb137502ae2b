using Airlock.Contracts.Driftless;
using Samples.SamuelHello;

namespace Airlock.Cli.Tests.GuestBindings;

/// <summary>
/// The sample plugins build on committed copies of their generated bindings (their build.sh never runs the CLI). Each
/// copy is regenerated here with the command <c>samples/plugins/generate-bindings.sh</c> runs and compared byte for
/// byte, so a change to a contract or to a generator that is not regenerated into the samples fails here, naming the
/// script to run.
/// </summary>
public sealed class SampleBindingsTests : IDisposable
{
    private const string Script = "samples/plugins/generate-bindings.sh";

    /// <summary>The placeholder the script writes for the path of Airlock.Contracts.dll.</summary>
    private const string ContractsPlaceholder = "\"$contracts\"";

    /// <summary>The placeholder the script writes for the path of samuel-hello-c's contract assembly.</summary>
    private const string HelloContractPlaceholder = "\"$hello_contract\"";

    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    /// <summary>Each committed copy: the folder (from the repository root), and the command's arguments without --out.</summary>
    public static TheoryData<string, string> Copies => new()
    {
        { "samples/plugins/chirp-c/bindings", "--profile socialscale --lang c" },
        { "samples/plugins/lesstruct-enrich-c/bindings", "--profile lesstruct --lang c" },
        { "samples/plugins/samuel-lint-rust/src", "--profile samuel --lang rust" },
        { "samples/plugins/driftless-c/bindings", $"--contract Airlock.Contracts.Driftless.IDriftlessPackedPlugin --assembly {ContractsPlaceholder} --lang c" },
        { "samples/plugins/samuel-hello-c/bindings", $"--contract Samples.SamuelHello.ISamuelHello --assembly {HelloContractPlaceholder} --lang c" },
    };

    [Theory]
    [MemberData(nameof(Copies))]
    public async Task A_committed_binding_copy_is_what_the_generator_writes_today(string folder, string arguments)
    {
        string command = $"$AIRLOCK bindings {arguments} --out {folder}";
        Assert.True(File.ReadAllLines(Path.Combine(CliHarness.RepositoryRoot, Script)).Contains(command), $"{Script} does not run `{command}`.");

        string fresh = Path.Combine(_cli.Root, "fresh");
        string[] args = [.. "bindings".Split(' '), .. arguments.Split(' ').Select(Resolve), "--out", fresh];
        CliResult result = await _cli.RunAsync(args);
        Assert.True(result.ExitCode == 0, result.ToString());

        string[] written = Directory.GetFiles(fresh);
        Assert.NotEmpty(written);
        foreach (string file in written)
        {
            string committed = Path.Combine(CliHarness.RepositoryRoot, folder, Path.GetFileName(file));
            string stale = $"{folder}/{Path.GetFileName(file)} is stale: the generator writes something else today. Run {Script} and commit the result (then rebuild the sample with its build.sh).";
            Assert.True(File.Exists(committed), stale);
            Assert.True(File.ReadAllBytes(file).AsSpan().SequenceEqual(File.ReadAllBytes(committed)), stale);
        }
    }

    // The script's placeholders for contract assemblies: the ones this test was built with.
    private static string Resolve(string argument) => argument switch
    {
        ContractsPlaceholder => typeof(IDriftlessPackedPlugin).Assembly.Location,
        HelloContractPlaceholder => typeof(ISamuelHello).Assembly.Location,
        _ => argument,
    };

    [Fact]
    public void The_script_runs_no_command_the_test_does_not_check()
    {
        string[] commands = [.. File.ReadAllLines(Path.Combine(CliHarness.RepositoryRoot, Script)).Where(l => l.StartsWith("$AIRLOCK bindings", StringComparison.Ordinal))];
        string[] checkedCommands = [.. Copies.Select(c => $"$AIRLOCK bindings {c[1]} --out {c[0]}")];
        Assert.Equal(checkedCommands.Order(StringComparer.Ordinal), commands.Order(StringComparer.Ordinal));
    }
}
