namespace Airlock.Dashboard;

/// <summary>The authorization policies <see cref="AirlockDashboardServiceCollectionExtensions.AddAirlockDashboard"/> registers.</summary>
public static class AirlockDashboardPolicies
{
    /// <summary>Who may see the dashboard: an authenticated user, with <see cref="AirlockDashboardOptions.ViewerRole"/> when one is set.</summary>
    public const string Viewer = "AirlockDashboard.Viewer";

    /// <summary>Who may approve, deny and revoke: an authenticated user with <see cref="AirlockDashboardOptions.AdministratorRole"/>.</summary>
    public const string Administrator = "AirlockDashboard.Administrator";
}
