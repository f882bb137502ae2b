namespace Airlock.Security;

/// <summary>A decision made in an <see cref="ApprovalQueue"/>.</summary>
/// <param name="pluginId">The plugin decided on.</param>
/// <param name="verdict">What was decided.</param>
/// <param name="decidedBy">Who decided.</param>
public sealed class ApprovalDecidedEventArgs(string pluginId, ApprovalVerdict verdict, string decidedBy) : EventArgs
{
    /// <summary>The plugin decided on.</summary>
    public string PluginId { get; } = pluginId;

    /// <summary>What was decided.</summary>
    public ApprovalVerdict Verdict { get; } = verdict;

    /// <summary>Who decided.</summary>
    public string DecidedBy { get; } = decidedBy;
}
