using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
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
    public async Task A_module_changed_after_signing_is_refused_and_nothing_is_installed()
    {
        string source = _cli.CopySample("chirp-c");
        (var key, string publicKey) = _cli.NewKey();
        string module = Path.Combine(source, "chirp.wasm");
        CliHarness.SignBlob(key, module);
        byte[] bytes = File.ReadAllBytes(module);
        bytes[^1] ^= 0x01;
        File.WriteAllBytes(module, bytes);

        CliResult result = await _cli.RunAsync("install", source, "--yes", "--key", publicKey);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("does not verify with any trusted key (cosign.pub): the module was changed after it was signed", result.Error);
        Assert.False(File.Exists(_cli.LockFile));
        Assert.False(Directory.Exists(Path.Combine(_cli.PluginsDirectory, ChirpId)));
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
    public async Task A_bundle_made_for_another_module_is_refused()
    {
        string source = _cli.CopySample("chirp-c");
        (var key, string publicKey) = _cli.NewKey();
        string module = Path.Combine(source, "chirp.wasm");
        CliHarness.SignBundle(key, module);
        byte[] bytes = File.ReadAllBytes(module);
        bytes[^1] ^= 0x01;
        File.WriteAllBytes(module, bytes);

        CliResult result = await _cli.RunAsync("install", source, "--yes", "--key", publicKey);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("was made for another module", result.Error);
    }

    [Fact]
    public async Task A_manifest_asking_for_more_than_the_approval_needs_a_new_decision_and_does_not_run()
    {
        string source = _cli.CopySample("chirp-c");
        Assert.Equal(0, (await _cli.RunAsync("install", source, "--yes", "--allow-unsigned")).ExitCode);
        string manifest = Path.Combine(source, "plugin.json");
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"domains\": [\"api.chirp.example\"]", "\"domains\": [\"api.chirp.example\", \"evil.example\"]", StringComparison.Ordinal));

        CliResult install = await _cli.RunAsync("install", source, "--allow-unsigned");
        CliResult run = await _cli.RunAsync("run", source, "plugin_handle_request", """{"type":"metadata"}""");
        CliResult installedStillRuns = await _cli.RunAsync("run", ChirpId, "plugin_handle_request", """{"type":"metadata"}""");

        Assert.Equal(1, install.ExitCode);
        Assert.Contains("network_access: api.chirp.example, evil.example", install.Out);
        Assert.Contains("│ new", install.Out);
        Assert.Contains("no terminal to ask on", install.Error);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("no stored approval covers exactly that", run.Error);
        Assert.True(installedStillRuns.ExitCode == 0, installedStillRuns.ToString());
        Assert.DoesNotContain("evil.example", File.ReadAllText(Path.Combine(_cli.PluginsDirectory, ChirpId, "plugin.json")));
    }

    [Fact]
    public async Task A_download_shows_its_source_and_an_interrupted_one_leaves_the_old_version_serving()
    {
        string v1 = _cli.CopySample("samuel-hello-c");
        byte[] archive1 = Zip(v1);
        string v2 = _cli.CopySample("samuel-hello-c");
        File.WriteAllText(Path.Combine(v2, "samuel-plugin.toml"), File.ReadAllText(Path.Combine(v2, "samuel-plugin.toml")).Replace("version = \"0.1.0\"", "version = \"0.2.0\"", StringComparison.Ordinal));
        byte[] archive2 = Zip(v2);
        using var server = new LoopbackServer();
        server.Serve("/v1.zip", archive1, truncateAt: null);
        server.Serve("/v2.zip", archive2, truncateAt: archive2.Length / 2);

        CliResult first = await _cli.RunAsync("install", server.Url("/v1.zip"), "--yes", "--allow-unsigned");
        string lockBefore = File.ReadAllText(_cli.LockFile);
        CliResult interrupted = await _cli.RunAsync("install", server.Url("/v2.zip"), "--yes", "--allow-unsigned");
        CliResult stillServing = await _cli.RunAsync("run", "samuel-hello", "greet", """{"name":"Ada"}""");

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains(server.Url("/v1.zip"), lockBefore);
        Assert.Equal(2, interrupted.ExitCode);
        Assert.Contains("was interrupted", interrupted.Error);
        Assert.Contains("the installed version, if any, is unchanged", interrupted.Error);
        Assert.Equal(lockBefore, File.ReadAllText(_cli.LockFile));
        Assert.Contains("version = \"0.1.0\"", File.ReadAllText(Path.Combine(_cli.PluginsDirectory, "samuel-hello", "samuel-plugin.toml")));
        Assert.Empty(Directory.GetDirectories(_cli.PluginsDirectory, ".installing-*"));
        Assert.True(stillServing.ExitCode == 0, stillServing.ToString());
        Assert.Equal("Hello, Ada!", stillServing.Json.GetProperty("greeting").GetString());
    }

    [Fact]
    public async Task Plain_http_is_refused_except_to_this_machine()
    {
        CliResult result = await _cli.RunAsync("install", "http://plugins.example.com/x.zip", "--yes");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("is plain http", result.Error);
    }

    private static byte[] Zip(string folder)
    {
        using var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (string file in Directory.GetFiles(folder))
            {
                zip.CreateEntryFromFile(file, Path.GetFileName(file));
            }
        }

        return stream.ToArray();
    }

    /// <summary>A minimal HTTP/1.1 server on 127.0.0.1 that can cut a response short, as a dropped connection does.</summary>
    private sealed class LoopbackServer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly Dictionary<string, (byte[] Body, int? TruncateAt)> _routes = [];
        private readonly CancellationTokenSource _stop = new();

        public LoopbackServer()
        {
            _listener.Start();
            _ = Task.Run(AcceptAsync);
        }

        public string Url(string path) => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}{path}";

        public void Serve(string path, byte[] body, int? truncateAt) => _routes[path] = (body, truncateAt);

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
        }

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }

                _ = Task.Run(() => HandleAsync(client));
            }
        }

        private async Task HandleAsync(TcpClient client)
        {
            using (client)
            {
                NetworkStream stream = client.GetStream();
                var reader = new StreamReader(stream, Encoding.ASCII);
                string? requestLine = await reader.ReadLineAsync();
                while (await reader.ReadLineAsync() is { Length: > 0 })
                {
                }

                string path = requestLine?.Split(' ')[1] ?? "/";
                if (!_routes.TryGetValue(path, out var route))
                {
                    await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
                    return;
                }

                await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/zip\r\nContent-Length: {route.Body.Length}\r\nConnection: close\r\n\r\n"));
                await stream.WriteAsync(route.Body.AsMemory(0, route.TruncateAt ?? route.Body.Length));
                await stream.FlushAsync();
                // A truncated response ends with the connection dropped before Content-Length bytes arrived.
                client.Client.LingerState = new LingerOption(true, 0);
            }
        }
    }
}
