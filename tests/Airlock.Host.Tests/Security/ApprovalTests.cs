using System.Text;
using Airlock.Auditing;
using Airlock.Security;

namespace Airlock.Host.Tests.Security;

/// <summary>
/// Approvals: nothing runs unapproved, approvals persist keyed by id, version and exact permission
/// set, asking for anything different needs a new approval, and every decision is audited.
/// </summary>
public sealed class ApprovalTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "airlock-approvals-" + Guid.NewGuid().ToString("N"));

    public ApprovalTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task An_approval_is_stored_and_reused_across_restarts()
    {
        var policy = new CountingPolicy(approve: true);
        using (var store = new SqliteApprovalStore(StorePath))
        {
            ApprovalRecord record = await new PluginApprovals(store, policy).EnsureApprovedAsync(Manifest("1.0.0", Storage));
            Assert.Equal("counting", record.ApprovedBy);
        }

        using (var reopened = new SqliteApprovalStore(StorePath))
        {
            await new PluginApprovals(reopened, new DenyAllPolicy()).EnsureApprovedAsync(Manifest("1.0.0", Storage));
        }

        Assert.Equal(1, policy.Asked);
    }

    [Theory]
    [InlineData("1.0.1", Storage)]
    [InlineData("1.0.0", Storage + ", \"event_emit\": true")]
    [InlineData("1.0.0", "\"network_access\": {\"domains\": [\"api.example.com\"]}")]
    public async Task Asking_for_anything_different_needs_a_new_approval(string version, string permissions)
    {
        using var store = new SqliteApprovalStore(StorePath);
        await new PluginApprovals(store, new AutoApprovePolicy()).EnsureApprovedAsync(Manifest("1.0.0", Storage));

        var policy = new CountingPolicy(approve: false);
        var error = await Assert.ThrowsAsync<PluginApprovalException>(() => new PluginApprovals(store, policy).EnsureApprovedAsync(Manifest(version, permissions)));
        Assert.Equal(1, policy.Asked);
        Assert.Equal("1.0.0", policy.LastRequest!.Previous!.Version);
        Assert.Contains("approved before: version 1.0.0 with storage_access", error.Message, StringComparison.Ordinal);
        Assert.Contains("does not run until it is", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_decision_is_audited()
    {
        using var store = new SqliteApprovalStore(StorePath);
        using var audit = new SqliteAuditLog(Path.Combine(_directory, "audit.db"));
        await Assert.ThrowsAsync<PluginApprovalException>(() => new PluginApprovals(store, new DenyAllPolicy(), audit).EnsureApprovedAsync(Manifest("1.0.0", Storage)));
        await new PluginApprovals(store, new AutoApprovePolicy(), audit).EnsureApprovedAsync(Manifest("1.0.0", Storage));
        await new PluginApprovals(store, new DenyAllPolicy(), audit).EnsureApprovedAsync(Manifest("1.0.0", Storage));
        Assert.Equal(
            ["DENIED refused by deny all", "allowed approved by automatic approval", "allowed stored approval by automatic approval"],
            audit.Query("com.example.p").Select(e => (e.Allowed ? "allowed " : "DENIED ") + e.Detail));
    }

    [Fact]
    public async Task An_approvals_file_approves_what_it_covers_and_nothing_more()
    {
        string file = Path.Combine(_directory, "approvals.json");
        await File.WriteAllTextAsync(file, """
            {"approvals": [
              {"plugin": "com.example.p", "version": "*", "permissions": {"storage_access": true, "network_access": {"domains": ["*.example.com"]}}}
            ]}
            """);
        var policy = new ApprovalFilePolicy(file);
        Assert.True(await Approve(policy, Storage));
        Assert.False(await Approve(policy, Storage + ", \"event_emit\": true"));
        Assert.False(await Approve(policy, "\"network_access\": {\"domains\": [\"api.example.com\"]}"));
        Assert.True(await Approve(policy, "\"network_access\": {\"domains\": [\"*.example.com\"]}"));
    }

    [Fact]
    public async Task A_bad_approvals_file_names_the_field()
    {
        string file = Path.Combine(_directory, "approvals.json");
        await File.WriteAllTextAsync(file, """{"approvals": [{"plugin": "p", "version": "1.0.0", "permissions": {"network_access": {"domains": ["https://x.example.com/"]}}}]}""");
        var error = Assert.Throws<PluginManifestException>(() => new ApprovalFilePolicy(file));
        Assert.Equal("approvals[0].permissions.network_access.domains[0]", error.Field);
    }

    private const string Storage = "\"storage_access\": true";

    private string StorePath => Path.Combine(_directory, "approvals.db");

    private static Task<bool> Approve(IApprovalPolicy policy, string permissions)
    {
        PluginManifest manifest = Manifest("1.0.0", permissions);
        return policy.ApproveAsync(new ApprovalRequest(manifest.Id, manifest.Name, manifest.Version, null, manifest.Permissions, null), CancellationToken.None).AsTask();
    }

    private static PluginManifest Manifest(string version, string permissions)
        => PluginManifest.Parse(Encoding.UTF8.GetBytes($$$"""
            {"id": "com.example.p", "name": "P", "version": "{{{version}}}", "capabilities": ["platform_connector"], "wasm_path": "p.wasm", "permissions": { {{{permissions}}} } }
            """), Path.Combine(Path.GetTempPath(), "plugin.json"));

    private sealed class CountingPolicy(bool approve) : IApprovalPolicy
    {
        public int Asked { get; private set; }

        public ApprovalRequest? LastRequest { get; private set; }

        public string Name => "counting";

        public ValueTask<bool> ApproveAsync(ApprovalRequest request, CancellationToken cancellationToken)
        {
            Asked++;
            LastRequest = request;
            return ValueTask.FromResult(approve);
        }
    }
}
