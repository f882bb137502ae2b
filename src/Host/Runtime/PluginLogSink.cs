using Airlock.Auditing;
using Airlock.Services;
using Microsoft.Extensions.Logging;

namespace Airlock.Runtime;

/// <summary>
/// The one path a plugin's log lines take to the host's logger, whichever host function they come through
/// (SocialScale's <c>host_log</c>, Lesstruct's <c>log_info</c> and <c>log_error</c>): limited per plugin by the
/// shared <see cref="LogRateLimiter"/>, sanitised by <see cref="PluginText"/> (so a line cannot forge another line or
/// hide its text), with the count of suppressed lines logged when logging resumes. A log line is not an audited
/// capability use: lines that are written leave no audit record, and lines the limit drops are counted in the audit
/// log as allowed <c>log.suppressed</c> calls, which it aggregates and bounds like any other allowed call.
/// </summary>
internal sealed partial class PluginLogSink
{
    /// <summary>The longest message logged, in characters; longer ones are cut.</summary>
    public const int MaxMessageChars = 4096;

    /// <summary>The audit action of a line the rate limit dropped.</summary>
    public const string SuppressedAction = "log.suppressed";

    private readonly ILogger _logger;
    private readonly LogRateLimiter _limiter;
    private readonly IAuditLog? _audit;
    private readonly TimeProvider _time;

    /// <summary>Creates the sink of one plugin's (or one family of plugins') log lines.</summary>
    /// <param name="logger">Where lines go.</param>
    /// <param name="limiter">The per-plugin rate limit.</param>
    /// <param name="audit">Where dropped lines are counted; <see langword="null"/> for nowhere.</param>
    /// <param name="time">The clock of audit timestamps.</param>
    public PluginLogSink(ILogger logger, LogRateLimiter limiter, IAuditLog? audit, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(limiter);
        ArgumentNullException.ThrowIfNull(time);
        _logger = logger;
        _limiter = limiter;
        _audit = audit;
        _time = time;
    }

    /// <summary>Writes one line of a plugin, if its rate allows.</summary>
    /// <param name="pluginId">The plugin (the rate-limit key).</param>
    /// <param name="version">The plugin's version.</param>
    /// <param name="export">The export the plugin is running, shown with the line.</param>
    /// <param name="function">The host function the line came through, for the audit record of a dropped line.</param>
    /// <param name="level">The level.</param>
    /// <param name="message">The plugin's text, unsanitised.</param>
    /// <returns>Whether the line was written.</returns>
    public bool Write(string pluginId, string version, string export, string function, LogLevel level, string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        using IDisposable? scope = _logger.BeginScope(new KeyValuePair<string, object>[] { new("PluginId", pluginId), new("PluginVersion", version) });
        if (!Admit(_limiter, _logger, pluginId))
        {
            _audit?.RecordHostCall(new AuditEntry(_time.GetUtcNow(), pluginId, version, SuppressedAction, function, Allowed: true, "the line was dropped: the plugin logs faster than its log rate limit"));
            return false;
        }

        string id = PluginText.Sanitize(pluginId, AuditEntry.MaxNameChars);
        Line(_logger, level, id, PluginText.Sanitize(export, AuditEntry.MaxNameChars), PluginText.Sanitize(message, MaxMessageChars));
        return true;
    }

    /// <summary>
    /// The rate limit alone, for output that reaches the log another way (a plugin's WASI stdout and
    /// stderr): whether one more line of <paramref name="pluginId"/> may be logged; when it may after
    /// lines were dropped, their count is logged first. The caller sanitises the line.
    /// </summary>
    /// <param name="limiter">The per-plugin log rate limit.</param>
    /// <param name="logger">The plugin's logger.</param>
    /// <param name="pluginId">The plugin.</param>
    public static bool Admit(LogRateLimiter limiter, ILogger logger, string pluginId)
    {
        LogRateDecision decision = limiter.TryAcquire(pluginId);
        if (!decision.Allowed)
        {
            return false;
        }

        if (decision.Suppressed > 0)
        {
            LogSuppressed(logger, PluginText.Sanitize(pluginId, AuditEntry.MaxNameChars), decision.Suppressed);
        }

        return true;
    }

    [LoggerMessage(EventId = 600, Message = "Plugin {PluginId} ({Export}): {Message}")]
    private static partial void Line(ILogger logger, LogLevel level, string pluginId, string export, string message);

    [LoggerMessage(EventId = 601, Level = LogLevel.Warning, Message = "Plugin {PluginId} logged too fast: {Count} lines were suppressed")]
    private static partial void LogSuppressed(ILogger logger, string pluginId, long count);
}
