using Airlock.Auditing;
using Airlock.Security;

namespace Airlock.Cli.Plugins;

/// <summary>One line of the permission table: a permission and how it compares with the installed approval.</summary>
/// <param name="Permission">The permission.</param>
/// <param name="Change"><c>new</c>, <c>approved</c> (in the installed approval too) or <c>dropped</c> (approved before, not asked for now).</param>
internal sealed record PermissionLine(string Permission, string Change);

/// <summary>
/// Approval decisions of the command, kept where the host looks for them: the approvals store AddAirlock uses, keyed
/// by plugin, version, permission set and module SHA-256, with every decision in the audit log. A SocialScale plugin
/// goes through <see cref="PluginApprovals"/> itself (its loader accepts exactly the approval stored); the other
/// profiles' capability sets are recorded under the same key so that the next install shows what changed.
/// </summary>
internal static class Approval
{
    /// <summary>The permissions asked for now against <paramref name="previous"/>: new, still approved, and dropped.</summary>
    public static IReadOnlyList<PermissionLine> Diff(PluginPackage package, ApprovalRecord? previous)
    {
        var before = new HashSet<string>(previous is null || previous.Fingerprint.Length == 0 ? [] : previous.Fingerprint.Split(';'), StringComparer.Ordinal);
        var lines = new List<PermissionLine>();
        foreach (string permission in package.Permissions)
        {
            lines.Add(new PermissionLine(permission, previous is null ? "new" : before.Contains(permission) ? "approved" : "new"));
        }

        lines.AddRange(before.Where(b => !package.Permissions.Contains(b, StringComparer.Ordinal)).Order(StringComparer.Ordinal).Select(b => new PermissionLine(b, "dropped")));
        return lines;
    }

    /// <summary>
    /// Stores the approval of <paramref name="package"/> with module <paramref name="sha256"/>, decided by
    /// <paramref name="decidedBy"/>; refusals are audited and thrown as <see cref="PluginApprovalException"/>.
    /// </summary>
    public static async Task<ApprovalRecord> DecideAsync(PluginPackage package, string sha256, IApprovalStore store, IAuditLog audit, string decidedBy, bool approve, CancellationToken cancellationToken)
    {
        if (package.SocialScale is { } manifest)
        {
            var approvals = new PluginApprovals(store, new DelegateApprovalPolicy(decidedBy, (_, _) => ValueTask.FromResult(approve)), audit);
            return await approvals.EnsureApprovedAsync(manifest, sha256, cancellationToken).ConfigureAwait(false);
        }

        string target = $"{(package.Fingerprint.Length == 0 ? "no permissions" : package.Fingerprint)}; module sha256 {sha256}";
        if (store.Find(package.Id, package.Version, package.Fingerprint, sha256) is { } existing)
        {
            audit.Record(new AuditEntry(DateTimeOffset.UtcNow, package.Id, package.Version, "approval", target, true, "stored approval by " + existing.ApprovedBy));
            return existing;
        }

        if (!approve)
        {
            audit.Record(new AuditEntry(DateTimeOffset.UtcNow, package.Id, package.Version, "approval", target, false, "refused by " + decidedBy));
            throw new PluginApprovalException(package.Id, package.Version, PluginPermissions.None, $"Plugin '{package.Id}' {package.Version} was not approved by {decidedBy}; it is not installed.");
        }

        var record = new ApprovalRecord(package.Id, package.Version, package.Fingerprint, sha256, DateTimeOffset.UtcNow, decidedBy);
        store.Save(record);
        audit.Record(new AuditEntry(DateTimeOffset.UtcNow, package.Id, package.Version, "approval", target, true, "approved by " + decidedBy));
        return record;
    }
}
