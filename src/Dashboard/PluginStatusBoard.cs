using System.Collections.Concurrent;
using Airlock.Runtime;

namespace Airlock.Dashboard;

/// <summary>
/// What the host tells the dashboard about its plugins: loaded (with version, module SHA-256 and limits), waiting for
/// approval, failed and why, or unloaded. The host that loads plugins reports here; the dashboard shows it.
/// Thread-safe.
/// </summary>
/// <param name="timeProvider">The clock of state changes; <see langword="null"/> for the system clock.</param>
public sealed class PluginStatusBoard(TimeProvider? timeProvider = null)
{
    /// <summary>The longest problem text kept, in characters; longer ones are cut.</summary>
    public const int MaxProblemChars = 2048;

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly ConcurrentDictionary<string, PluginStatus> _plugins = new(StringComparer.Ordinal);

    /// <summary>Every plugin reported, by id.</summary>
    public IReadOnlyList<PluginStatus> Plugins => [.. _plugins.Values.OrderBy(p => p.Id, StringComparer.Ordinal)];

    /// <summary>The plugin <paramref name="id"/>'s status, if reported.</summary>
    /// <param name="id">The plugin's id.</param>
    public PluginStatus? Find(string id) => _plugins.TryGetValue(id, out PluginStatus? status) ? status : null;

    /// <summary>Reports a loaded plugin.</summary>
    /// <param name="info">What the host knows about it.</param>
    /// <param name="name">Its display name from the manifest, if any.</param>
    public void ReportLoaded(WasmPluginInfo info, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(info);
        _plugins[info.Id] = new PluginStatus(info.Id, PluginState.Loaded, _time.GetUtcNow())
        {
            Name = name,
            Version = info.Version,
            Contract = info.Contract,
            ModuleSha256 = info.ModuleSha256,
            Limits = info.Limits,
        };
    }

    /// <summary>Reports a plugin that could not be loaded, or waits for approval.</summary>
    /// <param name="id">The plugin's id (or, when its manifest could not be read, where it came from).</param>
    /// <param name="state"><see cref="PluginState.Failed"/>, <see cref="PluginState.AwaitingApproval"/> or <see cref="PluginState.Unloaded"/>.</param>
    /// <param name="problem">Why: an exception's message, or what it waits for.</param>
    /// <param name="name">Its display name, if known.</param>
    /// <param name="version">Its version, if known.</param>
    /// <param name="moduleSha256">Its module's SHA-256, if known.</param>
    public void ReportNotLoaded(string id, PluginState state, string problem, string? name = null, string? version = null, string? moduleSha256 = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentNullException.ThrowIfNull(problem);
        if (state == PluginState.Loaded)
        {
            throw new ArgumentOutOfRangeException(nameof(state), state, "Report a loaded plugin with ReportLoaded, which records its module and limits.");
        }

        PluginStatus? before = Find(id);
        _plugins[id] = new PluginStatus(id, state, _time.GetUtcNow())
        {
            Name = name ?? before?.Name,
            Version = version ?? before?.Version,
            ModuleSha256 = moduleSha256 ?? before?.ModuleSha256,
            Problem = PluginText.Sanitize(problem, MaxProblemChars),
        };
    }

    /// <summary>Forgets a plugin (removed from the host altogether).</summary>
    /// <param name="id">The plugin's id.</param>
    /// <returns>Whether it was reported.</returns>
    public bool Remove(string id) => _plugins.TryRemove(id, out _);
}
