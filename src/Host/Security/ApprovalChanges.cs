namespace Airlock.Security;

/// <summary>What a request asks for that the plugin's last approval did not cover, and what it no longer asks for.</summary>
/// <param name="IsFirstApproval">The plugin was never approved before: everything it asks for is new.</param>
/// <param name="PreviousVersion">The version approved last time, or <see langword="null"/> when there was no approval.</param>
/// <param name="VersionChanged">The request is for another version than the last approval.</param>
/// <param name="ModuleChanged">The request is for other module bytes than the last approval.</param>
/// <param name="PreviousModuleSha256">The module approved last time (empty when that approval predates module binding), or <see langword="null"/>.</param>
/// <param name="Added">Permissions asked for now that the last approval did not grant, one per line (one line per network domain).</param>
/// <param name="Removed">Permissions the last approval granted that are no longer asked for.</param>
public sealed record ApprovalChanges(
    bool IsFirstApproval,
    string? PreviousVersion,
    bool VersionChanged,
    bool ModuleChanged,
    string? PreviousModuleSha256,
    IReadOnlyList<string> Added,
    IReadOnlyList<string> Removed)
{
    private const string NetworkPrefix = "network_access: ";

    /// <summary>Compares a request with the approval before it.</summary>
    /// <param name="previous">The plugin's latest earlier approval, if any.</param>
    /// <param name="request">The request.</param>
    public static ApprovalChanges Between(ApprovalRecord? previous, ApprovalRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        IReadOnlyList<string> now = Lines(request.Requested.Fingerprint);
        if (previous is null)
        {
            return new ApprovalChanges(true, null, false, true, null, now, []);
        }

        IReadOnlyList<string> before = Lines(previous.Fingerprint);
        return new ApprovalChanges(
            false,
            previous.Version,
            !string.Equals(previous.Version, request.Version, StringComparison.Ordinal),
            !string.Equals(previous.ModuleSha256, request.ModuleSha256, StringComparison.OrdinalIgnoreCase),
            previous.ModuleSha256,
            [.. now.Except(before, StringComparer.Ordinal)],
            [.. before.Except(now, StringComparer.Ordinal)]);
    }

    // A fingerprint is PluginPermissions.Describe()'s lines joined by ';'; network access is split into one line per
    // domain so that adding a domain shows as that domain, not as a changed line.
    private static List<string> Lines(string fingerprint)
    {
        var lines = new List<string>();
        foreach (string line in fingerprint.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line.StartsWith(NetworkPrefix, StringComparison.Ordinal))
            {
                lines.AddRange(line[NetworkPrefix.Length..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(domain => NetworkPrefix + domain));
            }
            else
            {
                lines.Add(line);
            }
        }

        return lines;
    }
}
