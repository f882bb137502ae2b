using Airlock.Auditing;

namespace Airlock.Security;

/// <summary>
/// The gate before a plugin runs: it may load only when an approval of exactly its id, version and
/// requested permissions is stored, or the policy approves it now (and then the approval is stored).
/// Every decision is audited.
/// </summary>
/// <param name="store">Where approvals are kept.</param>
/// <param name="policy">Who decides new requests.</param>
/// <param name="audit">Where decisions are recorded; <see langword="null"/> for nowhere.</param>
/// <param name="timeProvider">The clock of approval records; <see langword="null"/> for the system clock.</param>
public sealed class PluginApprovals(IApprovalStore store, IApprovalPolicy policy, IAuditLog? audit = null, TimeProvider? timeProvider = null)
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    /// <summary>Makes sure the plugin <paramref name="manifest"/> describes is approved for what it asks.</summary>
    /// <param name="manifest">The plugin's manifest.</param>
    /// <param name="cancellationToken">Cancels a pending decision.</param>
    /// <returns>The approval it runs under.</returns>
    /// <exception cref="PluginApprovalException">The policy refused.</exception>
    public async Task<ApprovalRecord> EnsureApprovedAsync(PluginManifest manifest, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        PluginPermissions requested = manifest.Permissions;
        string fingerprint = requested.Fingerprint;
        if (store.Find(manifest.Id, manifest.Version, fingerprint) is { } existing)
        {
            Record(manifest, "approval", fingerprint, allowed: true, "stored approval by " + existing.ApprovedBy);
            return existing;
        }

        ApprovalRecord? earlier = store.Latest(manifest.Id);
        var request = new ApprovalRequest(manifest.Id, manifest.Name, manifest.Version, manifest.Author, requested, earlier);
        bool approved = await policy.ApproveAsync(request, cancellationToken).ConfigureAwait(false);
        if (!approved)
        {
            Record(manifest, "approval", fingerprint, allowed: false, "refused by " + policy.Name);
            string change = earlier is null ? string.Empty : $" (approved before: version {earlier.Version} with {Describe(earlier.Fingerprint)})";
            throw new PluginApprovalException(manifest.Id, manifest.Version, requested, policy.Name, change);
        }

        var record = new ApprovalRecord(manifest.Id, manifest.Version, fingerprint, _time.GetUtcNow(), policy.Name);
        store.Save(record);
        Record(manifest, "approval", fingerprint, allowed: true, "approved by " + policy.Name);
        return record;
    }

    private static string Describe(string fingerprint) => fingerprint.Length == 0 ? "no permissions" : fingerprint;

    private void Record(PluginManifest manifest, string action, string fingerprint, bool allowed, string detail)
        => audit?.Record(new AuditEntry(_time.GetUtcNow(), manifest.Id, manifest.Version, action, Describe(fingerprint), allowed, detail));
}
