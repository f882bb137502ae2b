using Airlock.Cli.Tests;

namespace Airlock.EndToEnd.Tests.Security;

/// <summary>
/// The hostile cases at install time, run through the <c>airlock</c> command as an administrator would (in process,
/// with a scratch plugins and data directory): a plugin whose files were changed after signing, a manifest that asks
/// for more than its approval, a download cut short and a truncated module. Each is refused with a sentence and an exit
/// code, leaves the installed folder and the lock file as they were, and the installed version keeps serving.
/// </summary>
public static partial class HostileCases
{
    private const string SamuelC = "C (samuel-hello-c)";

    private static IEnumerable<HostileCase> InstallCases =>
    [
        new("install-tampered-after-signing", "ships a module changed after it was signed with a trusted key (a .sig), then one whose sigstore bundle was made for other bytes", "airlock install exits 1 with \"does not verify ... the module was changed after it was signed\" and \"was made for another module\"; nothing is copied and no lock file is written", C, TamperedAfterSigningAsync),
        new("install-more-than-approved", "a new version of an installed plugin whose manifest adds a domain to what the administrator approved", "airlock install shows the domain as new and, with nobody to ask, exits 1; airlock run of the new folder exits 1 (no approval covers it); the installed version and its manifest stay and serve", C, MoreThanApprovedAsync),
        new("install-interrupted-download", "a download of a new version cut off half way (the connection drops before Content-Length bytes)", "airlock install exits 2 saying the download was interrupted; the lock file is byte for byte as before, no .installing folder is left, and the installed version serves", SamuelC, InterruptedDownloadAsync),
        new("install-truncated-module", "a new version whose module is cut to its first 100 bytes", "airlock install exits 2 (\"not a valid WebAssembly module\") before asking anything; the installed version and the lock file stay and serve", SamuelC, TruncatedModuleAsync),
    ];

    private static async Task<IHostileProbe?> TamperedAfterSigningAsync(HostileWorld world)
    {
        using var cli = new CliHarness();
        (var key, string publicKey) = cli.NewKey();
        string signed = cli.CopySample("chirp-c");
        CliHarness.SignBlob(key, Path.Combine(signed, "chirp.wasm"));
        FlipLastByte(Path.Combine(signed, "chirp.wasm"));
        string bundled = cli.CopySample("chirp-c");
        CliHarness.SignBundle(key, Path.Combine(bundled, "chirp.wasm"));
        FlipLastByte(Path.Combine(bundled, "chirp.wasm"));

        CliResult blob = await cli.RunAsync("install", signed, "--yes", "--key", publicKey);
        CliResult bundle = await cli.RunAsync("install", bundled, "--yes", "--key", publicKey, "--allow-unsigned");

        Assert.Equal(1, blob.ExitCode);
        Assert.Contains("does not verify with any trusted key (cosign.pub): the module was changed after it was signed", blob.Error, StringComparison.Ordinal);
        Assert.Equal(1, bundle.ExitCode);
        Assert.Contains("was made for another module", bundle.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", blob.Error + bundle.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(cli.LockFile));
        Assert.False(Directory.Exists(Path.Combine(cli.PluginsDirectory, ChirpId)));
        return null;
    }

    private static async Task<IHostileProbe?> MoreThanApprovedAsync(HostileWorld world)
    {
        using var cli = new CliHarness();
        string source = cli.CopySample("chirp-c");
        Assert.Equal(0, (await cli.RunAsync("install", source, "--yes", "--allow-unsigned")).ExitCode);
        string lockBefore = File.ReadAllText(cli.LockFile);
        string manifest = Path.Combine(source, "plugin.json");
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"domains\": [\"api.chirp.example\"]", "\"domains\": [\"api.chirp.example\", \"evil.example\"]", StringComparison.Ordinal));

        CliResult install = await cli.RunAsync("install", source, "--allow-unsigned");
        CliResult run = await cli.RunAsync("run", source, "plugin_handle_request", """{"type":"metadata"}""");
        CliResult installed = await cli.RunAsync("run", ChirpId, "plugin_handle_request", """{"type":"metadata"}""");

