using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Airlock.Abi;
using Airlock.Auditing;
using Airlock.Contracts.Lesstruct;
using Airlock.Runtime;
using Microsoft.Extensions.Logging;

namespace Airlock.Lesstruct;

/// <summary>
/// The host functions of one Lesstruct plugin, checked against its manifest: HTTP only to URLs its
/// patterns allow (redirects included), SQL only on the tables it was granted (judged by SQLite's
/// authorizer), logging always. Every call is audited, allowed or denied.
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
        => Send(guest, "lesstruct.http_get", HttpMethod.Get, url, headers, ReadOnlySpan<byte>.Empty);

    /// <inheritdoc/>
    public HostResult<HttpResponseData> HttpPost(GuestContext guest, string url, Dictionary<string, string>? headers, ReadOnlySpan<byte> body)
        => Send(guest, "lesstruct.http_post", HttpMethod.Post, url, headers, body);

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

    private HostResult<HttpResponseData> Send(GuestContext guest, string action, HttpMethod method, string url, Dictionary<string, string>? headers, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(guest);
        if (_manifest.Http.IsEmpty)
        {
            return Deny<HttpResponseData>(guest, action, url, "capability_denied", $"{_manifest.Name}.manifest declares no [capabilities] http patterns, so the plugin may not make HTTP requests.");
        }

        UrlMatch match = _manifest.Http.Match(url);
        if (!match.IsAllowed)
        {
            return Deny<HttpResponseData>(guest, action, url, "url_not_allowed", match.Reason!);
        }

        if (HeaderProblem(headers) is { } problem)
        {
            return Deny<HttpResponseData>(guest, action, url, "invalid_headers", problem);
        }

        TimeSpan timeout = _options.HttpTimeout < guest.RemainingTime ? _options.HttpTimeout : guest.RemainingTime;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(guest.CancellationToken);
        deadline.CancelAfter(timeout);
        byte[]? content = method == HttpMethod.Post ? body.ToArray() : null;
        Uri current = match.Url!;
        try
        {
            for (int redirects = 0; ; redirects++)
            {
                using var request = new HttpRequestMessage(method, current);
                foreach (KeyValuePair<string, string> header in headers ?? [])
                {
                    if (!request.Headers.TryAddWithoutValidation(header.Key, header.Value))
                    {
                        request.Content ??= new ByteArrayContent(content ?? []);
                        request.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
                    }
                }

                if (content is not null)
                {
                    request.Content ??= new ByteArrayContent(content);
                }

                using HttpResponseMessage response = _options.HttpClient.Send(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
                if (IsRedirect(response.StatusCode) && response.Headers.Location is { } location)
                {
                    if (redirects >= _options.MaxRedirects)
                    {
                        return Deny<HttpResponseData>(guest, action, url, "too_many_redirects", $"the request was redirected more than {_options.MaxRedirects} times.");
                    }

                    UrlMatch next = _manifest.Http.MatchRedirect(current, location);
                    if (!next.IsAllowed)
                    {
                        return Deny<HttpResponseData>(guest, action, url, "redirect_not_allowed", $"{current} redirected to {location}, which the manifest does not allow: {next.Reason}");
                    }

                    current = next.Url!;
                    if (response.StatusCode is HttpStatusCode.SeeOther || (method == HttpMethod.Post && response.StatusCode is HttpStatusCode.Moved or HttpStatusCode.Found))
                    {
                        method = HttpMethod.Get;
                        content = null;
                    }

                    continue;
                }

                return Complete(guest, action, url, response, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!guest.CancellationToken.IsCancellationRequested)
        {
            return Deny<HttpResponseData>(guest, action, url, "timeout", $"no response within {timeout.TotalMilliseconds:0} ms.", allowed: true);
        }
        catch (HttpRequestException exception)
        {
            return Deny<HttpResponseData>(guest, action, url, "http_error", exception.Message, allowed: true);
        }
    }

    private HostResult<HttpResponseData> Complete(GuestContext guest, string action, string url, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        int limit = _options.MaxResponseBytes;
        if (response.Content.Headers.ContentLength is long declared && declared > limit)
        {
            return Deny<HttpResponseData>(guest, action, url, "response_too_large", $"the response is {declared:N0} bytes; plugins receive at most {limit:N0}.", allowed: true);
        }

        using Stream stream = response.Content.ReadAsStream(cancellationToken);
        byte[] buffer = new byte[Math.Min(limit + 1, 64 * 1024)];
        using var body = new MemoryStream();
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            body.Write(buffer, 0, read);
            if (body.Length > limit)
            {
                return Deny<HttpResponseData>(guest, action, url, "response_too_large", $"the response is over {limit:N0} bytes, the most plugins receive.", allowed: true);
            }
        }

        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, IEnumerable<string>> header in response.Headers.Concat(response.Content.Headers))
        {
            headers[header.Key.ToLowerInvariant()] = string.Join(", ", header.Value);
        }

        byte[] bytes = body.ToArray();
        bool text = System.Text.Unicode.Utf8.IsValid(bytes);
        var data = new HttpResponseData(
            (int)response.StatusCode,
            headers,
            text ? Encoding.UTF8.GetString(bytes) : Convert.ToBase64String(bytes),
            text ? null : "base64");
        Audit(guest, action, url, allowed: true, $"{(int)response.StatusCode}, {bytes.Length} bytes");
        return HostResult<HttpResponseData>.Success(data);
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

    private static string? HeaderProblem(Dictionary<string, string>? headers)
    {
        foreach (KeyValuePair<string, string> header in headers ?? [])
        {
            if (header.Key.Length == 0 || header.Key.Any(c => c <= ' ' || c >= 127 || c == ':'))
            {
                return $"header name \"{PluginText.Sanitize(header.Key, 40)}\" is not a valid HTTP token.";
            }

            if (header.Value.Any(c => c is '\r' or '\n' or '\0'))
            {
                return $"header \"{header.Key}\" has a line break or NUL in its value.";
            }

            if (ForbiddenHeaders.Contains(header.Key))
            {
                return $"header \"{header.Key}\" is set by the host and may not be given by a plugin.";
            }
        }

        return null;
    }

    private static readonly HashSet<string> ForbiddenHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Content-Length", "Transfer-Encoding", "Connection", "Upgrade", "Proxy-Authorization", "TE", "Trailer", "Keep-Alive",
    };

    private static bool IsRedirect(HttpStatusCode status)
        => status is HttpStatusCode.Moved or HttpStatusCode.Found or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;
}
