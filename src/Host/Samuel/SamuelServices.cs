using Airlock.Auditing;
using Airlock.Services;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Airlock.Samuel;

/// <summary>
/// What every Samuel plugin of a host shares: the HTTP executor and request rate limit of <c>samuel.net_outbound</c>,
/// the log rate limit of <c>samuel.log</c> and WASI output (10 lines a second per plugin, as Samuel documents it), the
/// audit log and the loggers.
/// </summary>
public sealed class SamuelServices
{
    /// <summary>Creates the services.</summary>
    /// <param name="http">The outbound HTTP executor (loopback and private addresses refused unless its options allow them).</param>
    /// <param name="rateLimiter">The per-plugin request limit of <c>samuel.net_outbound</c>.</param>
    /// <param name="logLimiter">The per-plugin log limit; <see langword="null"/> for Samuel's 10 lines a second (no burst beyond that).</param>
    public SamuelServices(PluginHttpClient http, IPluginRateLimiter rateLimiter, LogRateLimiter? logLimiter = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(rateLimiter);
        Http = http;
        RateLimiter = rateLimiter;
        LogLimiter = logLimiter ?? new LogRateLimiter(new LogRateLimiterOptions { LinesPerSecond = LogLinesPerSecond, Burst = LogLinesPerSecond });
    }

    /// <summary>Samuel's log limit: 10 lines a second per plugin.</summary>
    public const int LogLinesPerSecond = 10;

    /// <summary>The outbound HTTP executor.</summary>
    public PluginHttpClient Http { get; }

    /// <summary>The per-plugin request limit.</summary>
    public IPluginRateLimiter RateLimiter { get; }

    /// <summary>The per-plugin log limit, shared by <c>samuel.log</c> and WASI stdout and stderr.</summary>
    public LogRateLimiter LogLimiter { get; }

    /// <summary>Where host calls are recorded; <see langword="null"/> for nowhere.</summary>
    public IAuditLog? Audit { get; init; }

    /// <summary>Where plugins log.</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>The clock of audit timestamps and the log limit.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