        Assert.Equal(1, install.ExitCode);
        Assert.Contains("network_access: api.chirp.example, evil.example", install.Out, StringComparison.Ordinal);
        Assert.Contains("│ new", install.Out, StringComparison.Ordinal);
        Assert.Contains("no terminal to ask on", install.Error, StringComparison.Ordinal);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("no stored approval covers exactly that", run.Error, StringComparison.Ordinal);
        Assert.True(installed.ExitCode == 0, installed.ToString());
        Assert.Equal(lockBefore, File.ReadAllText(cli.LockFile));
        Assert.DoesNotContain("evil.example", File.ReadAllText(Path.Combine(cli.PluginsDirectory, ChirpId, "plugin.json")), StringComparison.Ordinal);
        return null;
    }

    private static async Task<IHostileProbe?> InterruptedDownloadAsync(HostileWorld world)
    {
        using var cli = new CliHarness();
        string v2 = cli.CopySample("samuel-hello-c");
        File.WriteAllText(Path.Combine(v2, "samuel-plugin.toml"), File.ReadAllText(Path.Combine(v2, "samuel-plugin.toml")).Replace("version = \"0.1.0\"", "version = \"0.2.0\"", StringComparison.Ordinal));
        byte[] archive = DownloadServer.Zip(v2);
        using var server = new DownloadServer();
        server.Serve("/v1.zip", DownloadServer.Zip(cli.CopySample("samuel-hello-c")), truncateAt: null);
        server.Serve("/v2.zip", archive, truncateAt: archive.Length / 2);
        Assert.Equal(0, (await cli.RunAsync("install", server.Url("/v1.zip"), "--yes", "--allow-unsigned")).ExitCode);
        string lockBefore = File.ReadAllText(cli.LockFile);

        CliResult interrupted = await cli.RunAsync("install", server.Url("/v2.zip"), "--yes", "--allow-unsigned");

        Assert.Equal(2, interrupted.ExitCode);
        Assert.Contains("was interrupted", interrupted.Error, StringComparison.Ordinal);
        Assert.Contains("the installed version, if any, is unchanged", interrupted.Error, StringComparison.Ordinal);
        await AssertStillServingAsync(cli, lockBefore);
        return null;
    }

    private static async Task<IHostileProbe?> TruncatedModuleAsync(HostileWorld world)
    {
        using var cli = new CliHarness();
        Assert.Equal(0, (await cli.RunAsync("install", cli.CopySample("samuel-hello-c"), "--yes", "--allow-unsigned")).ExitCode);
        string lockBefore = File.ReadAllText(cli.LockFile);
        string cut = cli.CopySample("samuel-hello-c");
        string module = Path.Combine(cut, "samuel-hello.wasm");
        File.WriteAllBytes(module, File.ReadAllBytes(module)[..100]);

        CliResult refused = await cli.RunAsync("install", cut, "--yes", "--allow-unsigned");

        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("not a valid WebAssembly module", refused.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", refused.Error, StringComparison.Ordinal);
        await AssertStillServingAsync(cli, lockBefore);
        return null;
    }

    // The version installed before the attack: the same lock file, no half-installed folder, and it answers.
    private static async Task AssertStillServingAsync(CliHarness cli, string lockBefore)
    {
        Assert.Equal(lockBefore, File.ReadAllText(cli.LockFile));
        Assert.Contains("version = \"0.1.0\"", File.ReadAllText(Path.Combine(cli.PluginsDirectory, "samuel-hello", "samuel-plugin.toml")), StringComparison.Ordinal);
        Assert.Empty(Directory.GetDirectories(cli.PluginsDirectory, ".installing-*"));
        CliResult serving = await cli.RunAsync("run", "samuel-hello", "greet", """{"name":"Ada"}""");
        Assert.True(serving.ExitCode == 0, serving.ToString());
        Assert.Equal("Hello, Ada!", serving.Json.GetProperty("greeting").GetString());
    }

    private static void FlipLastByte(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 0x01;
        File.WriteAllBytes(path, bytes);
    }
}
