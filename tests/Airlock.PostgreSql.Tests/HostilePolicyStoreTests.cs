using System.Diagnostics;
using System.Text;
using Airlock.Auditing;
using Airlock.Contracts.SocialScale;
using Airlock.EndToEnd.Tests.Security;
using Airlock.Security;
using Airlock.Services;
using Airlock.SocialScale;
using Chirp.Sandbox;
using Npgsql;

namespace Airlock.PostgreSql.Tests;

/// <summary>
/// The hostile suite's key-value and rate-limit attacks against the shared PostgreSQL stores (the suite itself runs
/// on SQLite and cannot depend on PostgreSQL): the hostile suite's WAT probe, a real plugin, calls the production
/// SocialScale host functions with keys, values and floods of its choosing. Each case checks the typed outcome, that a
/// bystander plugin still serves and that nothing acknowledged was lost.
/// </summary>
[Collection("postgres")]
public sealed class HostilePolicyStoreTests(PostgresFixture fixture)
{
    private static readonly PluginPermissions Everything = new() { NetworkDomains = ["api.chirp.example"], StorageAccess = true };

    // SQL and LIKE metacharacters, quoting, dollar parameters, comments, backslashes and non-ASCII: data, never SQL.
    private static readonly string[] MetaKeys =
    [
        "'; DROP TABLE plugin_kv; --",
        "' OR '1'='1",
        "%",
        "_",
        "\\",
        "$1",
        "E'\\x00'",
        "\"quoted\".\"ident\"",
        "/* comment */ key",
        "💥 ключ \u2028 line separator",
    ];

    [PostgresFact]
    public async Task Plugin_chosen_keys_and_values_with_sql_metacharacters_nul_bytes_and_huge_sizes_stay_data()
    {
        string schema = PostgresFixture.NewSchema();
        await using FakeChirpApi chirp = await FakeChirpApi.StartAsync();
        await using var instance = new Instance(fixture.Server.ConnectionString, schema, chirp.BaseAddress, new KeyValueLimits { MaxKeyBytes = 256, MaxValueBytes = 64 * 1024 });
        IHostileProbe bystander = await instance.LoadAsync("bystander");
        bystander.Invoke(HostileAction.StoreSet, Bytes("acknowledged"), Bytes("written before the hostile calls"));
        IHostileProbe hostile = await instance.LoadAsync("hostile.kv");

        // Every metacharacter key round-trips exactly, values with NUL and every other byte value included.
        foreach (string key in MetaKeys)
        {
            byte[] value = [.. Bytes(key), 0, 0, 1, 0xFF, (byte)'\'', 0];
            hostile.Invoke(HostileAction.StoreSet, Bytes(key), value);
            Assert.True(hostile.Invoke(HostileAction.StoreGet, Bytes(key), []) > 0, "host_store_get did not find " + key);
            Assert.Equal(value, instance.Store.Get("hostile.kv", key));
        }

        Assert.Equal(MetaKeys.Order(StringComparer.Ordinal), instance.Store.Keys("hostile.kv"));

        // A value of exactly the limit, every byte value 0-255, is stored; one past the limit is refused and the
        // stored value is unchanged; so is a key with a NUL byte and one past the key limit.
        byte[] full = [.. Enumerable.Range(0, 64 * 1024).Select(i => (byte)i)];
        hostile.Invoke(HostileAction.StoreSet, Bytes("full"), full);
        Assert.Equal(full, instance.Store.Get("hostile.kv", "full"));
        HostFunctionException tooLarge = Assert.Throws<HostFunctionException>(() => hostile.Invoke(HostileAction.StoreSet, Bytes("full"), new byte[100_000]));
        Assert.Contains("value_too_large", tooLarge.Message, StringComparison.Ordinal);
        Assert.Equal(full, instance.Store.Get("hostile.kv", "full"));
        HostFunctionException nul = Assert.Throws<HostFunctionException>(() => hostile.Invoke(HostileAction.StoreSet, Bytes("a\0b"), Bytes("v")));
        Assert.Contains("U+0000", nul.Message, StringComparison.Ordinal);
        Assert.Equal((long)HostCallStatus.InvalidArgument, hostile.Invoke(HostileAction.StoreGet, Bytes("a\0b"), []));
        Assert.Throws<HostFunctionException>(() => hostile.Invoke(HostileAction.StoreSet, Bytes(new string('k', 257)), Bytes("v")));
        Assert.Equal(MetaKeys.Append("full").Order(StringComparer.Ordinal), instance.Store.Keys("hostile.kv"));

        // The refusals are audited with the NUL made visible, never written raw.
        instance.Audit.Flush();
        IReadOnlyList<AuditEntry> trail = instance.Audit.Query("hostile.kv");
        Assert.Contains(trail, e => e.Action == "storage.host_store_set" && !e.Allowed && e.Detail!.Contains("value_too_large", StringComparison.Ordinal));
        Assert.Contains(trail, e => e.Action == "storage.host_store_set" && !e.Allowed && !e.Target.Contains('\0', StringComparison.Ordinal));

        // The bystander still serves, its acknowledged value intact; the table was never dropped.
        Assert.True(bystander.Invoke(HostileAction.StoreGet, Bytes("acknowledged"), []) > 0);
        Assert.Equal(Bytes("written before the hostile calls"), instance.Store.Get("bystander", "acknowledged"));
        Assert.Equal(["acknowledged"], instance.Store.Keys("bystander"));
        Assert.Equal(MetaKeys.Length + 2L, await CountAsync($"SELECT COUNT(*) FROM \"{schema}\".plugin_kv"));
    }

