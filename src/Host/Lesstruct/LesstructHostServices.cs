using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Airlock.Abi;
using Airlock.Auditing;
using Airlock.Contracts.Lesstruct;
using Airlock.Contracts.SocialScale;
using Airlock.Runtime;
using Airlock.Services;
using Microsoft.Extensions.Logging;

namespace Airlock.Lesstruct;

/// <summary>
/// The host functions of one Lesstruct plugin, checked against its manifest: HTTP only to URLs its
/// patterns allow (redirects included) through the shared <see cref="PluginHttpClient"/> (public
/// addresses only unless the administrator allows more; the whole exchange bounded by the call's
/// deadline and token), SQL only on the tables it was granted (judged by SQLite's authorizer),
/// logging always. Every call is audited, allowed, denied or failed.
/// </summary>
public sealed class LesstructHostServices : ILesstructHost
{
    private const int MaxAuditTargetChars = 200;

    private readonly LesstructManifest _manifest;
    private readonly LesstructServicesOptions _options;
    private readonly TableGrants _grants;
    private readonly PluginLogSink _log;

    /// <summary>Creates the host functions of the plugin <paramref name="manifest"/> describes.</summary>
    /// <param name="manifest">The plugin's manifest.</param>
    /// <param name="options">The shared HTTP client, database, audit log and limits.</param>
    public LesstructHostServices(LesstructManifest manifest, LesstructServicesOptions options)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(options);
        _manifest = manifest;
        _options = options;
        _grants = TableGrants.Create(manifest.Database
            .GroupBy(p => p.SqliteTable, StringComparer.Ordinal)
            .Select(g => new TableGrant(g.Key, g.Any(p => p.Access == DatabaseAccess.Read), g.Any(p => p.Access == DatabaseAccess.Write))));
        // The manifest's name is the plugin author's text: sanitised before it names a logger category.
        ILogger logger = options.LoggerFactory.CreateLogger("Airlock.Lesstruct." + PluginText.Sanitize(manifest.Name, AuditEntry.MaxNameChars));
        _log = new PluginLogSink(logger, options.LogLimiter, options.Audit, options.TimeProvider);
    }

    /// <inheritdoc/>
    public HostResult<HttpResponseData> HttpGet(GuestContext guest, string url, Dictionary<string, string>? headers)
        => Send(guest, "lesstruct.http_get", "GET", url, headers, null);

    /// <inheritdoc/>
    public HostResult<HttpResponseData> HttpPost(GuestContext guest, string url, Dictionary<string, string>? headers, ReadOnlySpan<byte> body)
        => Send(guest, "lesstruct.http_post", "POST", url, headers, body.ToArray());

    /// <inheritdoc/>
    public HostResult<DbQueryData> DbQuery(GuestContext guest, string sql, JsonNode? parameters)
        => RunSql(guest, "lesstruct.db_query", sql, parameters, static (database, sql, parameters, grants, limits, token) =>
        {
            DbQueryResult result = database.Query(sql, parameters, grants, limits, token);
            return (new DbQueryData(result.Columns, result.Rows), $"{result.Rows.Count} rows");
        });

    /// <inheritdoc/>
    public HostResult<DbExecData> DbExec(GuestContext guest, string sql, JsonNode? parameters)
        => RunSql(guest, "lesstruct.db_exec", sql, parameters, static (database, sql, parameters, grants, limits, token) =>
        {
            DbExecResult result = database.Execute(sql, parameters, grants, limits, token);
            return (new DbExecData(result.RowsAffected, result.LastInsertId), $"{result.RowsAffected} rows affected");
        });

    /// <inheritdoc/>
    public void LogInfo(GuestContext guest, string message) => Log(guest, LogLevel.Information, "lesstruct.log_info", message);

    /// <inheritdoc/>
    public void LogError(GuestContext guest, string message) => Log(guest, LogLevel.Error, "lesstruct.log_error", message);

    // A log line is not an audited capability use: it goes through the shared, rate-limited plugin log path.
    private void Log(GuestContext guest, LogLevel level, string function, string message)
    {
        ArgumentNullException.ThrowIfNull(guest);
        ArgumentNullException.ThrowIfNull(message);
        _log.Write(guest.Plugin.Id, guest.Plugin.Version, guest.Export, function, level, message);
    }

    private HostResult<HttpResponseData> Send(GuestContext guest, string action, string method, string url, Dictionary<string, string>? headers, byte[]? body)
    {
        ArgumentNullException.ThrowIfNull(guest);
        ArgumentNullException.ThrowIfNull(url);
        if (_manifest.Http.IsEmpty)
        {
            return Deny<HttpResponseData>(guest, action, url, "capability_denied", $"{_manifest.Name}.manifest declares no [capabilities] http patterns, so the plugin may not make HTTP requests.");
        }

        // The shared executor: the manifest's patterns decide the first URL and every redirect, the addresses are checked
        // when connecting, and the whole exchange ends by the call's deadline or its token.
        var request = new PluginHttpRequest(url) { Method = method, Headers = headers, Body = body, BinaryResponse = true };
        PluginHttpResult result;
        try
        {
            result = _options.Http.Send(request, _manifest.Http, guest.RemainingTime, guest.CancellationToken);
        }
        catch (OperationCanceledException) when (guest.CancellationToken.IsCancellationRequested)
        {
            Audit(guest, action, url, allowed: true, "cancelled: the hook call was cancelled during the request.");
            throw;
        }

        if (!result.IsSuccess)
        {
            bool sent = result.Hops.Count > 0 && result.Hops[^1].Allowed;
            HostResult<HttpResponseData> refused = Deny<HttpResponseData>(guest, action, url, LesstructCode(result), result.ErrorMessage, allowed: sent);
            if (result.ErrorCode == PluginHttpErrors.Timeout)
            {
                // Cut short by the call's own deadline: the call is over, whatever the guest would do next.
                guest.ThrowIfDeadlinePassed();
            }

            return refused;
        }

        HttpResponseData data = ResponseData(result.Response, result.BodyBytes.Span);
        int redirects = result.Hops.Count - 1;
        Audit(guest, action, url, allowed: true, $"{result.Response.Status}, {result.BodyBytes.Length} bytes" + (redirects > 0 ? $" after {redirects} redirects" : ""));
        return HostResult<HttpResponseData>.Success(data);
    }

    // The executor's codes in Lesstruct's words (docs/lesstruct.md).
    private static string LesstructCode(PluginHttpResult result) => result.ErrorCode switch
    {
        PluginHttpErrors.InvalidRequest => result.InvalidPart switch
        {
            PluginHttpRequestPart.Url => "url_not_allowed",
            PluginHttpRequestPart.Headers => "invalid_headers",
            PluginHttpRequestPart.Body => "request_too_large",
            _ => "invalid_request",
        },
        PluginHttpErrors.NetworkError => "http_error",
        _ => result.ErrorCode!,
    };

    // A body that is UTF-8 arrives as text; any other as base64 with "bodyEncoding": "base64".
    private static HttpResponseData ResponseData(HostHttpResponse response, ReadOnlySpan<byte> bytes)
    {
        bool text = System.Text.Unicode.Utf8.IsValid(bytes);
        return new HttpResponseData(
            response.Status,
            response.Headers ?? new Dictionary<string, string>(StringComparer.Ordinal),
            text ? Encoding.UTF8.GetString(bytes) : Convert.ToBase64String(bytes),
            text ? null : "base64");
    }

    private HostResult<T> RunSql<T>(GuestContext guest, string action, string sql, JsonNode? parameters, Func<PluginDatabase, string, JsonElement?, TableGrants, PluginDbLimits, CancellationToken, (T Data, string Outcome)> run)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(guest);
        ArgumentNullException.ThrowIfNull(sql);
        if (_manifest.Database.Count == 0)
        {
            return Deny<T>(guest, action, sql, "capability_denied", $"{_manifest.Name}.manifest declares no [capabilities] database permissions, so the plugin may not use the database.");
        }

        if (_options.Database is not { } database)
        {
            return Deny<T>(guest, action, sql, "unavailable", "the host has no database for plugins.");
        }

        JsonElement? values = parameters is null ? null : JsonSerializer.SerializeToElement(parameters, LesstructJsonContext.Default.JsonNode);
        PluginDbLimits limits = _options.DatabaseLimits with { Timeout = _options.DatabaseLimits.Timeout < guest.RemainingTime ? _options.DatabaseLimits.Timeout : guest.RemainingTime };
        try
        {
            (T data, string outcome) = run(database, sql, values, _grants, limits, guest.CancellationToken);
            Audit(guest, action, sql, allowed: true, outcome);
            return HostResult<T>.Success(data);
        }
        catch (PluginDatabaseException exception)
        {
            bool denied = exception.Code is "table_not_allowed" or "statement_not_allowed" or "not_a_read" or "not_a_write";
            return Deny<T>(guest, action, sql, exception.Code, exception.Message, allowed: !denied);
        }
    }

    // A failed call: audited (as denied, or as allowed-but-failed), answered with {"ok":false,...}.
    private HostResult<T> Deny<T>(GuestContext guest, string action, string target, string code, string message, bool allowed = false)
        where T : class
    {
        if (!allowed)
        {
            Diagnostics.AirlockInstruments.Of(guest).Denied(guest.Plugin.Id, action.Contains("db_", StringComparison.Ordinal) ? "db" : "http");
        }

        Audit(guest, action, target, allowed, code + ": " + message);
        return HostResult<T>.Failure(code, message);
    }

    // Every record goes through the audit log's bounded path for host calls; AuditEntry sanitises the text.
    private void Audit(GuestContext guest, string action, string target, bool allowed, string? detail)
    {
        _options.Audit?.RecordHostCall(new AuditEntry(
            _options.TimeProvider.GetUtcNow(),
            guest.Plugin.Id,
            guest.Plugin.Version,
            action,
            AuditTarget(action, target),
            allowed,
            detail));
    }

    // URLs are audited without their query (which often carries keys); SQL is cut short.
    private static string AuditTarget(string action, string target)
    {
        if (action.Contains("http", StringComparison.Ordinal) && Uri.TryCreate(target, UriKind.Absolute, out Uri? uri) && uri.Query.Length > 0)
        {
            target = uri.GetLeftPart(UriPartial.Path) + "?…";
        }

        return PluginText.Sanitize(target, MaxAuditTargetChars);
    }

}
