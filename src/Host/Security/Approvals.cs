namespace Airlock.Security;

/// <summary>What a plugin asks the user (or administrator) to approve.</summary>
/// <param name="PluginId">The plugin's id.</param>
/// <param name="PluginName">Its display name.</param>
/// <param name="Version">Its version.</param>
/// <param name="Author">Its author, if the manifest names one.</param>
/// <param name="Requested">The exact permissions it asks for.</param>
/// <param name="ModuleSha256">The lower-case hex SHA-256 of the module to approve: an approval covers exactly this module.</param>
/// <param name="Previous">The latest earlier approval of this plugin (another version, permission set or module), if any, so a prompt can show what changed.</param>
public sealed record ApprovalRequest(string PluginId, string PluginName, string Version, string? Author, PluginPermissions Requested, string ModuleSha256, ApprovalRecord? Previous)
{
    /// <summary>
    /// Whether only the module changed since <see cref="Previous"/>: the same version and permissions,
    /// other bytes (a rebuilt plugin, or a different module claiming the plugin's id and version).
    /// </summary>
    public bool OnlyModuleChanged => Previous is { } previous
        && previous.Version == Version
        && previous.Fingerprint == Requested.Fingerprint
        && !string.Equals(previous.ModuleSha256, ModuleSha256, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Whether <see cref="ApprovalDecision.CarryOver"/> can be answered: <see cref="Previous"/> approved
    /// exactly the permissions asked for now (in any version, for any module).
    /// </summary>
    public bool CanCarryOver => Previous is { } previous && previous.Fingerprint == Requested.Fingerprint;
}

/// <summary>A stored approval: this plugin version may run this module with exactly these permissions.</summary>
/// <param name="PluginId">The plugin's id.</param>
/// <param name="Version">The version approved.</param>
/// <param name="Fingerprint">The canonical permission set approved (<see cref="PluginPermissions.Fingerprint"/>).</param>
/// <param name="ModuleSha256">
/// The lower-case hex SHA-256 of the module approved; <see cref="PluginHost"/> refuses to load any other
/// bytes under this approval. Empty for an approval stored before approvals were bound to modules,
/// which approves no module.
/// </param>
/// <param name="ApprovedAt">When.</param>
/// <param name="ApprovedBy">Which policy approved it.</param>
public sealed record ApprovalRecord(string PluginId, string Version, string Fingerprint, string ModuleSha256, DateTimeOffset ApprovedAt, string ApprovedBy)
{
    /// <summary>
    /// The SHA-256 of the module whose approval the policy carried over to this one
    /// (<see cref="ApprovalDecision.CarryOver"/>), or <see langword="null"/> when this module was approved itself.
    /// </summary>
    public string? CarriedOverFrom { get; init; }
}

/// <summary>A policy's answer to an <see cref="ApprovalRequest"/>.</summary>
public enum ApprovalDecision
{
    /// <summary>Not approved: the plugin does not run.</summary>
    Refuse,

    /// <summary>Approved: this module may run with these permissions.</summary>
    Approve,

    /// <summary>
    /// The earlier approval (<see cref="ApprovalRequest.Previous"/>) carries over to this module, for
    /// example an update the policy trusts without asking. Allowed only when
    /// <see cref="ApprovalRequest.CanCarryOver"/>; recorded and audited as a carry-over, naming both modules.
    /// </summary>
    CarryOver,
}

/// <summary>
/// Decides whether a plugin may have what it asks for: an interactive prompt, a configuration file,
/// or automatic approval in tests. Airlock asks only when no stored approval matches exactly: the same
/// plugin, version, permission set and module.
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

    /// <summary>
    /// Decides <paramref name="request"/>, with the choice of carrying the earlier approval over to a
    /// new module. The default answers <see cref="ApprovalDecision.Approve"/> or
    /// <see cref="ApprovalDecision.Refuse"/> from <see cref="ApproveAsync"/>.
    /// </summary>
    /// <param name="request">What the plugin asks for.</param>
    /// <param name="cancellationToken">Cancels the decision.</param>
    /// <returns>The decision.</returns>
    async ValueTask<ApprovalDecision> DecideAsync(ApprovalRequest request, CancellationToken cancellationToken)
        => await ApproveAsync(request, cancellationToken).ConfigureAwait(false) ? ApprovalDecision.Approve : ApprovalDecision.Refuse;
}

