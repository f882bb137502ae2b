namespace Airlock.Dashboard;

/// <summary>One plugin's counts per bucket.</summary>
/// <param name="Plugin">The plugin's id as its measurements name it (hostile text: encode it to show it).</param>
/// <param name="Calls">Completed calls per bucket, whatever their outcome.</param>
/// <param name="Errors">Calls per bucket whose outcome was not <c>ok</c>.</param>
/// <param name="Denials">Capability denials per bucket.</param>
public sealed record PluginCallSeries(string Plugin, IReadOnlyList<long> Calls, IReadOnlyList<long> Errors, IReadOnlyList<long> Denials);
