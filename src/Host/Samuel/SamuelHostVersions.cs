using Semver;

namespace Airlock.Samuel;

/// <summary>
/// The Samuel framework and plugin-protocol versions this host implements: a manifest's <c>[samuel] framework</c> and
/// <c>protocol</c> ranges must contain them, or the plugin is refused at load.
/// </summary>
/// <param name="Framework">The Samuel framework version the host provides (checked against <c>[samuel] framework</c>).</param>
/// <param name="Protocol">The host-call protocol version the host provides (checked against <c>[samuel] protocol</c>).</param>
public sealed record SamuelHostVersions(SemVersion Framework, SemVersion Protocol)
{
    /// <summary>
    /// Framework 2.2.0 (the Samuel release whose WASM tier Airlock implements) and protocol 1.0.0 (the only protocol the
    /// Samuel documentation shows: its reference manifest asks for <c>^1.0.0</c>).
    /// </summary>
    public static SamuelHostVersions Default { get; } = new(new SemVersion(2, 2, 0), new SemVersion(1, 0, 0));
}
