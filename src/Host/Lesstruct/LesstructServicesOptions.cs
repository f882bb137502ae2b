using Airlock.Auditing;
using Airlock.Services;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Airlock.Lesstruct;

/// <summary>What the host functions of Lesstruct plugins share: HTTP, the database, the audit log and their limits.</summary>
public sealed class LesstructServicesOptions
{
    /// <summary>The per-request time limit of the default <see cref="Http"/> client: 10 s, as in Lesstruct.</summary>
    public static readonly TimeSpan DefaultHttpTimeout = TimeSpan.FromSeconds(10);

    private PluginHttpClient? _http;

    /// <summary>
    /// The executor plugins' <c>http_get</c> and <c>http_post</c> go through: the same <see cref="PluginHttpClient"/> as
    /// SocialScale's <c>host_http_request</c>, with each plugin's manifest URL patterns as its policy. Its
    /// <see cref="PluginHttpOptions"/> hold the limits (1 MiB responses, 5 redirects, <see cref="PluginHttpOptions.MaxTimeout"/>)
    /// and the administrator's settings; in particular, hosts and addresses that are not public (loopback, private networks,
    /// link-local, cloud metadata) are refused unless <see cref="PluginHttpOptions.PrivateNetworkExceptions"/> or
    /// <see cref="PluginHttpOptions.AllowPrivateNetworks"/> allows them. By default a client created on first use with
    /// <see cref="DefaultHttpTimeout"/> and otherwise default options; share one client between hosts' plugins, and
    /// dispose it when the last plugin is gone.
    /// </summary>
    public PluginHttpClient Http
    {
        get
        {
            if (Volatile.Read(ref _http) is null)
            {
                var created = new PluginHttpClient(new PluginHttpOptions { MaxTimeout = DefaultHttpTimeout });
                if (Interlocked.CompareExchange(ref _http, created, null) is not null)
                {
                    created.Dispose();
                }
            }

            return _http!;
        }

        set => _http = value ?? throw new ArgumentNullException(nameof(value));
    }

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
}
