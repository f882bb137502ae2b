using System.Security.Cryptography;
using System.Text;
using Airlock.Auditing;
using Airlock.Security;
using Microsoft.Data.Sqlite;

namespace Airlock.Host.Tests.Security;

/// <summary>
/// Approvals: nothing runs unapproved, approvals persist keyed by id, version, exact permission set
/// and module, asking for anything different (other bytes included) needs a new decision, a policy may
/// carry an approval over to a new module, and every decision is audited.
/// </summary>
public sealed class ApprovalTests : IDisposable
{
    private const string Storage = "\"storage_access\": true";

    private static readonly byte[] ModuleA = Module("a");
    private static readonly byte[] ModuleB = Module("b");

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "airlock-approvals-" + Guid.NewGuid().ToString("N"));

    public ApprovalTests()
    {
        Directory.CreateDirectory(_directory);
        File.WriteAllBytes(ModulePath, ModuleA);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string StorePath => Path.Combine(_directory, "approvals.db");

    private string ModulePath => Path.Combine(_directory, "p.wasm");

    [Fact]
    public async Task An_approval_is_stored_and_reused_across_restarts()
    {
        var policy = new CountingPolicy(approve: true);
        using (var store = new SqliteApprovalStore(StorePath))
        {
            ApprovalRecord record = await new PluginApprovals(store, policy).EnsureApprovedAsync(Manifest("1.0.0", Storage));
            Assert.Equal("counting", record.ApprovedBy);
            Assert.Equal(Sha256(ModuleA), record.ModuleSha256);
            Assert.Null(record.CarriedOverFrom);
        }

        using (var reopened = new SqliteApprovalStore(StorePath))
        {
            ApprovalRecord stored = await new PluginApprovals(reopened, new DenyAllPolicy()).EnsureApprovedAsync(Manifest("1.0.0", Storage));
            Assert.Equal(Sha256(ModuleA), stored.ModuleSha256);
        }

        Assert.Equal(1, policy.Asked);
        Assert.Equal(Sha256(ModuleA), policy.LastRequest!.ModuleSha256);
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
        Assert.False(policy.LastRequest.OnlyModuleChanged);
        Assert.Contains("approved before: version 1.0.0 with storage_access", error.Message, StringComparison.Ordinal);
        Assert.Contains("does not run until it is", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_different_module_under_an_approved_id_and_version_is_a_new_decision()
    {
        using var store = new SqliteApprovalStore(StorePath);
        await new PluginApprovals(store, new AutoApprovePolicy()).EnsureApprovedAsync(Manifest("1.0.0", Storage));

        File.WriteAllBytes(ModulePath, ModuleB);
        var policy = new CountingPolicy(approve: false);
        var error = await Assert.ThrowsAsync<PluginApprovalException>(() => new PluginApprovals(store, policy).EnsureApprovedAsync(Manifest("1.0.0", Storage)));
        Assert.Equal(1, policy.Asked);
        ApprovalRequest request = policy.LastRequest!;
        Assert.True(request.OnlyModuleChanged);
        Assert.True(request.CanCarryOver);
        Assert.Equal(Sha256(ModuleB), request.ModuleSha256);
        Assert.Equal(Sha256(ModuleA), request.Previous!.ModuleSha256);
        Assert.Equal(Sha256(ModuleB), error.ModuleSha256);
        Assert.Equal(Sha256(ModuleA), error.Previous!.ModuleSha256);
        Assert.Contains($"for another module: {Sha256(ModuleA)} -> {Sha256(ModuleB)}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_policy_can_carry_an_approval_over_to_a_new_module_and_it_is_audited_as_such()
    {
        using var store = new SqliteApprovalStore(StorePath);
        using var audit = new SqliteAuditLog(Path.Combine(_directory, "audit.db"));
        await new PluginApprovals(store, new AutoApprovePolicy(), audit).EnsureApprovedAsync(Manifest("1.0.0", Storage));

        File.WriteAllBytes(ModulePath, ModuleB);
        var updates = new DelegateApprovalPolicy("trusted updates", (request, _) => ValueTask.FromResult(request.OnlyModuleChanged ? ApprovalDecision.CarryOver : ApprovalDecision.Refuse));
        ApprovalRecord carried = await new PluginApprovals(store, updates, audit).EnsureApprovedAsync(Manifest("1.0.0", Storage));
        Assert.Equal(Sha256(ModuleB), carried.ModuleSha256);
        Assert.Equal(Sha256(ModuleA), carried.CarriedOverFrom);
        Assert.Equal("trusted updates", carried.ApprovedBy);

        // Stored: the next load of the same bytes is not put to any policy again.
        ApprovalRecord stored = await new PluginApprovals(store, new DenyAllPolicy(), audit).EnsureApprovedAsync(Manifest("1.0.0", Storage));
        Assert.Equal(Sha256(ModuleA), stored.CarriedOverFrom);

        AuditEntry entry = audit.Query("com.example.p").Single(e => e.Detail!.StartsWith("carried over", StringComparison.Ordinal));
        Assert.True(entry.Allowed);
        Assert.Equal($"carried over by trusted updates from module {Sha256(ModuleA)} (version 1.0.0, approved by automatic approval) to module {Sha256(ModuleB)}", entry.Detail);
        Assert.Equal($"storage_access; module sha256 {Sha256(ModuleB)}", entry.Target);
    }

    [Fact]
    public async Task Carrying_over_what_was_never_approved_is_refused_and_audited()
    {
        using var store = new SqliteApprovalStore(StorePath);
        using var audit = new SqliteAuditLog(Path.Combine(_directory, "audit.db"));
        var always = new DelegateApprovalPolicy("always carry", (_, _) => ValueTask.FromResult(ApprovalDecision.CarryOver));
        var first = await Assert.ThrowsAsync<PluginApprovalException>(() => new PluginApprovals(store, always, audit).EnsureApprovedAsync(Manifest("1.0.0", Storage)));
        Assert.Contains("it asked to carry an approval over, but there is no earlier approval", first.Message, StringComparison.Ordinal);

        // An earlier approval of other permissions cannot be carried over to more of them.
        await new PluginApprovals(store, new AutoApprovePolicy(), audit).EnsureApprovedAsync(Manifest("1.0.0", Storage));
        File.WriteAllBytes(ModulePath, ModuleB);
        var wider = await Assert.ThrowsAsync<PluginApprovalException>(() => new PluginApprovals(store, always, audit).EnsureApprovedAsync(Manifest("1.0.0", Storage + ", \"event_emit\": true")));
        Assert.Contains("the earlier approval is for storage_access", wider.Message, StringComparison.Ordinal);
        Assert.Equal(2, audit.Query("com.example.p").Count(e => !e.Allowed && e.Detail!.StartsWith("always carry asked to carry", StringComparison.Ordinal)));
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
        Assert.All(audit.Query("com.example.p"), e => Assert.EndsWith("module sha256 " + Sha256(ModuleA), e.Target, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_store_from_before_approvals_named_modules_is_migrated_and_its_approvals_approve_no_module()
    {
        using (var old = new SqliteConnection($"Data Source={StorePath};Pooling=False"))
        {
            old.Open();
            using SqliteCommand create = old.CreateCommand();
            create.CommandText = """
                CREATE TABLE approvals (plugin_id TEXT NOT NULL, version TEXT NOT NULL, fingerprint TEXT NOT NULL, approved_at_ticks INTEGER NOT NULL, approved_by TEXT NOT NULL, PRIMARY KEY (plugin_id, version, fingerprint));
                INSERT INTO approvals VALUES ('com.example.p', '1.0.0', 'storage_access', 638000000000000000, 'console');
                """;
            create.ExecuteNonQuery();
        }

        using var store = new SqliteApprovalStore(StorePath);
        ApprovalRecord legacy = store.Latest("com.example.p")!;
        Assert.Equal(string.Empty, legacy.ModuleSha256);
        Assert.Equal("console", legacy.ApprovedBy);
        Assert.Null(store.Find("com.example.p", "1.0.0", "storage_access", string.Empty));

        // The old approval does not approve the bytes on disk: the policy is asked, and sees it.
        var policy = new CountingPolicy(approve: false);
        await Assert.ThrowsAsync<PluginApprovalException>(() => new PluginApprovals(store, policy).EnsureApprovedAsync(Manifest("1.0.0", Storage)));
        Assert.Equal(string.Empty, policy.LastRequest!.Previous!.ModuleSha256);
        Assert.True(policy.LastRequest.OnlyModuleChanged);

        // A policy may carry it over once; from then on the approval names the module.
        var carry = new DelegateApprovalPolicy("migration", (request, _) => ValueTask.FromResult(request.CanCarryOver ? ApprovalDecision.CarryOver : ApprovalDecision.Refuse));
        ApprovalRecord bound = await new PluginApprovals(store, carry).EnsureApprovedAsync(Manifest("1.0.0", Storage));
        Assert.Equal(Sha256(ModuleA), bound.ModuleSha256);
        Assert.Equal(string.Empty, bound.CarriedOverFrom);
        ApprovalRecord found = store.Find("com.example.p", "1.0.0", "storage_access", Sha256(ModuleA))!;
        Assert.Equal(bound, found with { ApprovedAt = bound.ApprovedAt });
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
    public async Task An_approvals_file_can_pin_the_module()
    {
        string file = Path.Combine(_directory, "approvals.json");
        await File.WriteAllTextAsync(file, $$$"""
            {"approvals": [{"plugin": "com.example.p", "version": "1.0.0", "sha256": "{{{Sha256(ModuleA).ToUpperInvariant()}}}", "permissions": {"storage_access": true}}]}
            """);
        var policy = new ApprovalFilePolicy(file);
        Assert.True(await Approve(policy, Storage, Sha256(ModuleA)));
        Assert.False(await Approve(policy, Storage, Sha256(ModuleB)));
    }

    [Fact]
    public async Task A_bad_approvals_file_names_the_field()
    {
        string file = Path.Combine(_directory, "approvals.json");
        await File.WriteAllTextAsync(file, """{"approvals": [{"plugin": "p", "version": "1.0.0", "permissions": {"network_access": {"domains": ["https://x.example.com/"]}}}]}""");
        var error = Assert.Throws<PluginManifestException>(() => new ApprovalFilePolicy(file));
        Assert.Equal("approvals[0].permissions.network_access.domains[0]", error.Field);

        await File.WriteAllTextAsync(file, """{"approvals": [{"plugin": "p", "version": "1.0.0", "sha256": "abc"}]}""");
        error = Assert.Throws<PluginManifestException>(() => new ApprovalFilePolicy(file));
        Assert.Equal("approvals[0].sha256", error.Field);
    }

    private static byte[] Module(string name) => Wasmtime.Module.ConvertText($"""(module (func (export "{name}")))""");

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static Task<bool> Approve(IApprovalPolicy policy, string permissions, string? sha256 = null)
    {
        PluginManifest manifest = PluginManifest.Parse(Encoding.UTF8.GetBytes($$$"""
            {"id": "com.example.p", "name": "P", "version": "1.0.0", "wasm_path": "p.wasm", "permissions": { {{{permissions}}} } }
            """), Path.Combine(Path.GetTempPath(), "plugin.json"));
        return policy.ApproveAsync(new ApprovalRequest(manifest.Id, manifest.Name, manifest.Version, null, manifest.Permissions, sha256 ?? Sha256(ModuleA), null), CancellationToken.None).AsTask();
    }

    private PluginManifest Manifest(string version, string permissions)
        => PluginManifest.Parse(Encoding.UTF8.GetBytes($$$"""
            {"id": "com.example.p", "name": "P", "version": "{{{version}}}", "capabilities": ["platform_connector"], "wasm_path": "p.wasm", "permissions": { {{{permissions}}} } }
            """), Path.Combine(_directory, "plugin.json"));

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
