using Airlock.Security;

namespace Airlock;

/// <summary>A plugin was not approved for the permissions it asks for, or for its module, so it was not loaded.</summary>
public sealed class PluginApprovalException : PluginLoadException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="pluginId">The plugin.</param>
    /// <param name="version">Its version.</param>
    /// <param name="requested">What it asked for.</param>
    /// <param name="policy">The policy that refused.</param>
    /// <param name="context">What was approved before, if anything, already formatted.</param>
    public PluginApprovalException(string pluginId, string version, PluginPermissions requested, string policy, string context)
        : base(pluginId, $"Plugin '{pluginId}' {version} was not approved for {requested} by {policy}{context}; it does not run until it is.")
    {
        Requested = requested;
        Policy = policy;
    }

    /// <summary>Creates the exception for a load path that has no approval to run the plugin under.</summary>
    /// <param name="pluginId">The plugin.</param>
    /// <param name="version">Its version.</param>
    /// <param name="requested">What it asked for.</param>
    /// <param name="message">What is missing and which loader approves.</param>
    public PluginApprovalException(string pluginId, string version, PluginPermissions requested, string message)
        : base(pluginId, message)
    {
        ArgumentNullException.ThrowIfNull(version);
        Requested = requested;
        Policy = "none";
    }

    /// <summary>What the plugin asked for.</summary>
    public PluginPermissions Requested { get; }

    /// <summary>The policy that refused, or <c>none</c> when the load path had no approval gate.</summary>
    public string Policy { get; }

    /// <summary>The SHA-256 of the module that was not approved, when it was read.</summary>
    public string? ModuleSha256 { get; init; }

    /// <summary>The latest earlier approval of the plugin, when there is one: what was approved before.</summary>
    public ApprovalRecord? Previous { get; init; }
}
