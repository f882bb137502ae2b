using System.Text.Json;
using Airlock.Security;

namespace Airlock.Host.Tests;

/// <summary>
/// Nothing a manifest says is silently ignored on a load path: permissions run only under their
/// approval, limits apply (never above the host's), and configuration is checked against its schema
/// and reaches the plugin.
/// </summary>
public sealed class ManifestLoadTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("airlock-manifest-load-").FullName;

    public ManifestLoadTests() => File.WriteAllBytes(Path.Combine(_folder, "probe.wasm"), ProbeModules.Compile(ProbeModules.Module()));

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private Task<string> ModuleSha256() => Task.FromResult(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(_folder, "probe.wasm")))));

    private string Manifest(string members)
    {
        string path = Path.Combine(_folder, "plugin.json");
        File.WriteAllText(path, $$"""
            {
              "id": "acme.probe",
              "version": "1.0.0",
              "module": "probe.wasm"{{(members.Length == 0 ? "" : ",\n" + members)}}
            }
            """);
        return path;
    }

    [Fact]
    public async Task A_manifest_that_says_it_uses_no_wasi_gets_none_and_a_module_importing_it_is_refused()
    {
        File.WriteAllBytes(Path.Combine(_folder, "probe.wasm"), ProbeModules.Compile(ProbeModules.Module(imports: """(import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))""")));
        await using var host = new PluginHost();
        await using (IProbePlugin withWasi = await host.LoadAsync<IProbePlugin>(Manifest("\"wasi\": true")))
        {
            Assert.Equal(42, withWasi.Ping(41));
        }

        var refused = await Assert.ThrowsAsync<PluginContractException>(() => host.LoadAsync<IProbePlugin>(Manifest("\"wasi\": false")));
        Assert.Contains("wasi_snapshot_preview1.fd_write", refused.Message, StringComparison.Ordinal);

        var wrongType = Assert.Throws<PluginManifestException>(() => PluginManifest.Load(Manifest("\"wasi\": \"yes\"")));
        Assert.Equal("wasi", wrongType.Field);
    }

    [Fact]
    public async Task A_manifest_without_permissions_loads_with_a_plain_LoadAsync()
    {
        await using var host = new PluginHost();
        await using IProbePlugin plugin = await host.LoadAsync<IProbePlugin>(Manifest(""));
        Assert.Equal(42, plugin.Ping(41));
        Assert.Equal(HostResultEncoding.Plain, plugin.Info.HostResults);
    }

    [Fact]
    public async Task A_manifest_with_permissions_is_never_loaded_without_approval()
    {
        await using var host = new PluginHost();
        string path = Manifest("""
              "permissions": {"storage_access": true}
            """);
        var error = await Assert.ThrowsAsync<PluginApprovalException>(() => host.LoadAsync<IProbePlugin>(path));
        Assert.Equal("acme.probe", error.PluginId);
        Assert.Equal("storage_access", error.Requested.Fingerprint);
        Assert.Contains("PluginHost.LoadAsync does not approve permissions", error.Message, StringComparison.Ordinal);
        Assert.Contains("SocialScalePluginLoader", error.Message, StringComparison.Ordinal);
        Assert.Contains("PluginLoadOptions.Approval", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, host.ModuleCacheStatistics.Compilations);
    }

    [Fact]
    public async Task An_approval_of_other_permissions_does_not_count()
    {
        await using var host = new PluginHost();
        string path = Manifest("""
              "permissions": {"storage_access": true, "event_emit": true}
            """);
        var options = new PluginLoadOptions { Approval = new ApprovalRecord("acme.probe", "1.0.0", "storage_access", await ModuleSha256(), DateTimeOffset.UtcNow, "test") };
        var error = await Assert.ThrowsAsync<PluginApprovalException>(() => host.LoadAsync<IProbePlugin>(path, options));
        Assert.Contains("the approval it was given is for plugin 'acme.probe' 1.0.0 with storage_access", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_its_approval_a_manifest_loads_under_its_own_limits_capped_at_the_hosts()
    {
        await using var host = new PluginHost();
        string path = Manifest("""
              "permissions": {"storage_access": true},
              "limits": {"memory_mb": 16, "timeout_ms": 3600000, "max_instances": 1}
            """);
        PluginManifest manifest = PluginManifest.Load(path);
        var options = new PluginLoadOptions { Approval = new ApprovalRecord(manifest.Id, manifest.Version, manifest.Permissions.Fingerprint, await ModuleSha256(), DateTimeOffset.UtcNow, "test") };
        await using IProbePlugin plugin = await host.LoadAsync<IProbePlugin>(manifest, options);
        Assert.Equal(16L * 1024 * 1024, plugin.Info.Limits.MemoryBytes);
        Assert.Equal(1, plugin.Info.Limits.MaxInstances);
        Assert.Equal(PluginLimits.Default.Timeout, plugin.Info.Limits.Timeout);
        Assert.Equal(PluginLimits.Default.FuelPerCall, plugin.Info.Limits.FuelPerCall);
    }

    [Fact]
    public async Task An_approval_covers_exactly_one_module_and_other_bytes_are_refused_before_compiling()
    {
        await using var host = new PluginHost();
        string path = Manifest("""
              "permissions": {"storage_access": true}
            """);
        PluginManifest manifest = PluginManifest.Load(path);
        string approved = await ModuleSha256();
        var options = new PluginLoadOptions { Approval = new ApprovalRecord(manifest.Id, manifest.Version, manifest.Permissions.Fingerprint, approved, DateTimeOffset.UtcNow, "test") };

        // Another module now claims the approved id and version.
        File.WriteAllBytes(Path.Combine(_folder, "probe.wasm"), ProbeModules.Compile(ProbeModules.Module(extra: """(func (export "other") (result i32) (i32.const 2))""")));
        var error = await Assert.ThrowsAsync<PluginApprovalException>(() => host.LoadAsync<IProbePlugin>(manifest, options));
        string swapped = await ModuleSha256();
        Assert.NotEqual(approved, swapped);
        Assert.Equal(swapped, error.ModuleSha256);
        Assert.Contains($"was approved for the module with SHA-256 {approved}, but '{manifest.WasmPath}' holds a module with SHA-256 {swapped}", error.Message, StringComparison.Ordinal);
        Assert.Contains("an approval covers exactly one module", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, host.ModuleCacheStatistics.Compilations);
    }

    [Fact]
    public async Task Configuration_missing_what_the_schema_requires_is_refused_with_its_pointer()
    {
        await using var host = new PluginHost();
        string path = Manifest("""
              "config_schema": {"type": "object", "properties": {"api_key": {"type": "string"}}, "required": ["api_key"]}
            """);
        var error = await Assert.ThrowsAsync<PluginManifestException>(() => host.LoadAsync<IProbePlugin>(path));
        Assert.Equal("config_schema", error.Field);
        Assert.Equal(5, error.Line);
        Assert.Contains("no configuration was given, and it does not match the manifest's config_schema: /: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("api_key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Configuration_from_the_manifest_or_the_application_is_validated_and_reaches_the_plugin()
    {
        await using var host = new PluginHost();
        string path = Manifest("""
              "config_schema": {"type": "object", "properties": {"api_key": {"type": "string"}, "retries": {"type": "integer", "maximum": 5}}, "required": ["api_key"]},
              "config": {"api_key": "from-the-manifest"}
            """);
        await using (IProbePlugin plugin = await host.LoadAsync<IProbePlugin>(path))
        {
            Assert.Equal("from-the-manifest", plugin.Info.Configuration!.Value.GetProperty("api_key").GetString());
        }

        using JsonDocument supplied = JsonDocument.Parse("""{"api_key": "from-the-app", "retries": 3}""");
        await using (IProbePlugin plugin = await host.LoadAsync<IProbePlugin>(path, new PluginLoadOptions { Configuration = supplied.RootElement }))
        {
            Assert.Equal("from-the-app", plugin.Info.Configuration!.Value.GetProperty("api_key").GetString());
        }

        using JsonDocument wrong = JsonDocument.Parse("""{"api_key": 7, "retries": 9}""");
        var error = await Assert.ThrowsAsync<PluginManifestException>(() => host.LoadAsync<IProbePlugin>(path, new PluginLoadOptions { Configuration = wrong.RootElement }));
        Assert.Contains("the configuration the application supplied does not match", error.Message, StringComparison.Ordinal);
        Assert.Contains("/api_key: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("/retries: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_plugin_asks_for_status_codes_in_its_manifest()
    {
        await using var host = new PluginHost();
        await using IProbePlugin plugin = await host.LoadAsync<IProbePlugin>(Manifest("""
              "host_status_codes": true
            """));
        Assert.Equal(HostResultEncoding.StatusCodes, plugin.Info.HostResults);
    }
}
