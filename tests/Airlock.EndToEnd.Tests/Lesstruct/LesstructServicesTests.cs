using System.Text;
using System.Text.Json.Nodes;
using Airlock.Abi;
using Airlock.Auditing;
using Airlock.Contracts.Lesstruct;
using Airlock.Lesstruct;
using Airlock.Services;
using Microsoft.Extensions.Logging;

namespace Airlock.EndToEnd.Tests.Lesstruct;

/// <summary>
/// The Lesstruct host functions against a real loopback server and a real SQLite database: the
/// manifest's URL patterns decide every request and redirect, caps and timeouts hold, table grants
/// are enforced, and every call is audited.
/// </summary>
public sealed class LesstructServicesTests : IAsyncLifetime
{
    private readonly List<PluginHttpClient> _clients = [];
    private LesstructWorkspace _workspace = null!;

    private TestWebServer Server => _workspace.Server;

    private SqliteAuditLog Audit => _workspace.Audit;

    public async Task InitializeAsync() => _workspace = await LesstructWorkspace.CreateAsync();

    public async Task DisposeAsync()
    {
        _clients.ForEach(client => client.Dispose());
        await _workspace.DisposeAsync();
    }

    [Fact]
    public void An_allowed_get_reaches_the_server_and_is_audited()
    {
        LesstructHostServices services = Services();
        HostResult<HttpResponseData> result = services.HttpGet(Guest(), Server.Url("/api/data?key=secret"), new Dictionary<string, string> { ["X-Plugin"] = "enrich" });
        Assert.True(result.Ok, result.Error?.Message);
        Assert.Equal(200, result.Data!.Status);
        Assert.Equal("data for enrich", result.Data.Body);
        Assert.Equal("text/plain", result.Data.Headers["content-type"]);

        AuditEntry entry = Assert.Single(Audit.Query("enrich"));
        Assert.True(entry.Allowed);
        Assert.Equal("lesstruct.http_get", entry.Action);
        Assert.Equal("1.0.0", entry.PluginVersion);
        Assert.Equal(Server.Url("/api/data") + "?…", entry.Target);
        Assert.Equal("200, 15 bytes", entry.Detail);
    }

