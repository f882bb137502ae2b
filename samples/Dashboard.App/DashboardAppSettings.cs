namespace Dashboard.App;

/// <summary>How the dashboard app starts: where its data and plugins are, where it listens, and its local accounts.</summary>
public sealed record DashboardAppSettings
{
    /// <summary>The data directory (audit.db, approvals.db, kv.db), shared with any host that uses the same one.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>A folder of plugin folders, each with a SocialScale <c>plugin.json</c>.</summary>
    public required string PluginsDirectory { get; init; }

    /// <summary>Where Kestrel listens. Default loopback only: <c>http://127.0.0.1:5080</c>.</summary>
    public string Urls { get; init; } = "http://127.0.0.1:5080";

    /// <summary>The password of the <c>admin</c> account (the administrator role).</summary>
    public required string AdminPassword { get; init; }

    /// <summary>The password of the read-only <c>viewer</c> account; <see langword="null"/> for no such account.</summary>
    public string? ViewerPassword { get; init; }

    /// <summary>How often the main job runs its calls through every loaded plugin.</summary>
    public TimeSpan JobInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The width of one chart bucket.</summary>
    public TimeSpan ChartInterval { get; init; } = TimeSpan.FromSeconds(5);
}
