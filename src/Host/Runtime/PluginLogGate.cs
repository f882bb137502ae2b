using Airlock.Services;
using Microsoft.Extensions.Logging;

namespace Airlock.Runtime;

/// <summary>
/// The one gate every line a plugin writes to the host's log passes — <c>host_log</c> and WASI
/// stdout/stderr alike: the plugin's rate limit, and a report of how many lines it suppressed when the
/// next line gets through. The line itself is then cleaned with <see cref="PluginText.Sanitize"/>.
/// </summary>
internal static partial class PluginLogGate
{
    /// <summary>The longest line a plugin may log, in characters; longer lines are cut.</summary>
    public const int MaxLineChars = 4096;

    /// <summary>
    /// Whether one more line of <paramref name="pluginId"/> may reach the log. When it may after lines were
    /// suppressed, the count is logged first.
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
            LogSuppressed(logger, pluginId, decision.Suppressed);
        }

        return true;
    }

    [LoggerMessage(EventId = 601, Level = LogLevel.Warning, Message = "Plugin {PluginId} logged too fast: {Count} lines were suppressed")]
    private static partial void LogSuppressed(ILogger logger, string pluginId, long count);
}