    [Theory]
    [InlineData("http://127.0.0.1.evil.example/api/data")]
    [InlineData("http://127.0.0.1@evil.example/api/data")]
    [InlineData("https://127.0.0.1:{port}/api/data")]
    [InlineData("http://127.0.0.1:1/api/data")]
    [InlineData("http://127.0.0.1:{port}/private")]
    [InlineData("http://127.0.0.1:{port}/api/../private")]
    [InlineData("http://127.0.0.1:{port}/api/..%2fprivate")]
    [InlineData("ftp://127.0.0.1:{port}/api/data")]
    public void A_url_outside_the_patterns_is_denied_before_any_request(string url)
    {
        url = url.Replace("{port}", Server.BaseAddress.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        HostResult<HttpResponseData> result = Services().HttpGet(Guest(), url, null);
        Assert.False(result.Ok);
        Assert.Equal("url_not_allowed", result.Error!.Code);
        Assert.Empty(Server.Requests);
        AuditEntry entry = Assert.Single(Audit.Query());
        Assert.False(entry.Allowed);
        Assert.StartsWith("url_not_allowed: ", entry.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_an_http_capability_every_request_is_denied()
    {
        HostResult<HttpResponseData> result = Services(http: null).HttpGet(Guest(), Server.Url("/api/data"), null);
        Assert.Equal("capability_denied", result.Error!.Code);
        Assert.Contains("declares no [capabilities] http patterns", result.Error.Message, StringComparison.Ordinal);
        Assert.Empty(Server.Requests);
    }

    [Fact]
    public void A_redirect_within_the_patterns_is_followed()
    {
        HostResult<HttpResponseData> result = Services().HttpGet(Guest(), Server.Url("/api/redirect-inside"), null);
        Assert.Equal("data for ", result.Data!.Body);
        Assert.Equal(["GET /api/redirect-inside", "GET /api/data"], Server.Requests);
    }

    [Fact]
    public void A_redirect_outside_the_patterns_is_not_followed()
    {
        HostResult<HttpResponseData> result = Services().HttpGet(Guest(), Server.Url("/api/redirect-outside"), null);
        Assert.Equal("redirect_not_allowed", result.Error!.Code);
        Assert.Contains("/private", result.Error.Message, StringComparison.Ordinal);
        Assert.Equal(["GET /api/redirect-outside"], Server.Requests);
        Assert.False(Assert.Single(Audit.Query()).Allowed);
    }

    [Fact]
    public void A_redirect_loop_stops_at_the_redirect_limit()
    {
        HostResult<HttpResponseData> result = Services().HttpGet(Guest(), Server.Url("/api/redirect-loop"), null);
        Assert.Equal("too_many_redirects", result.Error!.Code);
        Assert.Equal(6, Server.Requests.Count);
    }

    [Fact]
    public void A_post_redirected_with_see_other_continues_as_a_get()
    {
        HostResult<HttpResponseData> result = Services().HttpPost(Guest(), Server.Url("/api/see-other"), null, "payload"u8);
        Assert.Equal("data for ", result.Data!.Body);
        Assert.Equal(["POST /api/see-other", "GET /api/data"], Server.Requests);
    }

    [Fact]
    public void A_post_sends_its_body()
    {
        HostResult<HttpResponseData> result = Services().HttpPost(Guest(), Server.Url("/api/echo"), new Dictionary<string, string> { ["Content-Type"] = "text/plain" }, "hello"u8);
        Assert.Equal("echo hello", result.Data!.Body);
    }

    [Fact]
    public void A_body_over_one_mebibyte_is_refused()
    {
        HostResult<HttpResponseData> result = Services().HttpGet(Guest(), Server.Url("/api/big"), null);
        Assert.Equal("response_too_large", result.Error!.Code);
        Assert.True(Assert.Single(Audit.Query()).Allowed);
    }

    [Fact]
    public void A_binary_body_arrives_as_base64()
    {
        HostResult<HttpResponseData> result = Services().HttpGet(Guest(), Server.Url("/api/binary"), null);
        Assert.Equal("base64", result.Data!.BodyEncoding);
        Assert.Equal(new byte[] { 0xff, 0xfe, 0x00, 0x41 }, Convert.FromBase64String(result.Data.Body));
    }

    [Theory]
    [InlineData(10_000, 250)]
    [InlineData(250, 10_000)]
    public void A_slow_server_times_out_at_the_request_timeout_or_the_call_deadline(int httpTimeoutMs, int remainingMs)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        LesstructHostServices services = Services(httpTimeout: TimeSpan.FromMilliseconds(httpTimeoutMs));
        if (remainingMs < httpTimeoutMs)
        {
            // The call's own deadline ends the exchange: the call is over (and the request on record).
            Assert.Throws<PluginTimeoutException>(() => services.HttpGet(Guest(TimeSpan.FromMilliseconds(remainingMs)), Server.Url("/api/slow"), null));
            Assert.StartsWith("timeout: ", Assert.Single(Audit.Query("enrich")).Detail, StringComparison.Ordinal);
        }
        else
        {
            // The per-request limit ends it: the hook gets the timeout answer and goes on.
            HostResult<HttpResponseData> result = services.HttpGet(Guest(TimeSpan.FromMilliseconds(remainingMs)), Server.Url("/api/slow"), null);
            Assert.Equal("timeout", result.Error!.Code);
        }

        Assert.True(started.Elapsed < TimeSpan.FromSeconds(4), $"took {started.Elapsed}");
    }

    [Fact]
    public void A_body_that_stalls_after_the_headers_ends_the_call_at_its_deadline_and_is_audited()
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        // A deadline long enough for the headers to arrive on a loaded machine, so that it is the body that stalls.
        // The deadline cuts the exchange short, so the call ends as timed out (the request stays on record).
        Assert.Throws<PluginTimeoutException>(() => Services().HttpGet(Guest(TimeSpan.FromMilliseconds(1500)), Server.Url("/api/stall"), null));
        started.Stop();
        Assert.InRange(started.ElapsedMilliseconds, 1450, 1500 + SlackMs);
        AuditEntry entry = Assert.Single(Audit.Query("enrich"));
        Assert.True(entry.Allowed);
        Assert.StartsWith("timeout: ", entry.Detail, StringComparison.Ordinal);
        Assert.Contains("response was not complete", entry.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_body_that_stalls_ends_at_the_request_timeout_when_that_is_sooner()
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        HostResult<HttpResponseData> result = Services(httpTimeout: TimeSpan.FromMilliseconds(300)).HttpGet(Guest(), Server.Url("/api/stall"), null);
        Assert.Equal("timeout", result.Error!.Code);
        Assert.InRange(started.ElapsedMilliseconds, 250, 300 + SlackMs);
    }

    [Fact]
    public void Cancelling_the_call_during_a_stalled_body_throws_promptly_and_is_audited()
    {
        using var cancel = new TimedCancellation(TimeSpan.FromMilliseconds(300));
        var started = System.Diagnostics.Stopwatch.StartNew();
        Assert.ThrowsAny<OperationCanceledException>(() => Services().HttpGet(Guest(cancellationToken: cancel.Token), Server.Url("/api/stall"), null));
        Assert.InRange(started.ElapsedMilliseconds, 250, 300 + SlackMs);
        AuditEntry entry = Assert.Single(Audit.Query("enrich"));
        Assert.StartsWith("cancelled: ", entry.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_body_cut_short_is_an_http_error_result_and_audited()
    {
        HostResult<HttpResponseData> result = Services().HttpGet(Guest(), Server.Url("/api/truncated"), null);
        Assert.False(result.Ok);
        Assert.Equal("http_error", result.Error!.Code);
        AuditEntry entry = Assert.Single(Audit.Query("enrich"));
        Assert.True(entry.Allowed);
        Assert.StartsWith("http_error: ", entry.Detail, StringComparison.Ordinal);

        // The executor and the server serve the next request.
        Assert.True(Services().HttpGet(Guest(), Server.Url("/api/data"), null).Ok);
    }

    [Theory]
    [InlineData("http://127.0.0.1:{port}/api/*", "loopback")]
    [InlineData("http://169.254.169.254/latest/*", "link-local")]
    [InlineData("http://10.0.0.1:{port}/api/*", "private")]
    public void A_pattern_naming_a_non_public_address_is_refused_at_connect_unless_the_administrator_allows_it(string pattern, string kind)
    {
        string port = Server.BaseAddress.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        pattern = pattern.Replace("{port}", port, StringComparison.Ordinal);
        string url = pattern.Replace("*", "data", StringComparison.Ordinal);
        using var client = new PluginHttpClient();
        HostResult<HttpResponseData> result = Services(http: pattern, client: client).HttpGet(Guest(), url, null);
        Assert.Equal("address_not_allowed", result.Error!.Code);
        Assert.Contains(kind, result.Error.Message, StringComparison.Ordinal);
        Assert.Contains("PrivateNetworkExceptions", result.Error.Message, StringComparison.Ordinal);
        Assert.Empty(Server.Requests);
        Assert.False(Assert.Single(Audit.Query("enrich")).Allowed);
    }

    [Theory]
    [InlineData("Host", "evil.example", "set by the host")]
    [InlineData("X-Injected", "a\r\nX-Other: b", "line break")]
    [InlineData("Bad Name", "x", "not a valid HTTP token")]
    public void Headers_a_plugin_may_not_send_are_refused(string name, string value, string problem)
    {
        HostResult<HttpResponseData> result = Services().HttpGet(Guest(), Server.Url("/api/data"), new Dictionary<string, string> { [name] = value });
        Assert.Equal("invalid_headers", result.Error!.Code);
        Assert.Contains(problem, result.Error.Message, StringComparison.Ordinal);
        Assert.Empty(Server.Requests);
    }

    [Fact]
    public void Queries_run_on_granted_tables_and_are_audited()
    {
        HostResult<DbQueryData> result = Services().DbQuery(Guest(), "SELECT COUNT(*) AS n FROM content_items WHERE user_id = ?", new JsonArray(42));
        Assert.True(result.Ok, result.Error?.Message);
        Assert.Equal(2, (long)result.Data!.Rows[0]["n"]!);
        AuditEntry entry = Assert.Single(Audit.Query());
        Assert.Equal("lesstruct.db_query", entry.Action);
        Assert.Equal("1 rows", entry.Detail);
    }

    [Theory]
    [InlineData("SELECT email FROM users", "table_not_allowed")]
    [InlineData("WITH k AS (SELECT * FROM api_keys) SELECT * FROM k", "table_not_allowed")]
    [InlineData("SELECT * FROM /* content_items */ comments", "table_not_allowed")]
    [InlineData("DELETE FROM content_items", "not_a_read")]
    public void Queries_beyond_the_grants_are_denied_and_audited(string sql, string code)
    {
        HostResult<DbQueryData> result = Services().DbQuery(Guest(), sql, null);
        Assert.Equal(code, result.Error!.Code);
        AuditEntry entry = Assert.Single(Audit.Query());
        Assert.False(entry.Allowed);
        Assert.Equal(sql, entry.Target);
    }

    [Fact]
    public void Writes_need_a_write_grant()
    {
        HostResult<DbExecData> denied = Services().DbExec(Guest(), "UPDATE content_items SET title = 'x'", null);
        Assert.Equal("table_not_allowed", denied.Error!.Code);

        HostResult<DbExecData> allowed = Services(database: ["read:content", "write:media"]).DbExec(
            Guest(), "INSERT INTO media_files (user_id, file_name, mime_type, url) VALUES (:user, 'a.png', 'image/png', '/a.png')", new JsonObject { ["user"] = 42 });
        Assert.True(allowed.Ok, allowed.Error?.Message);
        Assert.Equal(1, allowed.Data!.RowsAffected);
        Assert.True(allowed.Data.LastInsertId > 0);
    }

    [Fact]
    public void Without_database_permissions_sql_is_denied()
    {
        HostResult<DbQueryData> result = Services(database: []).DbQuery(Guest(), "SELECT 1", null);
        Assert.Equal("capability_denied", result.Error!.Code);
    }

    [Fact]
    public void Log_lines_are_logged_sanitised_and_are_not_audited()
    {
        var logs = new Airlock.Host.Tests.CapturingLoggerProvider();
        using ILoggerFactory factory = LoggerFactory.Create(builder => builder.AddProvider(logs));
        LesstructHostServices services = Services(logs: factory);
        services.LogError(Guest(), "line one\nforged: line two\u2028forged: line three \u202Eevil\u2066");
        Assert.Contains(logs.Messages, m => m.Contains("line one forged: line two forged: line three \uFFFDevil\uFFFD", StringComparison.Ordinal));
        Assert.Empty(Audit.Query());
    }

    [Fact]
    public void Log_lines_share_the_per_plugin_rate_limit_and_report_what_was_suppressed()
    {
        var logs = new Airlock.Host.Tests.CapturingLoggerProvider();
        using ILoggerFactory factory = LoggerFactory.Create(builder => builder.AddProvider(logs));
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        LesstructHostServices services = Services(logs: factory, logLimiter: new Airlock.Services.LogRateLimiter(new Airlock.Services.LogRateLimiterOptions { LinesPerSecond = 1, Burst = 5 }, time));
        for (int i = 0; i < 1000; i++)
        {
            services.LogInfo(Guest(), "line " + i);
        }

        Assert.Equal(5, logs.Messages.Count);
        time.Advance(TimeSpan.FromSeconds(1));
        services.LogError(Guest(), "back");
        Assert.Contains(logs.Messages, m => m.Contains("Plugin enrich logged too fast: 995 lines were suppressed", StringComparison.Ordinal));
        Assert.Contains(logs.Messages, m => m.EndsWith("): back", StringComparison.Ordinal));

        // No record per line: the dropped lines are counted, aggregated into one allowed log.suppressed record.
        AuditEntry dropped = Assert.Single(Audit.Query("enrich"));
        Assert.Equal("log.suppressed", dropped.Action);
        Assert.Equal(995, dropped.Count);
        Assert.Equal("lesstruct.log_info", dropped.Target);
    }

    // How late past its bound a request may end: the slack docs/security.md documents.
    private static readonly int SlackMs = (int)Airlock.EndToEnd.Tests.Security.WasiHostileCases.DeadlineSlack.TotalMilliseconds;

    private LesstructHostServices Services(string? http = "/api/*", string[]? database = null, TimeSpan? httpTimeout = null, ILoggerFactory? logs = null, PluginHttpClient? client = null, Airlock.Services.LogRateLimiter? logLimiter = null)
    {
        var manifest = new StringBuilder("name = \"enrich\"\nversion = \"1.0.0\"\n[capabilities]\n");
        if (http is not null)
        {
            manifest.Append("http = [\"").Append(http.StartsWith("http", StringComparison.Ordinal) ? http : Server.Url(http)).Append("\"]\n");
        }

        if (client is null)
        {
            // The loopback server is not public: the administrator's exception lets plugins reach exactly its address.
            var httpOptions = new PluginHttpOptions { MaxTimeout = httpTimeout ?? TimeSpan.FromSeconds(10), PrivateNetworkExceptions = { "127.0.0.1" } };
            client = new PluginHttpClient(httpOptions);
            _clients.Add(client);
        }

        manifest.Append("database = [").Append(string.Join(", ", (database ?? ["read:content"]).Select(p => "\"" + p + "\""))).Append("]\n");
        var options = new LesstructServicesOptions
        {
            Database = _workspace.Database,
            Audit = Audit,
            Http = client,
        };
        if (logs is not null)
        {
            options.LoggerFactory = logs;
        }

        if (logLimiter is not null)
        {
            options.LogLimiter = logLimiter;
        }

        return new LesstructHostServices(LesstructManifest.Parse(manifest.ToString(), Path.Combine(_workspace.Directory, "enrich.manifest")), options);
    }

    private static TestGuest Guest(TimeSpan? remaining = null, CancellationToken cancellationToken = default) => new(remaining ?? TimeSpan.FromSeconds(30), cancellationToken);

    /// <summary>A calling instance without a store: the host functions need only its identity, deadline and token.</summary>
    private sealed class TestGuest(TimeSpan remaining, CancellationToken cancellationToken) : GuestContext(new WasmPluginInfo("enrich", "1.0.0", "ILesstructPlugin", "00", PluginLimits.Default))
    {
        private readonly long _started = System.Diagnostics.Stopwatch.GetTimestamp();

        public override string Export => "hook_before_save";

        public override CancellationToken CancellationToken => cancellationToken;

        public override TimeSpan RemainingTime
        {
            get
            {
                TimeSpan left = remaining - System.Diagnostics.Stopwatch.GetElapsedTime(_started);
                return left > TimeSpan.Zero ? left : TimeSpan.Zero;
            }
        }
    }
}