/// <summary>Where approvals are kept between runs.</summary>
public interface IApprovalStore
{
    /// <summary>The approval of exactly this plugin, version, permission set and module, if there is one.</summary>
    /// <param name="pluginId">The plugin.</param>
    /// <param name="version">The version.</param>
    /// <param name="fingerprint">The permission set.</param>
    /// <param name="moduleSha256">The module's lower-case hex SHA-256.</param>
    ApprovalRecord? Find(string pluginId, string version, string fingerprint, string moduleSha256);

    /// <summary>The most recent approval of the plugin, any version, set or module.</summary>
    /// <param name="pluginId">The plugin.</param>
    ApprovalRecord? Latest(string pluginId);

    /// <summary>Stores an approval; it is durable when this returns.</summary>
    /// <param name="record">The approval.</param>
    void Save(ApprovalRecord record);

    /// <summary>Removes every approval of a plugin, so it must be approved again before it next runs.</summary>
    /// <param name="pluginId">The plugin.</param>
    /// <returns>How many approvals were removed.</returns>
    int Revoke(string pluginId);

    /// <summary>
    /// Whether <paramref name="approval"/> is still in force: asked before each host call of a loaded plugin that
    /// needs a permission, so a revocation stops plugins that are already running. It must be cheap. The default
    /// answers <see langword="true"/>: the approval is checked only when the plugin loads, which is right for a store
    /// only one process uses (a revocation there takes effect at the next load). A store shared by several instances
    /// answers from what it knows of revocations.
    /// </summary>
    /// <param name="approval">The approval a plugin was loaded under.</param>
    /// <exception cref="Services.PolicyStoreUnavailableException">A shared store cannot tell: the call is refused.</exception>
    bool IsInForce(ApprovalRecord approval) => true;
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
public sealed class DelegateApprovalPolicy : IApprovalPolicy
{
    private readonly Func<ApprovalRequest, CancellationToken, ValueTask<ApprovalDecision>> _decide;

    /// <summary>A policy that approves or refuses.</summary>
    /// <param name="name">A short name recorded with the approvals.</param>
    /// <param name="decide">Decides a request: <see langword="true"/> to approve.</param>
    public DelegateApprovalPolicy(string name, Func<ApprovalRequest, CancellationToken, ValueTask<bool>> decide)
    {
        ArgumentNullException.ThrowIfNull(decide);
        Name = name;
        _decide = async (request, token) => await decide(request, token).ConfigureAwait(false) ? ApprovalDecision.Approve : ApprovalDecision.Refuse;
    }

    /// <summary>A policy that may also carry an earlier approval over to a new module.</summary>
    /// <param name="name">A short name recorded with the approvals.</param>
    /// <param name="decide">Decides a request.</param>
    public DelegateApprovalPolicy(string name, Func<ApprovalRequest, CancellationToken, ValueTask<ApprovalDecision>> decide)
    {
        ArgumentNullException.ThrowIfNull(decide);
        Name = name;
        _decide = decide;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public async ValueTask<bool> ApproveAsync(ApprovalRequest request, CancellationToken cancellationToken)
        => await _decide(request, cancellationToken).ConfigureAwait(false) == ApprovalDecision.Approve;

    /// <inheritdoc/>
    public ValueTask<ApprovalDecision> DecideAsync(ApprovalRequest request, CancellationToken cancellationToken) => _decide(request, cancellationToken);
}

/// <summary>
/// Approves what a JSON file the administrator maintains allows:
/// <c>{"approvals": [{"plugin": "com.example.x", "version": "1.2.0" or "*", "sha256": "...", "permissions": {...manifest form...}}]}</c>.
/// A request is approved when an entry for its plugin and version covers every permission it asks for
/// and, when the entry pins a module with <c>sha256</c> (the module's SHA-256 in hex), the module is that one.
/// An entry without <c>sha256</c> approves any module of that plugin and version.
/// </summary>
public sealed class ApprovalFilePolicy : IApprovalPolicy
{
    private readonly IReadOnlyList<ApprovalFileEntry> _entries;

    /// <summary>Reads the approvals file (at most 1 MiB, a regular file).</summary>
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
            && (e.Sha256 is null || string.Equals(e.Sha256, request.ModuleSha256, StringComparison.OrdinalIgnoreCase))
            && e.Permissions.Covers(request.Requested));
        return ValueTask.FromResult(approved);
    }
}
