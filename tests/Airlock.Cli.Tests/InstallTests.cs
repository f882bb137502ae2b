using System.Text;
using System.Text.Json;

namespace Airlock.Cli.Tests;

public sealed class InstallTests : IDisposable
{
    private const string ChirpId = "com.airlock.samples.chirp-c";

    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task An_unsigned_module_is_refused_unless_allowed_and_the_allowance_is_audited()
    {
        string source = _cli.CopySample("chirp-c");

        CliResult refused = await _cli.RunAsync("install", source, "--yes");
        CliResult installed = await _cli.RunAsync("install", source, "--yes", "--allow-unsigned");
        CliResult audit = await _cli.RunAsync("audit", "--plugin", ChirpId, "--json");

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("is not signed", refused.Error);
        Assert.True(installed.ExitCode == 0, installed.ToString());
        JsonElement record = Assert.Single(JsonDocument.Parse(File.ReadAllText(_cli.LockFile)).RootElement.GetProperty("plugins").EnumerateArray());
        Assert.Equal(ChirpId, record.GetProperty("name").GetString());
        Assert.Equal("1.0.0", record.GetProperty("version").GetString());
        Assert.Equal(CliHarness.Sha256(Path.Combine(source, "chirp.wasm")), record.GetProperty("sha256").GetString());
        Assert.Equal(source, record.GetProperty("source").GetString());
        Assert.False(record.TryGetProperty("signer", out _));
        Assert.True(File.Exists(Path.Combine(_cli.PluginsDirectory, ChirpId, "chirp.wasm")));
        JsonElement install = audit.Json.EnumerateArray().Single(e => e.GetProperty("action").GetString() == "install");
        Assert.Contains("unsigned, allowed by --allow-unsigned", install.GetProperty("detail").GetString());
        Assert.Contains("approved by airlock install --yes", install.GetProperty("detail").GetString());
        Assert.Contains(audit.Json.EnumerateArray(), e => e.GetProperty("action").GetString() == "approval" && e.GetProperty("allowed").GetBoolean());
    }

    [Fact]
    public async Task A_module_signed_with_a_trusted_key_installs_and_records_its_signer()
    {
        string source = _cli.CopySample("chirp-c");
        (var key, string publicKey) = _cli.NewKey();
        CliHarness.SignBlob(key, Path.Combine(source, "chirp.wasm"));

        CliResult result = await _cli.RunAsync("install", source, "--yes", "--key", publicKey, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("key cosign.pub (sha256:", result.Json.GetProperty("signer").GetString());
        Assert.Contains("\"signer\": \"key cosign.pub", File.ReadAllText(_cli.LockFile));
        Assert.True(File.Exists(Path.Combine(_cli.PluginsDirectory, ChirpId, "chirp.wasm.sig")));
    }

    [Fact]
    public async Task A_signature_by_an_untrusted_key_is_refused()
    {
        string source = _cli.CopySample("chirp-c");
        (var signer, _) = _cli.NewKey("signer.pub");
        (_, string other) = _cli.NewKey("other.pub");
        CliHarness.SignBlob(signer, Path.Combine(source, "chirp.wasm"));

        CliResult wrongKey = await _cli.RunAsync("install", source, "--yes", "--key", other);
        CliResult noKey = await _cli.RunAsync("install", source, "--yes");

        Assert.Equal(1, wrongKey.ExitCode);
        Assert.Contains("does not verify with any trusted key (other.pub)", wrongKey.Error);
        Assert.Equal(1, noKey.ExitCode);
        Assert.Contains("no trusted key was given", noKey.Error);
    }

    [Fact]
    public async Task A_sigstore_bundle_with_a_trusted_public_key_is_verified_offline()
    {
        string source = _cli.CopySample("samuel-hello-c");
        (var key, string publicKey) = _cli.NewKey();
        Directory.CreateDirectory(Path.Combine(_cli.DataDirectory, "trusted-keys"));
        File.Copy(publicKey, Path.Combine(_cli.DataDirectory, "trusted-keys", "release.pub"));
        CliHarness.SignBundle(key, Path.Combine(source, "samuel-hello.wasm"));

        CliResult result = await _cli.RunAsync("install", source, "--yes", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("key release.pub", result.Json.GetProperty("signer").GetString());
    }

    [Fact]
    public async Task A_keyless_bundle_is_refused_as_unverifiable_not_as_unsigned()
    {
        string source = _cli.CopySample("samuel-hello-c");
        (var key, string publicKey) = _cli.NewKey();
        CliHarness.SignBundle(key, Path.Combine(source, "samuel-hello.wasm"), certificate: Convert.ToBase64String(Encoding.ASCII.GetBytes("a Fulcio certificate")));

        CliResult result = await _cli.RunAsync("install", source, "--yes", "--key", publicKey, "--allow-unsigned");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("is keyless", result.Error);
        Assert.Contains("cannot be verified here", result.Error);
        Assert.DoesNotContain("not signed", result.Error);
        Assert.False(File.Exists(_cli.LockFile));
    }

    [Fact]
    public async Task A_download_installs_and_records_its_address_as_the_source()
    {
        using var server = new DownloadServer();
        server.Serve("/hello.zip", DownloadServer.Zip(_cli.CopySample("samuel-hello-c")), truncateAt: null);

        CliResult installed = await _cli.RunAsync("install", server.Url("/hello.zip"), "--yes", "--allow-unsigned");
        CliResult run = await _cli.RunAsync("run", "samuel-hello", "greet", """{"name":"Ada"}""");

        Assert.True(installed.ExitCode == 0, installed.ToString());
        Assert.Contains(server.Url("/hello.zip"), File.ReadAllText(_cli.LockFile));
        Assert.Empty(Directory.GetDirectories(_cli.PluginsDirectory, ".installing-*"));
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("Hello, Ada!", run.Json.GetProperty("greeting").GetString());
    }

    // The install-time attacks (tampered after signing, a bundle for another module, a manifest asking for more than
    // its approval, an interrupted download, a truncated module) are hostile-suite cases:
    // tests/Airlock.EndToEnd.Tests/Security/HostileCases.Install.cs.

    [Fact]
    public async Task Plain_http_is_refused_except_to_this_machine()
    {
        CliResult result = await _cli.RunAsync("install", "http://plugins.example.com/x.zip", "--yes");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("is plain http", result.Error);
    }
}