    [PostgresFact]
    public async Task Namespaces_with_sql_metacharacters_or_a_nul_byte_are_data_or_refused_and_break_nothing()
    {
        string schema = PostgresFixture.NewSchema();
        await using FakeChirpApi chirp = await FakeChirpApi.StartAsync();
        await using var instance = new Instance(fixture.Server.ConnectionString, schema, chirp.BaseAddress, new KeyValueLimits());
        instance.Store.Set("bystander", "acknowledged", Bytes("kept"));
        foreach (string ns in MetaKeys)
        {
            instance.Store.Set(ns, "k", Bytes(ns));
        }

        // LIKE wildcards and quotes select only their own namespace.
        foreach (string ns in MetaKeys)
        {
            Assert.Equal(["k"], instance.Store.Keys(ns));
            Assert.Equal(Bytes(ns), instance.Store.Get(ns, "k"));
        }

        // A NUL character cannot be stored in PostgreSQL text (manifest ids cannot hold one; an application could pass
        // one): refused before the database is asked, saying why, not reported as an unreachable database, and the
        // next calls of everyone else are served.
        foreach (Action call in new Action[] { () => instance.Store.Set("a\0b", "k", Bytes("v")), () => instance.Store.Get("a\0b", "k"), () => instance.Limiter.TryAcquire("a\0b") })
        {
            ArgumentException refused = Assert.Throws<ArgumentException>(call);
            Assert.Contains("U+0000", refused.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\0', refused.Message);
        }

        Assert.Equal(Bytes("kept"), instance.Store.Get("bystander", "acknowledged"));
        Assert.True(instance.Limiter.TryAcquire("bystander").Allowed);

        // A value PostgreSQL refuses as data (SQLSTATE class 22) is not taken for an unreachable database.
        Assert.False(PostgreSqlPolicyDatabase.IsUnavailable(new PostgresException("invalid byte sequence", "ERROR", "ERROR", "22021")));
        Assert.True(PostgreSqlPolicyDatabase.IsUnavailable(new PostgresException("terminating connection due to administrator command", "FATAL", "FATAL", "57P01")));
    }

    [PostgresFact]
    public async Task A_plugin_hammering_the_rate_limiter_from_two_instances_gets_exactly_its_limit()
    {
        const int Limit = 100;
        const int PerInstance = 150;
        string schema = PostgresFixture.NewSchema();
        await using FakeChirpApi chirp = await FakeChirpApi.StartAsync();
        await using var a = new Instance(fixture.Server.ConnectionString, schema, chirp.BaseAddress, new KeyValueLimits());
        await using var b = new Instance(fixture.Server.ConnectionString, schema, chirp.BaseAddress, new KeyValueLimits());
        a.Limiter.SetLimit("hammer", Limit, TimeSpan.FromHours(1));
        b.Limiter.SetLimit("hammer", Limit, TimeSpan.FromHours(1));
        b.Limiter.SetLimit("calm", 10, TimeSpan.FromHours(1));
        IHostileProbe hammerA = await a.LoadAsync("hammer");
        IHostileProbe hammerB = await b.LoadAsync("hammer");
        IHostileProbe calm = await b.LoadAsync("calm");
        byte[] request = Bytes("""{"method":"POST","url":"https://api.chirp.example/v1/posts","body":"{\"text\":\"flood\"}"}""");

        // Both instances' copies flood host_http_request at once; each ends on RateLimited.
        var elapsed = Stopwatch.StartNew();
        long[] last = await Task.WhenAll(
            Task.Run(() => hammerA.Invoke(HostileAction.Repeat + HostileAction.Http, new byte[PerInstance], request)),
            Task.Run(() => hammerB.Invoke(HostileAction.Repeat + HostileAction.Http, new byte[PerInstance], request)));
        elapsed.Stop();
        Assert.Equal([(long)HostCallStatus.RateLimited, (long)HostCallStatus.RateLimited], last);
        Assert.Equal(Limit, chirp.Requests.Count(r => r.PathAndQuery == "/v1/posts"));

        // The bystander on the same instances still gets its own requests through.
        Assert.True(calm.Invoke(HostileAction.Http, request, []) > 0, "the bystander's request was refused");
        Assert.Equal(Limit + 1, chirp.Requests.Count(r => r.PathAndQuery == "/v1/posts"));

        // Every refusal was committed to the shared trail before the guest saw it.
        a.Audit.Flush();
        b.Audit.Flush();
        IReadOnlyList<AuditEntry> trail = a.Audit.Query("hammer");
        Assert.Equal(2 * PerInstance - Limit, trail.Count(e => e.Action == "network.host_http_request" && !e.Allowed && e.Detail!.StartsWith("rate_limit_exceeded", StringComparison.Ordinal)));
        Assert.Equal(Limit, trail.Where(e => e.Allowed && (e.Action == "network.host_http_request" || (e.Action == AuditSuppressed && e.Target == "network.host_http_request"))).Sum(e => e.Count));
        Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(60), $"the flood took {elapsed.Elapsed}");
    }

