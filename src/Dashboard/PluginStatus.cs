namespace Airlock.Dashboard;

/// <summary>One plugin's state on the <see cref="PluginStatusBoard"/>. Every text here may come from the plugin: encode it to show it.</summary>
/// <param name="Id">The plugin's id.</param>
/// <param name="State">Where it stands.</param>
/// <param name="Since">When it got there.</param>
public sealed record PluginStatus(string Id, PluginState State, DateTimeOffset Since)
{
    /// <summary>Its display name from the manifest, when known.</summary>
    public string? Name { get; init; }

    /// <summary>Its version, when known.</summary>
    public string? Version { get; init; }

    /// <summary>The contract it is bound to, when loaded.</summary>
    public string? Contract { get; init; }

    /// <summary>The lower-case hex SHA-256 of its module, when known.</summary>
    public string? ModuleSha256 { get; init; }

    /// <summary>The limits its calls run under, when loaded.</summary>
    public PluginLimits? Limits { get; init; }

    /// <summary>Why it is not loaded (a failure's message, or what it waits for).</summary>
    public string? Problem { get; init; }
}
