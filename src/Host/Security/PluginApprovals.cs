using Airlock.Auditing;

namespace Airlock.Security;

/// <summary>
/// The gate before a plugin runs: it may load only when an approval of exactly its id, version,
/// requested permissions and module (the SHA-256 of its bytes) is stored, or the policy decides now
/// (and then the approval is stored). Every decision is audited.
/// </summary>
/// <remarks>
/// An approval covers exactly one module. A different module under an approved id and version (a
/// rebuild, an update, or a module claiming another plugin's identity to reach its key-value
/// namespace, rate limit and credentials) is a new decision for the policy, which may approve it,
/// refuse it, or carry the earlier approval over (<see cref="ApprovalDecision.CarryOver"/>, audited as
/// such). <see cref="PluginHost.LoadAsync{TPlugin}(PluginManifest, PluginLoadOptions?, CancellationToken)"/>
/// checks the approval against the bytes it actually loads.
/// </remarks>
/// <param name="store">Where approvals are kept.</param>
/// <param name="policy">Who decides new requests.</param>
/// <param name="audit">Where decisions are recorded; <see langword="null"/> for nowhere.</param>
/// <param name="timeProvider">The clock of approval records; <see langword="null"/> for the system clock.</param>
public sealed class PluginApprovals(IApprovalStore store, IApprovalPolicy policy, IAuditLog? audit = null, TimeProvider? timeProvider = null)
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    /// <summary>
    /// The largest module whose SHA-256 <see cref="EnsureApprovedAsync(PluginManifest, CancellationToken)"/>
    /// computes; a larger one is refused. Default 64 MiB, <see cref="PluginHostOptions.MaxModuleBytes"/>'s default.
    /// </summary>
    public long MaxModuleBytes { get; init; } = PluginHostOptions.DefaultMaxModuleBytes;

    /// <summary>
    /// Makes sure the plugin <paramref name="manifest"/> describes is approved for what it asks, with
    /// the module its manifest names: the module is read (a regular file, at most
    /// <see cref="MaxModuleBytes"/>) and hashed first.
    /// </summary>
    /// <param name="manifest">The plugin's manifest.</param>
    /// <param name="cancellationToken">Cancels a pending decision.</param>
    /// <returns>The approval it runs under; pass it as <see cref="PluginLoadOptions.Approval"/>.</returns>
    /// <exception cref="PluginApprovalException">The policy refused.</exception>
    /// <exception cref="PluginManifestException">The module cannot be read, or is outside the directories the manifest may name.</exception>
    public async Task<ApprovalRecord> EnsureApprovedAsync(PluginManifest manifest, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        string sha256 = await ComputeModuleSha256Async(manifest, MaxModuleBytes, cancellationToken).ConfigureAwait(false);
        return await EnsureApprovedAsync(manifest, sha256, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Makes sure the plugin <paramref name="manifest"/> describes is approved for what it asks, with
    /// the module whose SHA-256 the caller computed (for a loader that already holds the bytes). The
    /// host loads only the module the approval names, so a wrong hash gets no further than the load.
    /// </summary>
    /// <param name="manifest">The plugin's manifest.</param>
    /// <param name="moduleSha256">The hex SHA-256 of the module's bytes.</param>
    /// <param name="cancellationToken">Cancels a pending decision.</param>
    /// <returns>The approval it runs under; pass it as <see cref="PluginLoadOptions.Approval"/>.</returns>
    /// <exception cref="PluginApprovalException">The policy refused.</exception>
    public async Task<ApprovalRecord> EnsureApprovedAsync(PluginManifest manifest, string moduleSha256, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        if (moduleSha256 is not { Length: 64 } || !moduleSha256.All(char.IsAsciiHexDigit))
        {
            throw new ArgumentException("Expected the module's SHA-256 as 64 hexadecimal digits.", nameof(moduleSha256));
        }

        string sha256 = moduleSha256.ToLowerInvariant();
        PluginPermissions requested = manifest.Permissions;
        string fingerprint = requested.Fingerprint;
        if (store.Find(manifest.Id, manifest.Version, fingerprint, sha256) is { } existing)
        {
            Record(manifest, fingerprint, sha256, allowed: true, "stored approval by " + existing.ApprovedBy);
            return existing;
        }

        ApprovalRecord? earlier = store.Latest(manifest.Id);
        var request = new ApprovalRequest(manifest.Id, manifest.Name, manifest.Version, manifest.Author, requested, sha256, earlier);
        ApprovalDecision decision = await policy.DecideAsync(request, cancellationToken).ConfigureAwait(false);
        if (decision == ApprovalDecision.CarryOver && !request.CanCarryOver)
        {
            string reason = earlier is null ? "there is no earlier approval" : $"the earlier approval is for {Describe(earlier.Fingerprint)}";
            Record(manifest, fingerprint, sha256, allowed: false, $"{policy.Name} asked to carry an approval over, but {reason}");
            throw Refused(manifest, requested, sha256, earlier, $" (it asked to carry an approval over, but {reason})");
        }

        if (decision is not (ApprovalDecision.Approve or ApprovalDecision.CarryOver))
        {
            Record(manifest, fingerprint, sha256, allowed: false, "refused by " + policy.Name);
            throw Refused(manifest, requested, sha256, earlier, earlier is null ? string.Empty : $" (approved before: {Describe(earlier, request)})");
        }

        var record = new ApprovalRecord(manifest.Id, manifest.Version, fingerprint, sha256, _time.GetUtcNow(), policy.Name)
        {
            CarriedOverFrom = decision == ApprovalDecision.CarryOver ? earlier!.ModuleSha256 : null,
        };
        store.Save(record);
        string detail = decision == ApprovalDecision.CarryOver
            ? $"carried over by {policy.Name} from module {Module(earlier!.ModuleSha256)} (version {earlier.Version}, approved by {earlier.ApprovedBy}) to module {sha256}"
            : "approved by " + policy.Name;
        Record(manifest, fingerprint, sha256, allowed: true, detail);
        return record;
    }

    /// <summary>
    /// The lower-case hex SHA-256 of the module <paramref name="manifest"/> names, as an approval
    /// records it: read as untrusted input (a regular file in the directories the manifest may name, at
    /// most <paramref name="maxBytes"/>), in chunks.
    /// </summary>
    /// <param name="manifest">The plugin's manifest.</param>
    /// <param name="maxBytes">The largest module accepted.</param>
    /// <param name="cancellationToken">Cancels reading.</param>
    /// <exception cref="PluginManifestException">The module cannot be read, or is outside the directories the manifest may name.</exception>
    public static Task<string> ComputeModuleSha256Async(PluginManifest manifest, long maxBytes = PluginHostOptions.DefaultMaxModuleBytes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        string path = manifest.ModuleFile();
        return Task.Run(
            () =>
            {
                try
                {
                    return Files.UntrustedFile.ComputeSha256(path, maxBytes, "a module", manifest.Id, cancellationToken);
                }
                catch (PluginFileException exception)
                {
                    throw manifest.Error(manifest.ModuleField, $"the module '{path}': {exception.Problem}", exception);
                }
            },
            cancellationToken);
    }

    private PluginApprovalException Refused(PluginManifest manifest, PluginPermissions requested, string sha256, ApprovalRecord? earlier, string context)
        => new(manifest.Id, manifest.Version, requested, policy.Name, context) { ModuleSha256 = sha256, Previous = earlier };

    private static string Describe(string fingerprint) => fingerprint.Length == 0 ? "no permissions" : fingerprint;

    private static string Describe(ApprovalRecord earlier, ApprovalRequest request)
    {
        string what = $"version {earlier.Version} with {Describe(earlier.Fingerprint)}";
        return request.OnlyModuleChanged ? $"{what}, for another module: {Module(earlier.ModuleSha256)} -> {request.ModuleSha256}" : what;
    }

    private static string Module(string sha256) => sha256.Length == 0 ? "(none recorded)" : sha256;

    // The target names the permissions and the module, so the audit says which bytes were decided on.
    private void Record(PluginManifest manifest, string fingerprint, string sha256, bool allowed, string detail)
    {
        if (!allowed)
        {
            Instruments.Denied(manifest.Id, "approval");
        }

        audit?.Record(new AuditEntry(_time.GetUtcNow(), manifest.Id, manifest.Version, AuditAction, AuditTarget(fingerprint, sha256), allowed, detail));
    }

    /// <summary>The audit action of approval decisions.</summary>
    internal const string AuditAction = "approval";

    /// <summary>The audit target of an approval decision: the permissions and the module decided on.</summary>
    internal static string AuditTarget(string fingerprint, string sha256) => $"{Describe(fingerprint)}; module sha256 {sha256}";

    /// <summary>Where refused approvals are counted; the container's meter when <see cref="AirlockServiceCollectionExtensions.AddAirlock"/> created the approvals.</summary>
    internal Diagnostics.AirlockInstruments Instruments { get; init; } = Diagnostics.AirlockInstruments.Shared;
}
