using System.Globalization;

namespace Airlock.Auditing;

/// <summary>
/// Bounds the records of allowed host calls per plugin (<see cref="AuditLogOptions"/>): calls of the same plugin,
/// version and action within an aggregation window become one record with a count, and past the plugin's budget of
/// records per budget window calls are only counted, the counts becoming <c>audit.suppressed</c> records. Denials
/// never come here. Not thread-safe: <see cref="SqliteAuditLog"/> calls it under its lock.
/// </summary>
internal sealed class AuditAggregator(AuditLogOptions options, TimeProvider time)
{
    /// <summary>The action of a record that counts calls the budget did not let through one by one.</summary>
    public const string SuppressedAction = "audit.suppressed";

    private readonly Dictionary<string, PluginState> _plugins = new(StringComparer.Ordinal);

    /// <summary>How many plugins have open aggregates, counts or a running budget window.</summary>
    public int PluginCount => _plugins.Count;

    /// <summary>Takes in an allowed call; adds to <paramref name="ready"/> the records that are complete.</summary>
    /// <param name="entry">The allowed call.</param>
    /// <param name="ready">Receives records to write.</param>
    public void Add(AuditEntry entry, List<AuditEntry> ready)
    {
        long now = time.GetTimestamp();
        if (!_plugins.TryGetValue(entry.PluginId, out PluginState? state))
        {
            state = new PluginState(entry.PluginId);
            _plugins.Add(entry.PluginId, state);
        }

        if (state.BudgetStart is not { } start)
        {
            state.BudgetStart = now;
        }
        else if (time.GetElapsedTime(start, now) >= options.BudgetWindow)
        {
            EmitSuppressed(state, ready);
            state.RecordsUsed = 0;
            state.BudgetStart = now;
        }

        var key = new ActionKey(entry.PluginVersion, entry.Action);
        if (state.Open.TryGetValue(key, out Aggregate? open))
        {
            if (time.GetElapsedTime(open.Opened, now) < options.AggregationWindow)
            {
                open.Add(entry);
                return;
            }

            ready.Add(open.ToEntry());
            state.Open.Remove(key);
        }

        if (state.RecordsUsed < options.MaxRecordsPerPlugin)
        {
            state.RecordsUsed++;
            if (options.AggregationWindow <= TimeSpan.Zero)
            {
                ready.Add(entry);
            }
            else
            {
                state.Open.Add(key, new Aggregate(entry, now));
            }

            return;
        }

        if (state.Suppressed.TryGetValue(key, out Aggregate? counted))
        {
            counted.Add(entry);
        }
        else
        {
            state.Suppressed.Add(key, new Aggregate(entry, now));
        }
    }

    /// <summary>
    /// Adds to <paramref name="ready"/> the aggregates whose window has ended and the counts of budget windows that
    /// have ended; with <paramref name="all"/>, every open aggregate and every count so far.
    /// </summary>
    /// <param name="all">Whether to close everything (a flush) rather than only what is due.</param>
    /// <param name="ready">Receives records to write.</param>
    public void Collect(bool all, List<AuditEntry> ready)
    {
        long now = time.GetTimestamp();
        List<string>? idle = null;
        foreach (PluginState state in _plugins.Values)
        {
            if (state.Open.Count > 0)
            {
                foreach ((ActionKey key, Aggregate open) in state.Open.ToArray())
                {
                    if (all || time.GetElapsedTime(open.Opened, now) >= options.AggregationWindow)
                    {
                        ready.Add(open.ToEntry());
                        state.Open.Remove(key);
                    }
                }
            }

            if (state.BudgetStart is { } start && time.GetElapsedTime(start, now) >= options.BudgetWindow)
            {
                EmitSuppressed(state, ready);
                state.RecordsUsed = 0;
                state.BudgetStart = null;
            }
            else if (all)
            {
                EmitSuppressed(state, ready);
            }

            if (state.Open.Count == 0 && state.Suppressed.Count == 0 && state.BudgetStart is null)
            {
                (idle ??= []).Add(state.PluginId);
            }
        }

        foreach (string pluginId in idle ?? [])
        {
            _plugins.Remove(pluginId);
        }
    }

    private void EmitSuppressed(PluginState state, List<AuditEntry> ready)
    {
        foreach ((ActionKey key, Aggregate counted) in state.Suppressed)
        {
            string detail = string.Create(
                CultureInfo.InvariantCulture,
                $"{counted.Count} allowed {key.Action} calls past the audit budget of {options.MaxRecordsPerPlugin} records per {Describe(options.BudgetWindow)} were counted, not recorded one by one");
            ready.Add(new AuditEntry(counted.First.Timestamp, state.PluginId, key.Version, SuppressedAction, key.Action, Allowed: true, detail)
            {
                Count = counted.Count,
                LastTimestamp = counted.LastTimestamp,
            });
        }

        state.Suppressed.Clear();
    }

    private static string Describe(TimeSpan window) => window.TotalSeconds % 60 == 0
        ? string.Create(CultureInfo.InvariantCulture, $"{window.TotalMinutes:0.##} min")
        : string.Create(CultureInfo.InvariantCulture, $"{window.TotalSeconds:0.###} s");

    private readonly record struct ActionKey(string Version, string Action);

    private sealed class PluginState(string pluginId)
    {
        public string PluginId { get; } = pluginId;

        public Dictionary<ActionKey, Aggregate> Open { get; } = [];

        public Dictionary<ActionKey, Aggregate> Suppressed { get; } = [];

        public long? BudgetStart { get; set; }

        public int RecordsUsed { get; set; }
    }

    // Calls of one action: the first as it came, then the count and the last call's time and target.
    private sealed class Aggregate(AuditEntry first, long opened)
    {
        public AuditEntry First { get; } = first;

        public long Opened { get; } = opened;

        public long Count { get; private set; } = first.Count;

        public DateTimeOffset LastTimestamp { get; private set; } = first.LastTimestamp ?? first.Timestamp;

        public string LastTarget { get; private set; } = first.LastTarget ?? first.Target;

        private bool _merged;

        public void Add(AuditEntry entry)
        {
            Count += entry.Count;
            LastTimestamp = entry.LastTimestamp ?? entry.Timestamp;
            LastTarget = entry.LastTarget ?? entry.Target;
            _merged = true;
        }

        public AuditEntry ToEntry() => _merged ? First with { Count = Count, LastTimestamp = LastTimestamp, LastTarget = LastTarget } : First;
    }
}
