namespace Airlock.Security;

/// <summary>A request waiting in an <see cref="ApprovalQueue"/> for an administrator's decision.</summary>
/// <param name="Id">
/// The request's key in the queue: derived from the plugin, version, permission set and module, so the same request
/// asked again is the same entry. Hexadecimal; safe in a URL.
/// </param>
/// <param name="Request">What the plugin asks for. Its names and texts come from the plugin's manifest: hostile input.</param>
/// <param name="FirstAskedAt">When the request was first queued.</param>
/// <param name="LastAskedAt">When the plugin last asked (a host that retries loading asks again).</param>
public sealed record PendingApproval(string Id, ApprovalRequest Request, DateTimeOffset FirstAskedAt, DateTimeOffset LastAskedAt)
{
    /// <summary>What changed since the plugin's last approval.</summary>
    public ApprovalChanges Changes { get; } = ApprovalChanges.Between(Request.Previous, Request);
}
