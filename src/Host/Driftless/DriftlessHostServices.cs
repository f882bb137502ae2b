using Airlock.Abi;
using Airlock.Contracts.Driftless;
using Airlock.Runtime;
using Airlock.Services;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Airlock.Driftless;

/// <summary>
/// Airlock's implementation of the Driftless host functions: <c>host_log</c> writes through the
/// plugin log path every plugin system shares (per-plugin rate limit, sanitiser, count of suppressed
/// lines), and <c>host_get_timestamp</c> reads the host's clock. One instance serves every Driftless
/// plugin of a host: the calling plugin comes from each call's <see cref="GuestContext"/>.
/// </summary>
public sealed class DriftlessHostServices : IDriftlessHost
{
    private readonly PluginLogSink _log;
    private readonly TimeProvider _time;
    private readonly bool _debugEnabled;

    /// <summary>Creates the host functions of Driftless plugins.</summary>
    /// <param name="loggerFactory">Where plugin log lines go (category <c>Airlock.Driftless</c>); none when null.</param>
    /// <param name="logLimiter">The per-plugin log rate limit; a new default one when null.</param>
    /// <param name="debugEnabled">Whether <c>debug</c> lines are logged (<c>plugins.toml</c>'s <c>debug_enabled</c>); otherwise they are dropped before the rate limit.</param>
    /// <param name="timeProvider">The clock of <c>host_get_timestamp</c>; the system clock when null.</param>
    public DriftlessHostServices(ILoggerFactory? loggerFactory = null, LogRateLimiter? logLimiter = null, bool debugEnabled = false, TimeProvider? timeProvider = null)
    {
        _time = timeProvider ?? TimeProvider.System;
        ILogger logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Airlock.Driftless");
        _log = new PluginLogSink(logger, logLimiter ?? new LogRateLimiter(timeProvider: _time), audit: null, _time);
        _debugEnabled = debugEnabled;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The level words are the seed's: <c>error</c>, <c>warn</c>, <c>info</c> and <c>debug</c>
    /// (case-insensitive). Any other word is logged as a warning, so a plugin cannot hide a line by
    /// misspelling its level.
    /// </remarks>
    public void Log(GuestContext guest, string level, string message)
    {
        ArgumentNullException.ThrowIfNull(guest);
        LogLevel logLevel = level.ToLowerInvariant() switch
        {
            "error" => LogLevel.Error,
            "warn" or "warning" => LogLevel.Warning,
            "info" => LogLevel.Information,
            "debug" => LogLevel.Debug,
            _ => LogLevel.Warning,
        };
        if (logLevel == LogLevel.Debug && !_debugEnabled)
        {
            return;
        }

        _log.Write(guest.Plugin.Id, guest.Plugin.Version, guest.Export, "host_log", logLevel, message);
    }

    /// <inheritdoc/>
    public ulong GetTimestamp(GuestContext guest) => (ulong)Math.Max(0, _time.GetUtcNow().ToUnixTimeSeconds());
}
