namespace Airlock.Security;

/// <summary>What a plugin asks the user (or administrator) to approve.</summary>
/// <param name="PluginId">The plugin's id.</param>
/// <param name="PluginName">Its display name.</param>
/// <param name="Version">Its version.</param>
/// <param name="Author">Its author, if the manifest names one.</param>
/// <param name="Requested">The exact permissions it asks for.</param>
/// <param name="Previous">The latest earlier approval of this plugin (another version or permission set), if any, so a prompt can show what changed.</param>
public sealed record ApprovalRequest(string PluginId, string PluginName, string Version, string? Author, PluginPermissions Requested, ApprovalRecord? Previous);

/// <summary>A stored approval: this plugin version may run with exactly these permissions.</summary>
/// <param name="PluginId">The plugin's id.</param>
/// <param name="Version">The version approved.</param>
/// <param name="Fingerprint">The canonical permission set approved (<see cref="PluginPermissions.Fingerprint"/>).</param>
/// <param name="ApprovedAt">When.</param>
/// <param name="ApprovedBy">Which policy approved it.</param>
public sealed record ApprovalRecord(string PluginId, string Version, string Fingerprint, DateTimeOffset ApprovedAt, string ApprovedBy);

/// <summary>
/// Decides whether a plugin may have what it asks for: an interactive prompt, a configuration file,
/// or automatic approval in tests. Airlock asks only when no stored approval matches exactly.
/// </summary>
public interface IApprovalPolicy
{
    /// <summary>A short name recorded with the approvals this policy gives, for example <c>console prompt</c>.</summary>
    string Name { get; }

    /// <summary>Decides <paramref name="request"/>.</summary>
    /// <param name="request">What the plugin asks for.</param>
    /// <param name="cancellationToken">Cancels the decision (a prompt left unanswered).</param>
    /// <returns>Whether it is approved.</returns>
    ValueTask<bool> ApproveAsync(ApprovalRequest request, CancellationToken cancellationToken);
}

/// <summary>Where approvals are kept between runs.</summary>
public interface IApprovalStore
{
    /// <summary>The approval of exactly this plugin, version and permission set, if there is one.</summary>
    /// <param name="pluginId">The plugin.</param>
    /// <param name="version">The version.</param>
    /// <param name="fingerprint">The permission set.</param>
    ApprovalRecord? Find(string pluginId, string version, string fingerprint);

    /// <summary>The most recent approval of the plugin, any version or set.</summary>
    /// <param name="pluginId">The plugin.</param>
    ApprovalRecord? Latest(string pluginId);

    /// <summary>Stores an approval; it is durable when this returns.</summary>
    /// <param name="record">The approval.</param>
    void Save(ApprovalRecord record);

    /// <summary>Removes every approval of a plugin, so it must be approved again before it next runs.</summary>
    /// <param name="pluginId">The plugin.</param>
    /// <returns>How many approvals were removed.</returns>
    int Revoke(string pluginId);
}

/// <summary>Approves everything. For tests and trusted development setups only.</summary>
public sealed class AutoApprovePolicy : IApprovalPolicy
{
    /// <inheritdoc/>
    public string Name => "automatic approval";

    /// <inheritdoc/>
    public ValueTask<bool> ApproveAsync(ApprovalRequest request, CancellationToken cancellationToken) => ValueTask.FromResult(true);
}

/// <summary>Approves nothing that is not already approved: plugins run only with stored approvals.</summary>
public sealed class DenyAllPolicy : IApprovalPolicy
{
    /// <inheritdoc/>
    public string Name => "deny all";

    /// <inheritdoc/>
    public ValueTask<bool> ApproveAsync(ApprovalRequest request, CancellationToken cancellationToken) => ValueTask.FromResult(false);
}

/// <summary>Asks a delegate: the way to plug in an interactive prompt or an admin console.</summary>
/// <param name="name">A short name recorded with the approvals.</param>
/// <param name="decide">Decides a request.</param>
public sealed class DelegateApprovalPolicy(string name, Func<ApprovalRequest, CancellationToken, ValueTask<bool>> decide) : IApprovalPolicy
{
    /// <inheritdoc/>
    public string Name { get; } = name;

    /// <inheritdoc/>
    public ValueTask<bool> ApproveAsync(ApprovalRequest request, CancellationToken cancellationToken) => decide(request, cancellationToken);
}

/// <summary>
/// Approves what a JSON file the administrator maintains allows:
/// <c>{"approvals": [{"plugin": "com.example.x", "version": "1.2.0" or "*", "permissions": {...manifest form...}}]}</c>.
/// A request is approved when an entry for its plugin and version covers every permission it asks for.
/// </summary>
public sealed class ApprovalFilePolicy : IApprovalPolicy
{
    private readonly IReadOnlyList<(string Plugin, string Version, PluginPermissions Permissions)> _entries;

    /// <summary>Reads the approvals file.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="PluginManifestException">The file is not valid (file, field and line are named).</exception>
    public ApprovalFilePolicy(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = System.IO.Path.GetFullPath(path);
        _entries = ApprovalFileReader.Read(Path);
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <inheritdoc/>
    public string Name => "approvals file " + System.IO.Path.GetFileName(Path);

    /// <inheritdoc/>
    public ValueTask<bool> ApproveAsync(ApprovalRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        bool approved = _entries.Any(e =>
            string.Equals(e.Plugin, request.PluginId, StringComparison.Ordinal)
            && (e.Version == "*" || string.Equals(e.Version, request.Version, StringComparison.Ordinal))
            && e.Permissions.Covers(request.Requested));
        return ValueTask.FromResult(approved);
    }
}