    private const string AuditSuppressed = "audit.suppressed";

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private async Task<long> CountAsync(string sql)
    {
        // Not pooled: an idle pooled connection would have died when another test killed the server.
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(fixture.Server.ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand(sql, connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    /// <summary>One application instance: its own connection pool to the shared schema, the production SocialScale services on it, a host.</summary>
    private sealed class Instance : IAsyncDisposable
    {
        private readonly PostgreSqlPolicyDatabase _database;
        private readonly SocialScaleServices _services;
        private readonly PluginHost _host = new();
        private readonly List<IHostileProbe> _loaded = [];

        public Instance(string connectionString, string schema, Uri chirp, KeyValueLimits limits)
        {
            _database = new PostgreSqlPolicyDatabase(new PostgreSqlStoreOptions { ConnectionString = connectionString, Schema = schema });
            Store = new PostgreSqlKeyValueStore(_database, limits);
            Limiter = new PostgreSqlRateLimiter(_database);
            Audit = new PostgreSqlAuditLog(_database, new AuditLogOptions());
            var http = new PluginHttpOptions();
            http.Upstreams["api.chirp.example"] = chirp;
            _services = new SocialScaleServices(new PluginHttpClient(http), Limiter, new LogRateLimiter()) { KeyValueStore = Store, Audit = Audit };
        }

        public PostgreSqlKeyValueStore Store { get; }

        public PostgreSqlRateLimiter Limiter { get; }

        public PostgreSqlAuditLog Audit { get; }

        public async Task<IHostileProbe> LoadAsync(string id)
        {
            var functions = new SocialScaleHostServices(id, "1.0.0", Everything, _services);
            var options = new PluginLoadOptions { HostResults = HostResultEncoding.StatusCodes, Limits = PluginLimits.Default with { Timeout = TimeSpan.FromSeconds(60) } }
                .AddImports<ISocialScaleHost>(functions);
            IHostileProbe probe = await _host.LoadModuleAsync<IHostileProbe>(id, HostileProbeModule.Compile(), options);
            _loaded.Add(probe);
            return probe;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (IHostileProbe probe in _loaded)
            {
                await probe.DisposeAsync();
            }

            await _host.DisposeAsync();
            _services.Http.Dispose();
            Audit.Dispose();
            _database.Dispose();
        }
    }
}
