using System.Text.Json;
using Airlock.Abi;
using Airlock.Auditing;
using Airlock.Contracts.SocialScale;
using Airlock.Runtime;
using Airlock.Security;
using Airlock.Services;
using Microsoft.Extensions.Logging;

namespace Airlock.SocialScale;

/// <summary>
/// The production host functions of one SocialScale plugin: each checks the permission the plugin was
/// approved for, then uses the shared services — outbound HTTP through the domain allowlist and the
/// rate limit, the plugin's own key-value namespace, the bounded event bus, its platform's OAuth
/// tokens — and records what happened in the audit log.
/// </summary>
/// <remarks>
/// How a refusal reaches the guest depends on the plugin's <see cref="WasmPluginInfo.HostResults"/>.
/// With the default <see cref="HostResultEncoding.Plain"/> encoding (the SocialScale documents' own
/// "returns ptr+len"), a missing value is <c>0</c>, a refused <c>host_http_request</c> is answered with
/// an HTTP error response the plugin can read (403, 429 with <c>retry-after</c>, 400, 413 or 503, with
/// an <c>x-airlock-error</c> header and a <c>{"status":"error","code",...,"retryable"}</c> body), and
/// any other refusal ends the call with <see cref="HostFunctionException"/>. A plugin that asks for
/// <see cref="HostResultEncoding.StatusCodes"/> receives negative <see cref="HostCallStatus"/> codes
/// instead. The void functions (<c>host_store_set</c>, <c>host_emit_event</c>) cannot return
/// anything, so a refusal there always ends the call with <see cref="HostFunctionException"/>.
/// </remarks>
public sealed class SocialScaleHostServices : ISocialScaleHost
{
    private readonly string _pluginId;
    private readonly string _version;
    private readonly PluginPermissions _permissions;
    private readonly DomainAllowlist _domains;
    private readonly SocialScaleServices _services;
    private readonly PluginLogSink _log;
    private readonly AuditedPluginHttp _http;

    /// <summary>Creates the host functions of one approved plugin.</summary>
    /// <param name="pluginId">The plugin's id (the KV namespace, rate-limit key and audit subject).</param>
    /// <param name="version">The plugin's version, for the audit log.</param>
    /// <param name="permissions">What the plugin was approved for.</param>
    /// <param name="services">The shared services.</param>
    public SocialScaleHostServices(string pluginId, string version, PluginPermissions permissions, SocialScaleServices services)
    {
        ArgumentException.ThrowIfNullOrEmpty(pluginId);
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(permissions);
        ArgumentNullException.ThrowIfNull(services);
        _pluginId = pluginId;
        _version = version;
        _permissions = permissions;
        _domains = permissions.NetworkAccess ? new DomainAllowlist(permissions.NetworkDomains) : DomainAllowlist.Empty;
        _services = services;
        ILogger logger = services.LoggerFactory.CreateLogger("Airlock.Plugin." + PluginText.Sanitize(pluginId, AuditEntry.MaxNameChars));
        _log = new PluginLogSink(logger, services.LogLimiter, services.Audit, services.TimeProvider);
        _http = new AuditedPluginHttp(pluginId, version, "host_http_request", services.Http, services.RateLimiter, services.Audit, services.TimeProvider);
    }

    /// <inheritdoc/>
    public void Log(GuestContext guest, PluginLogLevel level, string message)
    {
        ArgumentNullException.ThrowIfNull(guest);
        ArgumentNullException.ThrowIfNull(message);
        LogLevel logLevel = level switch
        {
            PluginLogLevel.Trace => LogLevel.Trace,
            PluginLogLevel.Debug => LogLevel.Debug,
            PluginLogLevel.Info => LogLevel.Information,
            PluginLogLevel.Warn => LogLevel.Warning,
            _ => LogLevel.Error,
        };
        _log.Write(_pluginId, _version, guest.Export, "host_log", logLevel, message);
    }

