using System.Text;
using Airlock.Security;

namespace Airlock.Host.Tests.Security;

/// <summary>The manifest's permissions and limits, and the administrator's limit policy.</summary>
public sealed class PermissionManifestTests
{
    [Fact]
    public void Permissions_and_limits_are_read_and_domains_normalised()
    {
        PluginManifest manifest = Parse("""
            "permissions": {"network_access": {"domains": ["API.Example.com", "*.cdn.example.com"]}, "storage_access": true, "event_emit": true, "credential_access": {"platform": "chirp"}},
            "limits": {"memory_mb": 32, "fuel_per_call": 5000, "timeout_ms": 1500, "max_instances": 3, "http_requests_per_hour": 50}
            """);
        Assert.Equal(["api.example.com", "*.cdn.example.com"], manifest.Permissions.NetworkDomains);
        Assert.True(manifest.Permissions.StorageAccess && manifest.Permissions.EventEmit);
        Assert.Equal("chirp", manifest.Permissions.CredentialPlatform);
        Assert.Equal("network_access: *.cdn.example.com, api.example.com;storage_access;event_emit;credential_access: chirp", manifest.Permissions.Fingerprint);
        Assert.Equal(32L * 1024 * 1024, manifest.Limits!.MemoryBytes);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), manifest.Limits.Timeout);
        Assert.Equal(50, manifest.Limits.HttpRequestsPerHour);
    }

    [Theory]
    [InlineData("\"permissions\": {\"disk_access\": true}", "permissions.disk_access", "unknown permission")]
    [InlineData("\"permissions\": {\"storage_access\": false}", "permissions.storage_access", "expected true")]
    [InlineData("\"permissions\": {\"network_access\": {\"domains\": []}}", "permissions.network_access", "at least one domain")]
    [InlineData("\"permissions\": {\"network_access\": {\"domains\": [\"10.0.0.1\"]}}", "permissions.network_access.domains[0]", "IP")]
    [InlineData("\"permissions\": {\"network_access\": {\"domains\": [\"*.com\"]}}", "permissions.network_access.domains[0]", "*.com")]
    [InlineData("\"permissions\": {\"credential_access\": true}", "permissions.credential_access", "platform")]
    [InlineData("\"limits\": {\"memory_mb\": 0}", "limits.memory_mb", "positive whole number")]
    [InlineData("\"limits\": {\"memory_mb\": 4096}", "limits.memory_mb", "out of range")]
    [InlineData("\"limits\": {\"cpu\": 1}", "limits.cpu", "unknown limit")]
    public void Bad_permissions_and_limits_name_the_field_and_line(string members, string field, string problem)
    {
        var error = Assert.Throws<PluginManifestException>(() => Parse(members));
        Assert.Equal(field, error.Field);
        Assert.Equal(2, error.Line);
        Assert.Contains(problem, error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void The_limit_policy_caps_requests_and_administrator_overrides_win()
    {
        var policy = new PluginLimitPolicy();
        policy.Overrides["overridden"] = new PluginLimitOverride(PluginLimits.Default with { MemoryBytes = 16L * 1024 * 1024 }, HttpRequestsPerHour: 5);
        var greedy = new PluginLimitRequest { MemoryBytes = 1L << 30, Timeout = TimeSpan.FromMinutes(10), HttpRequestsPerHour = 1_000_000 };

        EffectiveLimits capped = policy.Resolve("greedy", greedy);
        Assert.Equal(policy.Maximums.MemoryBytes, capped.Limits.MemoryBytes);
        Assert.Equal(policy.Maximums.Timeout, capped.Limits.Timeout);
        Assert.Equal(policy.MaxHttpRequestsPerHour, capped.HttpRequestsPerHour);

        EffectiveLimits modest = policy.Resolve("modest", new PluginLimitRequest { MemoryBytes = 8L * 1024 * 1024 });
        Assert.Equal(8L * 1024 * 1024, modest.Limits.MemoryBytes);
        Assert.Equal(1000, modest.HttpRequestsPerHour);

        EffectiveLimits overridden = policy.Resolve("overridden", greedy);
        Assert.Equal(16L * 1024 * 1024, overridden.Limits.MemoryBytes);
        Assert.Equal(5, overridden.HttpRequestsPerHour);
    }

    private static PluginManifest Parse(string members)
        => PluginManifest.Parse(Encoding.UTF8.GetBytes("{\"id\": \"p\", \"name\": \"P\", \"version\": \"1.0.0\", \"capabilities\": [\"platform_connector\"], \"wasm_path\": \"p.wasm\",\n" + members + "\n}"), Path.Combine(Path.GetTempPath(), "plugin.json"));
}
