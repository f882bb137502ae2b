using Airlock.Abi;
using Airlock.Auditing;
using Airlock.Contracts.Samuel;
using Airlock.Contracts.SocialScale;
using Airlock.Runtime;
using Airlock.Services;
using Microsoft.Extensions.Logging;

namespace Airlock.Samuel;

/// <summary>
/// The host functions of one Samuel plugin (<see cref="ISamuelHost"/>): <c>samuel.log</c> through the shared log path
/// and Samuel's log limit, <c>samuel.net_outbound</c> through the shared HTTP executor under the manifest's
/// <c>[capabilities.network] hosts</c> (hosts only: any scheme the executor allows and any port), the request rate limit
/// and the audit log, and <c>samuel.soft_deadline_ms</c> from the manifest's soft and hard timeouts.
/// </summary>
public sealed class SamuelHostServices : ISamuelHost
{
    private readonly SamuelManifest _manifest;
    private readonly string _pluginId;
    private readonly string _version;
    private readonly SamuelServices _services;
    private readonly PluginLogSink _log;
    private readonly AuditedPluginHttp _http;
    private readonly TimeSpan _softTimeout;

    /// <summary>Creates the host functions of one plugin.</summary>
    /// <param name="manifest">The plugin's manifest: its name (the log, rate-limit and audit key), network hosts and timeouts.</param>
    /// <param name="services">The shared services.</param>
    public SamuelHostServices(SamuelManifest manifest, SamuelServices services)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(services);
        _manifest = manifest;
        _pluginId = manifest.Name;
        _version = manifest.Version.ToString();
        _services = services;
        ILogger logger = services.LoggerFactory.CreateLogger("Airlock.Plugin." + manifest.Name);
        _log = new PluginLogSink(logger, services.LogLimiter, services.Audit, services.TimeProvider);
        _http = new AuditedPluginHttp(manifest.Name, _version, "net_outbound", services.Http, services.RateLimiter, services.Audit, services.TimeProvider);
        _softTimeout = manifest.Runtime.SoftTimeout;
    }

    /// <summary>How many of the plugin's log lines (<c>samuel.log</c>, stdout and stderr) the log limit has dropped.</summary>
    public long DroppedLogLines => _services.LogLimiter.Dropped(_pluginId);

    /// <inheritdoc/>
    public void Log(GuestContext guest, int level, string message)
    {
        ArgumentNullException.ThrowIfNull(guest);
        ArgumentNullException.ThrowIfNull(message);
        LogLevel logLevel = level switch
        {
            0 => LogLevel.Debug,
            2 => LogLevel.Warning,
            3 => LogLevel.Error,
            _ => LogLevel.Information,
        };
        _log.Write(_pluginId, _version, guest.Export, "samuel.log", logLevel, message);
    }

    /// <inheritdoc/>
    public HostHttpResponse NetOutbound(GuestContext guest, HostHttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(guest);
        ArgumentNullException.ThrowIfNull(request);
        DomainAllowlist hosts = _manifest.Capabilities.Network;
        if (hosts.IsEmpty)
        {
            Diagnostics.AirlockInstruments.Of(guest).Denied(_pluginId, "http");
            _services.Audit?.RecordHostCall(new AuditEntry(_services.TimeProvider.GetUtcNow(), _pluginId, _version, "network.net_outbound", AuditedPluginHttp.WithoutQuery(request.Url), false, "the manifest grants no network capability ([capabilities.network] hosts)"));
            throw new HostCallException(HostCallStatus.PermissionDenied, $"plugin '{_pluginId}' has no network capability: its manifest lists no [capabilities.network] hosts.");
        }

        return _http.Send(guest, request, hosts);
    }

    /// <inheritdoc/>
    public long SoftDeadlineMilliseconds(GuestContext guest)
    {
        ArgumentNullException.ThrowIfNull(guest);

        // Time spent so far is the call's limit (the hard timeout) less what remains of it.
        TimeSpan elapsed = guest.Plugin.Limits.Timeout - guest.RemainingTime;
        return (long)Math.Floor((_softTimeout - elapsed).TotalMilliseconds);
    }
}
