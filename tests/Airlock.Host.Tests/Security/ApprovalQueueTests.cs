using System.Security.Cryptography;
using System.Text;
using Airlock.Auditing;
using Airlock.Security;

namespace Airlock.Host.Tests.Security;

/// <summary>
/// The administrator's approval queue over real SQLite stores: a request no approval covers is refused and waits;
/// approving stores exactly that request's approval under the administrator's name; every decision is audited with
/// who made it; a new request says what changed since the last approval.
/// </summary>
public sealed class ApprovalQueueTests : IDisposable
{
    private const string Storage = "\"storage_access\": true";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "airlock-queue-" + Guid.NewGuid().ToString("N"));
    private readonly SqliteApprovalStore _store;
    private readonly SqliteAuditLog _audit;
    private readonly ApprovalQueue _queue;
    private readonly List<ApprovalDecidedEventArgs> _decided = [];

    public ApprovalQueueTests()
    {
        Directory.CreateDirectory(_directory);
        File.WriteAllBytes(Path.Combine(_directory, "p.wasm"), Wasmtime.Module.ConvertText("""(module (func (export "a")))"""));
        _store = new SqliteApprovalStore(Path.Combine(_directory, "approvals.db"));
        _audit = new SqliteAuditLog(Path.Combine(_directory, "audit.db"));
        _queue = new ApprovalQueue(_store, _audit);
        _queue.Decided += (_, e) => _decided.Add(e);
    }

    public void Dispose()
    {
        _audit.Dispose();
        _store.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task A_request_waits_once_and_loads_after_an_administrator_approves_it()
    {
        var approvals = new PluginApprovals(_store, _queue, _audit);
        await Assert.ThrowsAsync<PluginApprovalException>(() => approvals.EnsureApprovedAsync(Manifest("1.0.0", Storage)));
        await Assert.ThrowsAsync<PluginApprovalException>(() => approvals.EnsureApprovedAsync(Manifest("1.0.0", Storage)));
        PendingApproval pending = Assert.Single(_queue.Pending);
        Assert.Equal("com.example.p", pending.Request.PluginId);
        Assert.True(pending.Changes.IsFirstApproval);
        Assert.Equal(["storage_access"], pending.Changes.Added);

        ApprovalRecord record = _queue.Approve(pending.Id, "alice")!;
        Assert.Equal("alice", record.ApprovedBy);
        Assert.Empty(_queue.Pending);
        Assert.Null(_queue.Approve(pending.Id, "alice"));

        ApprovalRecord used = await approvals.EnsureApprovedAsync(Manifest("1.0.0", Storage));
        Assert.Equal(record.ModuleSha256, used.ModuleSha256);
        Assert.Equal(["refused by the approval queue (waiting for an administrator)", "refused by the approval queue (waiting for an administrator)", "approved by alice", "stored approval by alice"],
            _audit.Query("com.example.p").Select(e => e.Detail));
        Assert.Equal(ApprovalVerdict.Approved, Assert.Single(_decided).Verdict);
    }

    [Fact]
    public async Task A_new_request_lists_what_changed_since_the_last_approval()
    {
        var approvals = new PluginApprovals(_store, _queue, _audit);
        await Assert.ThrowsAsync<PluginApprovalException>(() => approvals.EnsureApprovedAsync(Manifest("1.0.0", Storage + ", \"event_emit\": true")));
        _queue.Approve(_queue.Pending.Single().Id, "alice");

        await Assert.ThrowsAsync<PluginApprovalException>(() => approvals.EnsureApprovedAsync(Manifest("1.1.0", Storage + ", \"network_access\": {\"domains\": [\"api.example.com\", \"cdn.example.com\"]}")));
        ApprovalChanges changes = _queue.Pending.Single().Changes;
        Assert.False(changes.IsFirstApproval);
        Assert.True(changes.VersionChanged);
        Assert.Equal("1.0.0", changes.PreviousVersion);
        Assert.False(changes.ModuleChanged);
        Assert.Equal(["network_access: api.example.com", "network_access: cdn.example.com"], changes.Added);
        Assert.Equal(["event_emit"], changes.Removed);
    }

    [Fact]
    public async Task Denying_stores_nothing_and_is_audited_with_who_denied()
    {
        var approvals = new PluginApprovals(_store, _queue, _audit);
        await Assert.ThrowsAsync<PluginApprovalException>(() => approvals.EnsureApprovedAsync(Manifest("1.0.0", Storage)));
        Assert.True(_queue.Deny(_queue.Pending.Single().Id, "bob"));
        Assert.False(_queue.Deny("no-such-request", "bob"));
        Assert.Empty(_queue.Pending);
        Assert.Null(_store.Latest("com.example.p"));
        AuditEntry denial = _audit.Query("com.example.p").Last();
        Assert.Equal(("approval", false, "denied by bob"), (denial.Action, denial.Allowed, denial.Detail));
    }

    [Fact]
    public async Task Revoking_removes_every_approval_and_is_audited_with_who_revoked()
    {
        var approvals = new PluginApprovals(_store, _queue, _audit);
        await Assert.ThrowsAsync<PluginApprovalException>(() => approvals.EnsureApprovedAsync(Manifest("1.0.0", Storage)));
        _queue.Approve(_queue.Pending.Single().Id, "alice");
        Assert.Equal(1, _queue.Revoke("com.example.p", "carol"));
        Assert.Null(_store.Latest("com.example.p"));
        AuditEntry revoke = Assert.Single(_audit.Search(new AuditQuery { Action = "approval.revoke" }).Entries);
        Assert.Equal(("1.0.0", false, "revoked by carol"), (revoke.PluginVersion, revoke.Allowed, revoke.Detail));
        Assert.Equal([ApprovalVerdict.Approved, ApprovalVerdict.Revoked], _decided.Select(d => d.Verdict));
        await Assert.ThrowsAsync<PluginApprovalException>(() => approvals.EnsureApprovedAsync(Manifest("1.0.0", Storage)));
    }

    [Fact]
    public async Task The_queue_is_bounded_and_drops_the_request_asked_longest_ago()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var queue = new ApprovalQueue(_store, _audit, time) { MaxPending = 2 };
        foreach (string version in (string[])["1.0.0", "1.0.1", "1.0.0", "1.0.2"])
        {
            await queue.ApproveAsync(Request(version), CancellationToken.None);
            time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(["1.0.0", "1.0.2"], queue.Pending.Select(p => p.Request.Version).Order(StringComparer.Ordinal));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ApprovalQueue(_store, _audit) { MaxPending = 0 });
    }

    private static ApprovalRequest Request(string version)
        => new("com.example.p", "P", version, null, new PluginPermissions { StorageAccess = true }, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(version))), null);

    private PluginManifest Manifest(string version, string permissions)
        => PluginManifest.Parse(Encoding.UTF8.GetBytes($$$"""
            {"id": "com.example.p", "name": "P", "version": "{{{version}}}", "capabilities": ["platform_connector"], "wasm_path": "p.wasm", "permissions": { {{{permissions}}} } }
            """), Path.Combine(_directory, "plugin.json"));
}
