using Airlock.Auditing;
using Airlock.Services;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Airlock.Lesstruct;

/// <summary>What the host functions of Lesstruct plugins share: HTTP, the database, the audit log and their limits.</summary>
public sealed class LesstructServicesOptions
{
    /// <summary>
    /// The client plugins' HTTP requests go through. It must not follow redirects itself: the host
    /// follows them, checking each against the plugin's URL patterns. The default client does not.
    /// </summary>
    public HttpClient HttpClient { get; set; } = CreateHttpClient(new SocketsHttpHandler());

    /// <summary>The most bytes of a response body a plugin receives: 1 MiB by default.</summary>
    public int MaxResponseBytes { get; set; } = 1024 * 1024;

    /// <summary>How long one request may take, redirects included (and never past the call's deadline): 10 s by default.</summary>
    public TimeSpan HttpTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How many redirects a request may follow: 5 by default.</summary>
    public int MaxRedirects { get; set; } = 5;

    /// <summary>The database plugins query; <see langword="null"/> when plugins get none.</summary>
    public PluginDatabase? Database { get; set; }

    /// <summary>Row, size and time limits of plugin SQL.</summary>
    public PluginDbLimits DatabaseLimits { get; set; } = new();

    /// <summary>
    /// Where every HTTP and SQL call is recorded (through <see cref="IAuditLog.RecordHostCall"/>, which
    /// <see cref="SqliteAuditLog"/> aggregates and bounds per plugin; denials are always recorded one by one);
    /// <see langword="null"/> to record nothing. Log lines are not recorded; lines the log rate limit drops are
    /// counted as <c>log.suppressed</c>.
    /// </summary>
    public IAuditLog? Audit { get; set; }

    /// <summary>Where plugins' log messages go.</summary>
    public ILoggerFactory LoggerFactory { get; set; } = NullLoggerFactory.Instance;

    /// <summary>
    /// The per-plugin limit of <c>log_info</c> and <c>log_error</c> lines (keyed by plugin id), the same limiter
    /// SocialScale's <c>host_log</c> uses: by default 10 lines a second with bursts of 50. Lines over the limit are
    /// dropped, and their count is logged when the plugin's logging resumes.
    /// </summary>
    public LogRateLimiter LogLimiter { get; set; } = new();

    /// <summary>The clock of audit timestamps.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Wraps <paramref name="handler"/> in a client suitable for <see cref="HttpClient"/>: automatic
    /// redirects off (for <see cref="SocketsHttpHandler"/> and <see cref="HttpClientHandler"/>), no
    /// client-wide timeout (each request has its own).
    /// </summary>
    /// <param name="handler">The handler, for example one that reaches a loopback test server.</param>
    public static HttpClient CreateHttpClient(HttpMessageHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        switch (handler)
        {
            case SocketsHttpHandler sockets:
                sockets.AllowAutoRedirect = false;
                break;
            case HttpClientHandler client:
                client.AllowAutoRedirect = false;
                break;
        }

        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }
}
