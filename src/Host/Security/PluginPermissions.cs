namespace Airlock.Security;

/// <summary>
/// What a SocialScale plugin asks to be allowed to do, from its manifest's <c>permissions</c>:
/// outbound HTTP to declared domains, its key-value store, emitting events, and the OAuth tokens of
/// the platform it serves. Nothing is allowed that is not requested and approved.
/// </summary>
public sealed record PluginPermissions
{
    /// <summary>No permissions: the plugin may only log.</summary>
    public static PluginPermissions None { get; } = new();

    /// <summary>The domains outbound HTTP may reach (<c>network_access</c>); empty when none.</summary>
    public IReadOnlyList<string> NetworkDomains { get; init; } = [];

    /// <summary>Whether the plugin may read and write its key-value store (<c>storage_access</c>).</summary>
    public bool StorageAccess { get; init; }

    /// <summary>Whether the plugin may emit events on the host's bus (<c>event_emit</c>).</summary>
    public bool EventEmit { get; init; }

    /// <summary>The platform whose OAuth tokens the plugin may read (<c>credential_access</c>), or <see langword="null"/>.</summary>
    public string? CredentialPlatform { get; init; }

    /// <summary>Whether the plugin may make outbound HTTP requests.</summary>
    public bool NetworkAccess => NetworkDomains.Count > 0;

    /// <summary>Whether the plugin may read its platform's OAuth tokens.</summary>
    public bool CredentialAccess => CredentialPlatform is not null;

    /// <summary>
    /// The exact set, written canonically (sorted, lowercase domains): the key approvals are stored
    /// under, so that asking for anything different needs a new approval.
    /// </summary>
    public string Fingerprint => string.Join(";", Describe());

    /// <summary>One line per permission, for approval prompts and records.</summary>
    public IReadOnlyList<string> Describe()
    {
        var lines = new List<string>();
        if (NetworkAccess)
        {
            lines.Add("network_access: " + string.Join(", ", NetworkDomains.Select(d => d.ToLowerInvariant()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)));
        }

        if (StorageAccess)
        {
            lines.Add("storage_access");
        }

        if (EventEmit)
        {
            lines.Add("event_emit");
        }

        if (CredentialPlatform is { } platform)
        {
            lines.Add("credential_access: " + platform);
        }

        return lines;
    }

    /// <summary>Whether every permission of <paramref name="other"/> is also in this set.</summary>
    /// <param name="other">The permissions to compare with.</param>
    public bool Covers(PluginPermissions other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var domains = new HashSet<string>(NetworkDomains, StringComparer.OrdinalIgnoreCase);
        return other.NetworkDomains.All(domains.Contains)
            && (StorageAccess || !other.StorageAccess)
            && (EventEmit || !other.EventEmit)
            && (other.CredentialPlatform is null || string.Equals(CredentialPlatform, other.CredentialPlatform, StringComparison.Ordinal));
    }

    /// <inheritdoc/>
    public override string ToString() => NetworkAccess || StorageAccess || EventEmit || CredentialAccess ? Fingerprint : "none";
}
