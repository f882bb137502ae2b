using System.Text.Json;

namespace Airlock.Cli.Tests;

public sealed class InspectAndCheckTests : IDisposable
{
    private readonly CliHarness _cli = new();

    private static string Chirp => Path.Combine(CliHarness.Samples, "chirp-c", "chirp.wasm");

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Inspect_shows_the_module_and_which_profiles_it_fits()
    {
        CliResult result = await _cli.RunAsync("inspect", Chirp);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("sha256  " + CliHarness.Sha256(Chirp), result.Out);
        Assert.Contains("env.host_http_request", result.Out);
        Assert.Contains("plugin_handle_request", result.Out);
        Assert.Contains("(i32, i32) -> i64", result.Out);
        Assert.Contains("fits          SocialScale", result.Out);
        Assert.Contains("does not fit  Lesstruct", result.Out);
        Assert.Contains("AIR107: the input offset 0x10000", result.Out);
    }

    [Theory]
    [InlineData("chirp-c/chirp.wasm", "socialscale")]
    [InlineData("lesstruct-enrich-c/plugin.wasm", "lesstruct")]
    [InlineData("driftless-c/logkit.wasm", "driftless")]
    [InlineData("driftless-rust/confkit.wasm", "driftless")]
    [InlineData("samuel-hello-c/samuel-hello.wasm", "samuel")]
    public async Task Inspect_as_json_names_the_profile_each_sample_fits(string module, string profile)
    {
        CliResult result = await _cli.RunAsync("inspect", Path.Combine(CliHarness.Samples, module), "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        JsonElement[] profiles = [.. result.Json.GetProperty("profiles").EnumerateArray()];
        Assert.Equal(4, profiles.Length);
        JsonElement fit = profiles.Single(p => p.GetProperty("profile").GetString() == profile);
        Assert.True(fit.GetProperty("fits").GetBoolean(), result.Out);
        Assert.All(profiles.Where(p => !p.GetProperty("fits").GetBoolean()), p => Assert.NotEqual(0, p.GetProperty("problems").GetArrayLength()));
    }

    [Fact]
    public async Task Inspect_refuses_a_truncated_module_with_one_sentence()
    {
        string truncated = Path.Combine(_cli.Root, "truncated.wasm");
        File.WriteAllBytes(truncated, File.ReadAllBytes(Chirp)[..100]);

        CliResult result = await _cli.RunAsync("inspect", truncated);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Module 'truncated.wasm' cannot be read: it is not a valid WebAssembly module", result.Error);
        Assert.DoesNotContain("   at ", result.Error);
    }

    [Fact]
    public async Task Check_exits_0_when_the_module_fits_its_contract()
    {
        CliResult result = await _cli.RunAsync("check", Chirp, "--contract", "Airlock.Contracts.SocialScale.ISocialScalePlugin");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("ok: Module 'chirp.wasm' fits contract 'Airlock.Contracts.SocialScale.ISocialScalePlugin'.", result.Out);
    }

    [Fact]
    public async Task Check_exits_1_with_the_sentences_the_build_and_the_host_use()
    {
        CliResult result = await _cli.RunAsync("check", Chirp, "--profile", "lesstruct");

        Assert.Equal(1, result.ExitCode);
        // AIR107 and AIR105 are the generator's descriptors' ids and format, and the host's refusal message.
        Assert.Contains("error AIR107: Module 'chirp.wasm' does not fit contract 'Airlock.Contracts.Lesstruct.ILesstructPlugin': the input offset 0x10000 (65536) lies inside the guest's stack", result.Out);
        Assert.Contains("error AIR105: Module 'chirp.wasm' does not fit contract 'Airlock.Contracts.Lesstruct.ILesstructPlugin': the module imports 'env.host_log' (i32, i32, i32) -> (), and no host module 'env' is provided.", result.Out);
    }

    [Fact]
    public async Task Check_as_json_lists_each_problem_with_its_id()
    {
        CliResult result = await _cli.RunAsync("check", Path.Combine(CliHarness.Samples, "samuel-hello-c", "samuel-hello.wasm"), "--contract", "Airlock.Contracts.SocialScale.ISocialScalePlugin", "--json");

        Assert.Equal(1, result.ExitCode);
        Assert.False(result.Json.GetProperty("fits").GetBoolean());
        Assert.Contains(result.Json.GetProperty("problems").EnumerateArray(), p => p.GetProperty("id").GetString() == "AIR104" && p.GetProperty("sentence").GetString()!.StartsWith("Module 'samuel-hello.wasm' does not fit contract", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Check_exits_2_with_AIR101_for_a_module_it_cannot_read()
    {
        string truncated = Path.Combine(_cli.Root, "cut.wasm");
        File.WriteAllBytes(truncated, File.ReadAllBytes(Chirp)[..64]);

        CliResult result = await _cli.RunAsync("check", truncated, "--profile", "socialscale");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("error AIR101: Module 'cut.wasm' tied to contract 'socialscale' cannot be checked: it is not a valid WebAssembly module", result.Error);
    }

    [Fact]
    public async Task Check_loads_a_contract_from_an_assembly_and_its_samuel_manifest()
    {
        string assembly = typeof(IWasmPlugin).Assembly.Location;
        string folder = Path.Combine(CliHarness.Samples, "samuel-lint-rust");

        CliResult fits = await _cli.RunAsync("check", Path.Combine(folder, "samuel-lint.wasm"), "--contract", "Airlock.Contracts.Samuel.ISamuelLinter", "--assembly", assembly, "--manifest", Path.Combine(folder, "samuel-plugin.toml"));
        CliResult unknown = await _cli.RunAsync("check", Chirp, "--contract", "MyApp.INothing", "--assembly", assembly);

        Assert.True(fits.ExitCode == 0, fits.ToString());
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("has no contract 'MyApp.INothing'", unknown.Error);
        Assert.Contains("Airlock.Contracts.SocialScale.ISocialScalePlugin", unknown.Error);
    }

    [Fact]
    public async Task Every_command_has_help_with_an_example()
    {
        foreach (string[] command in new[] { new[] { "inspect" }, ["check"], ["install"], ["run"], ["approvals"], ["audit"], ["doctor"] })
        {
            CliResult result = await _cli.RunAsync([.. command, "--help"]);
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Contains("Example", result.Out);
            Assert.Contains("Exit codes", result.Out);
        }
    }
}
