using Airlock.Auditing;
using Airlock.Services;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Airlock.SocialScale;

/// <summary>The services SocialScale plugins' host functions share. Each is optional except HTTP and the limiters.</summary>
public sealed class SocialScaleServices
{
    /// <summary>Creates the shared services.</summary>
    /// <param name="http">Outbound HTTP for plugins.</param>
    /// <param name="rateLimiter">The per-plugin outbound request limit.</param>
    /// <param name="logLimiter">The per-plugin log line limit.</param>
    public SocialScaleServices(PluginHttpClient http, PluginRateLimiter rateLimiter, LogRateLimiter logLimiter)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(rateLimiter);
        ArgumentNullException.ThrowIfNull(logLimiter);
        Http = http;
        RateLimiter = rateLimiter;
        LogLimiter = logLimiter;
    }

    /// <summary>Outbound HTTP for plugins.</summary>
    public PluginHttpClient Http { get; }

    /// <summary>The per-plugin outbound request limit.</summary>
    public PluginRateLimiter RateLimiter { get; }

    /// <summary>The per-plugin log line limit.</summary>
    public LogRateLimiter LogLimiter { get; }

    /// <summary>Plugins' key-value namespaces; <see langword="null"/> when the host offers none.</summary>
    public IPluginKeyValueStore? KeyValueStore { get; init; }

    /// <summary>The event bus; <see langword="null"/> when the host offers none.</summary>
    public PluginEventBus? Events { get; init; }

    /// <summary>OAuth tokens by platform; <see langword="null"/> when the host holds none.</summary>
    public ICredentialStore? Credentials { get; init; }

    /// <summary>Where every capability check and action is recorded; <see langword="null"/> for nowhere.</summary>
    public IAuditLog? Audit { get; init; }

    /// <summary>Where plugins log.</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>The clock of audit records and events.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Where denials are counted; the container's meter when <see cref="AirlockServiceCollectionExtensions.AddAirlock"/> created the services.</summary>
    internal Diagnostics.AirlockInstruments Instruments { get; init; } = Diagnostics.AirlockInstruments.Shared;
}
