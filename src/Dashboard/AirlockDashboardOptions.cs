namespace Airlock.Dashboard;

/// <summary>How the dashboard decides who may see and change what, and how its charts bucket measurements.</summary>
public sealed class AirlockDashboardOptions
{
    /// <summary>The role that may approve, deny and revoke: <c>AirlockAdministrator</c> by default.</summary>
    public string AdministratorRole { get; set; } = "AirlockAdministrator";

    /// <summary>
    /// The role needed to see the dashboard at all; <see langword="null"/> (the default) lets every authenticated
    /// user see it. Anonymous users never do.
    /// </summary>
    public string? ViewerRole { get; set; }

    /// <summary>The width of one chart bucket. Default 5 seconds.</summary>
    public TimeSpan ChartInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How many buckets a chart shows (the newest last). Default 60 (five minutes at the default interval).</summary>
    public int ChartBuckets { get; set; } = 60;

    /// <summary>
    /// How many plugins the charts keep series for; measurements of further plugins are counted under
    /// <see cref="PluginCallMetrics.OtherPlugins"/>, so a host with many plugins cannot grow the dashboard's memory without bound. Default 100.
    /// </summary>
    public int MaxChartedPlugins { get; set; } = 100;

    /// <summary>Audit entries per page. Default 50.</summary>
    public int AuditPageSize { get; set; } = 50;

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(AdministratorRole, nameof(AdministratorRole));
        if (ViewerRole is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(ViewerRole, nameof(ViewerRole));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(ChartInterval, TimeSpan.FromMilliseconds(100), nameof(ChartInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(ChartBuckets, 2, nameof(ChartBuckets));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ChartBuckets, 1440, nameof(ChartBuckets));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxChartedPlugins, nameof(MaxChartedPlugins));
        ArgumentOutOfRangeException.ThrowIfLessThan(AuditPageSize, 1, nameof(AuditPageSize));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(AuditPageSize, Auditing.AuditQuery.MaxTake, nameof(AuditPageSize));
    }
}