    /// <inheritdoc/>
    public HostHttpResponse HttpRequest(GuestContext guest, HostHttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(guest);
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            return Send(guest, request);
        }
        catch (HostCallException refused) when (guest.Plugin.HostResults == HostResultEncoding.Plain)
        {
            return RefusalResponse(refused);
        }
    }

    private HostHttpResponse Send(GuestContext guest, HostHttpRequest request)
    {
        RequirePermission(_permissions.NetworkAccess, "network_access", "host_http_request", WithoutQuery(request.Url));
        return _http.Send(guest, request, _domains);
    }

    /// <inheritdoc/>
    public byte[]? StoreGet(GuestContext guest, string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        IPluginKeyValueStore store = RequireStore(key, "host_store_get");
        try
        {
            byte[]? value = store.Get(_pluginId, key);
            Audit("storage", "host_store_get", PluginText.Sanitize(key, 200), true, value is null ? "not found" : $"{value.Length} bytes");
            return value;
        }
        catch (KeyValueLimitException exception)
        {
            _services.Instruments.Denied(_pluginId, "kv");
            Audit("storage", "host_store_get", PluginText.Sanitize(key, 200), false, exception.Code + ": " + exception.Message);
            throw new HostCallException(StatusOf(exception), $"{exception.Code}: {exception.Message}", exception);
        }
    }

    /// <inheritdoc/>
    public void StoreSet(GuestContext guest, string key, ReadOnlySpan<byte> value)
    {
        ArgumentNullException.ThrowIfNull(key);
        IPluginKeyValueStore store = RequireStore(key, "host_store_set");
        try
        {
            store.Set(_pluginId, key, value);
            Audit("storage", "host_store_set", PluginText.Sanitize(key, 200), true, $"{value.Length} bytes");
        }
        catch (KeyValueLimitException exception)
        {
            _services.Instruments.Denied(_pluginId, "kv");
            Audit("storage", "host_store_set", PluginText.Sanitize(key, 200), false, exception.Code + ": " + exception.Message);
            throw new HostCallException(StatusOf(exception), $"{exception.Code}: {exception.Message}", exception);
        }
    }

    /// <inheritdoc/>
    public void EmitEvent(GuestContext guest, JsonArgument @event)
    {
        RequirePermission(_permissions.EventEmit, "event_emit", "host_emit_event", "event");
        PluginEventBus bus = _services.Events ?? throw Unavailable("host_emit_event", "the host has no event bus");

        // Subscribers receive a document of their own; it is built only once the plugin may publish.
        EventPublishResult published = bus.Publish(new PluginEvent(_pluginId, _version, _services.TimeProvider.GetUtcNow(), @event.ToElement()));
        string kind = @event.TryGetString("type"u8, out string? type) && type is not null ? type : "event";
        Audit("events", "host_emit_event", PluginText.Sanitize(kind, 100), published.IsPublished, published.IsPublished ? $"delivered to {published.DeliveredTo} subscribers" : published.Code + ": " + published.Message);
        if (!published.IsPublished)
        {
            if (published.Code == EventPublishResult.RateLimited)
            {
                _services.Instruments.Limited(_pluginId, "events");
            }

            HostCallStatus status = published.Code switch
            {
                EventPublishResult.RateLimited => HostCallStatus.RateLimited,
                EventPublishResult.EventTooLarge => HostCallStatus.TooLarge,
                EventPublishResult.BusClosed => HostCallStatus.Unavailable,
                _ => HostCallStatus.InvalidArgument,
            };
            throw new HostCallException(status, $"{published.Code}: {published.Message}");
        }
    }

    /// <inheritdoc/>
    public OAuthCredential? GetCredential(GuestContext guest)
    {
        RequirePermission(_permissions.CredentialAccess, "credential_access", "host_credential_get", "credential");
        string platform = _permissions.CredentialPlatform!;
        ICredentialStore store = _services.Credentials ?? throw Unavailable("host_credential_get", "the host holds no credentials");
        PluginCredential? credential = store.Get(platform);

        // Tokens never reach the audit log or the logs: only which platform was read, and whether it was there.
        Audit("credentials", "host_credential_get", platform, true, credential is null ? "none held" : "read");
        return credential is null ? null : new OAuthCredential(credential.AccessToken, credential.RefreshToken, credential.ExpiresAt);
    }

    /// <inheritdoc/>
    public byte[]? GetConfig(GuestContext guest)
    {
        ArgumentNullException.ThrowIfNull(guest);
        return guest.Plugin.Configuration is { } configuration ? System.Text.Encoding.UTF8.GetBytes(configuration.GetRawText()) : null;
    }

    private IPluginKeyValueStore RequireStore(string key, string function)
    {
        RequirePermission(_permissions.StorageAccess, "storage_access", function, PluginText.Sanitize(key, 200));
        return _services.KeyValueStore ?? throw Unavailable(function, "the host has no key-value store");
    }

    private void RequirePermission(bool granted, string permission, string function, string target)
    {
        Audit("capability", function, target, granted, granted ? permission + " approved" : permission + " not approved");
        if (!granted)
        {
            _services.Instruments.Denied(_pluginId, CapabilityOf(permission));
            throw new HostCallException(HostCallStatus.PermissionDenied, $"plugin '{_pluginId}' was not approved for {permission}, which {function} needs.");
        }
    }

    // For plugins on the plain encoding: a refusal as an HTTP response a plugin written to the
    // SocialScale documents can read ("rejected with a RateLimitExceeded error", "a retryable error").
    private static HostHttpResponse RefusalResponse(HostCallException refused)
    {
        (int status, string code, bool retryable) = refused.Status switch
        {
            HostCallStatus.PermissionDenied => (403, "permission_denied", false),
            HostCallStatus.RateLimited => (429, "rate_limit_exceeded", true),
            HostCallStatus.InvalidArgument => (400, "invalid_argument", false),
            HostCallStatus.TooLarge => (413, "too_large", false),
            HostCallStatus.NotFound => (404, "not_found", false),
            _ => (503, "unavailable", true),
        };
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("status"u8, "error"u8);
            writer.WriteString("code"u8, code);
            writer.WriteString("message"u8, refused.Message);
            writer.WriteBoolean("retryable"u8, retryable);
            writer.WriteEndObject();
        }

        var headers = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["content-type"] = "application/json",
            ["x-airlock-error"] = code,
        };
        if (refused.RetryAfter is { } after)
        {
            headers["retry-after"] = Math.Max(1, (long)Math.Ceiling(after.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return new HostHttpResponse(status, headers, System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    // Query strings often carry keys: the audit log keeps URLs without them.
    private static string WithoutQuery(string url) => AuditedPluginHttp.WithoutQuery(url);

    private static HostCallException Unavailable(string function, string why)
        => new(HostCallStatus.Unavailable, $"{function} is unavailable: {why}.");

    private static HostCallStatus StatusOf(KeyValueLimitException exception) => exception.Code switch
    {
        KeyValueLimitException.InvalidKey => HostCallStatus.InvalidArgument,
        _ => HostCallStatus.TooLarge,
    };

    // The capability tag of a SocialScale permission.
    private static string CapabilityOf(string permission) => permission switch
    {
        "network_access" => "http",
        "storage_access" => "kv",
        "event_emit" => "events",
        "credential_access" => "credentials",
        _ => permission,
    };

    // Every record goes through the audit log's bounded path for host calls; AuditEntry sanitises the text.
    private void Audit(string category, string action, string target, bool allowed, string? detail)
        => _services.Audit?.RecordHostCall(new AuditEntry(_services.TimeProvider.GetUtcNow(), _pluginId, _version, category + "." + action, target, allowed, detail));
}
