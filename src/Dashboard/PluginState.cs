namespace Airlock.Dashboard;

/// <summary>Where a plugin stands, as the host reported it to the <see cref="PluginStatusBoard"/>.</summary>
public enum PluginState
{
    /// <summary>Loaded and serving calls.</summary>
    Loaded,

    /// <summary>Not loaded: it waits for an administrator's approval.</summary>
    AwaitingApproval,

    /// <summary>Not loaded: loading failed (see <see cref="PluginStatus.Problem"/>).</summary>
    Failed,

    /// <summary>Not loaded any more: unloaded by the host, for example after its approval was revoked.</summary>
    Unloaded,
}
