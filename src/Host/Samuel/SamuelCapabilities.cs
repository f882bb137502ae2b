using Airlock.Services;

namespace Airlock.Samuel;

/// <summary>
/// The <c>[capabilities]</c> of a <c>samuel-plugin.toml</c>: what the plugin may see of the host. Everything not granted
/// is denied; <see cref="None"/> grants nothing.
/// </summary>
public sealed record SamuelCapabilities
{
    internal SamuelCapabilities()
    {
    }

    /// <summary>No environment, no file system, no network.</summary>
    public static SamuelCapabilities None { get; } = new();

    /// <summary>
    /// <c>env</c>: the names of the environment variables the guest sees (with the host's values), in the order declared.
    /// Empty: the guest has no environment.
    /// </summary>
    public IReadOnlyList<string> Environment { get; internal init; } = [];

    /// <summary>
    /// <c>filesystem.read</c>: absolute guest paths mounted read-only (with everything below them), in the order declared.
    /// </summary>
    public IReadOnlyList<string> ReadMounts { get; internal init; } = [];

    /// <summary>
    /// <c>filesystem.write</c>: absolute guest paths mounted writable (and readable), in the order declared.
    /// </summary>
    public IReadOnlyList<string> WriteMounts { get; internal init; } = [];

    /// <summary>
    /// <c>network.hosts</c>: the host names <c>samuel.net_outbound</c> may reach (exact names and <c>*.</c> wildcards, by
    /// the rules of <see cref="DomainAllowlist"/>). <see cref="DomainAllowlist.Empty"/> (deny all) when the
    /// <c>[capabilities.network]</c> block is omitted or lists no hosts. Hosts only: ports and schemes are not part of a grant.
    /// </summary>
    public DomainAllowlist Network { get; internal init; } = DomainAllowlist.Empty;
}
