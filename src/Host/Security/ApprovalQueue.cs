using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Airlock.Auditing;

namespace Airlock.Security;

/// <summary>
/// An approval policy that leaves decisions to an administrator, for example in the Airlock dashboard: a request that
/// no stored approval covers is refused for now and queued; the administrator approves or denies it later, and an
/// approval is stored, so the plugin loads the next time the host loads it. Every decision is audited with who
/// made it.
/// </summary>
/// <remarks>
/// <para>The queue does not hold a load waiting for a person: a host loads or refuses at once, and loads again after
/// a decision (<see cref="Decided"/> says when). The queue is in memory and bounded (<see cref="MaxPending"/>); a
/// request is keyed by plugin, version, permission set and module, so a plugin asking again is one entry.</para>
/// <para>Everything in a request except the module hash comes from the plugin's manifest and is hostile: whoever
/// shows it must encode it for where it is shown.</para>
/// </remarks>
public sealed class ApprovalQueue : IApprovalPolicy
{
    /// <summary>How many requests wait at most by default.</summary>
    public const int DefaultMaxPending = 256;

    private readonly IApprovalStore _store;
    private readonly IAuditLog? _audit;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, PendingApproval> _pending = new(StringComparer.Ordinal);

    /// <summary>Creates an empty queue.</summary>
    /// <param name="store">Where an approval is stored; the same store the host's <see cref="PluginApprovals"/> reads.</param>
    /// <param name="audit">Where decisions are recorded; the host's audit log.</param>
    /// <param name="timeProvider">The clock of requests and approvals; <see langword="null"/> for the system clock.</param>
    public ApprovalQueue(IApprovalStore store, IAuditLog? audit, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _audit = audit;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Raised after an administrator approved, denied or revoked, outside the queue's lock.</summary>
    public event EventHandler<ApprovalDecidedEventArgs>? Decided;

    /// <summary>How many requests may wait; past it, the request asked longest ago is dropped (it is asked again on the next load). Default <see cref="DefaultMaxPending"/>.</summary>
    public int MaxPending
    {
        get;
        init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxPending), value, "The queue holds at least one request.");
    } = DefaultMaxPending;

    /// <inheritdoc/>
    public string Name => "the approval queue (waiting for an administrator)";

    /// <summary>The requests waiting for a decision, oldest first.</summary>
    public IReadOnlyList<PendingApproval> Pending
    {
        get
        {
            lock (_gate)
            {
                return [.. _pending.Values.OrderBy(p => p.FirstAskedAt).ThenBy(p => p.Id, StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>The approvals the store holds for review, when it can list them (<see cref="SqliteApprovalStore"/> can); otherwise empty.</summary>
    public IReadOnlyList<ApprovalRecord> Approved => _store is SqliteApprovalStore sqlite ? sqlite.List() : [];

    /// <summary>Queues <paramref name="request"/> and refuses it for now.</summary>
    /// <param name="request">What the plugin asks for.</param>
    /// <param name="cancellationToken">Not used: the queue answers at once.</param>
    public ValueTask<bool> ApproveAsync(ApprovalRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        string id = IdOf(request);
        DateTimeOffset now = _time.GetUtcNow();
        lock (_gate)
        {
            if (_pending.TryGetValue(id, out PendingApproval? waiting))
            {
                _pending[id] = waiting with { Request = request, LastAskedAt = now };
            }
            else
            {
                if (_pending.Count >= MaxPending)
                {
                    _pending.Remove(_pending.Values.MinBy(p => p.LastAskedAt)!.Id);
                }

                _pending[id] = new PendingApproval(id, request, now, now);
            }
        }

        return ValueTask.FromResult(false);
    }

    /// <summary>
    /// Approves a waiting request: stores an approval of exactly its plugin, version, permissions and module, made by
    /// <paramref name="decidedBy"/>, audits it, and removes the request from the queue.
    /// </summary>
    /// <param name="id">The request's <see cref="PendingApproval.Id"/>.</param>
    /// <param name="decidedBy">Who approved, for example the signed-in administrator's name.</param>
    /// <returns>The stored approval, or <see langword="null"/> when no such request waits (already decided, or never asked).</returns>
    public ApprovalRecord? Approve(string id, string decidedBy)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentException.ThrowIfNullOrWhiteSpace(decidedBy);
        PendingApproval? pending = Take(id);
        if (pending is null)
        {
            return null;
        }

        ApprovalRequest request = pending.Request;
        DateTimeOffset now = _time.GetUtcNow();
        var record = new ApprovalRecord(request.PluginId, request.Version, request.Requested.Fingerprint, request.ModuleSha256, now, decidedBy);
        try
        {
            _store.Save(record);
        }
        catch
        {
            // Not stored, so not decided: the request waits again.
            Requeue(pending);
            throw;
        }

        _audit?.Record(new AuditEntry(now, request.PluginId, request.Version, PluginApprovals.AuditAction, PluginApprovals.AuditTarget(record.Fingerprint, record.ModuleSha256), true, "approved by " + decidedBy));
        Decided?.Invoke(this, new ApprovalDecidedEventArgs(request.PluginId, ApprovalVerdict.Approved, decidedBy));
        return record;
    }

    /// <summary>
    /// Denies a waiting request: audits the denial, made by <paramref name="decidedBy"/>, and removes the request from
    /// the queue. Nothing is stored: the plugin stays unapproved and is queued again the next time it asks.
    /// </summary>
    /// <param name="id">The request's <see cref="PendingApproval.Id"/>.</param>
    /// <param name="decidedBy">Who denied.</param>
    /// <returns>Whether such a request was waiting.</returns>
    public bool Deny(string id, string decidedBy)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentException.ThrowIfNullOrWhiteSpace(decidedBy);
        PendingApproval? pending = Take(id);
        if (pending is null)
        {
            return false;
        }

        ApprovalRequest request = pending.Request;
        _audit?.Record(new AuditEntry(_time.GetUtcNow(), request.PluginId, request.Version, PluginApprovals.AuditAction, PluginApprovals.AuditTarget(request.Requested.Fingerprint, request.ModuleSha256), false, "denied by " + decidedBy));
        Decided?.Invoke(this, new ApprovalDecidedEventArgs(request.PluginId, ApprovalVerdict.Denied, decidedBy));
        return true;
    }

    /// <summary>
    /// Revokes every stored approval of a plugin (<see cref="IApprovalStore.Revoke"/>) and audits it as
    /// <c>approval.revoke</c>, made by <paramref name="decidedBy"/>. The plugin must be approved again before it next
    /// loads; a host should unload it (<see cref="Decided"/>).
    /// </summary>
    /// <param name="pluginId">The plugin.</param>
    /// <param name="decidedBy">Who revoked.</param>
    /// <returns>How many approvals were removed.</returns>
    public int Revoke(string pluginId, string decidedBy)
    {
        ArgumentException.ThrowIfNullOrEmpty(pluginId);
        ArgumentException.ThrowIfNullOrWhiteSpace(decidedBy);
        string version = _store.Latest(pluginId)?.Version ?? string.Empty;
        int removed = _store.Revoke(pluginId);
        _audit?.Record(new AuditEntry(_time.GetUtcNow(), pluginId, version, PluginApprovals.AuditAction + ".revoke", string.Create(CultureInfo.InvariantCulture, $"{removed} approval(s)"), false, "revoked by " + decidedBy));
        Decided?.Invoke(this, new ApprovalDecidedEventArgs(pluginId, ApprovalVerdict.Revoked, decidedBy));
        return removed;
    }

    private void Requeue(PendingApproval pending)
    {
        lock (_gate)
        {
            _pending.TryAdd(pending.Id, pending);
        }
    }

    private PendingApproval? Take(string id)
    {
        lock (_gate)
        {
            return _pending.Remove(id, out PendingApproval? pending) ? pending : null;
        }
    }

    // Fields are separated by a character no field may hold (manifest ids and versions are restricted; fingerprints
    // and hashes hold none), so two requests cannot share a key.
    private static string IdOf(ApprovalRequest request)
    {
        string key = string.Join('\n', request.PluginId, request.Version, request.Requested.Fingerprint, request.ModuleSha256.ToLowerInvariant());
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)).AsSpan(0, 12));
    }
}
