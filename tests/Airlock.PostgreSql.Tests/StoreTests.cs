using Airlock.Auditing;
using Airlock.Security;
using Airlock.Services;
using Npgsql;

namespace Airlock.PostgreSql.Tests;

[Collection("postgres")]
public sealed class StoreTests(PostgresFixture fixture)
{
    private PostgreSqlPolicyDatabase Open(string schema, Action<PostgreSqlStoreOptions>? configure = null)
    {
        var options = new PostgreSqlStoreOptions { ConnectionString = fixture.Server.ConnectionString, Schema = schema };
        configure?.Invoke(options);
        return new PostgreSqlPolicyDatabase(options);
    }

    [PostgresFact]
    public async Task Instances_that_start_together_migrate_the_schema_once()
    {
        string schema = PostgresFixture.NewSchema();
        PostgreSqlPolicyDatabase[] databases = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Open(schema))));
        try
        {
            await using var connection = new NpgsqlConnection(fixture.Server.ConnectionString);
            await connection.OpenAsync();
            await using var versions = new NpgsqlCommand($"SELECT string_agg(version::text, ',') FROM \"{schema}\".schema_version", connection);
            Assert.Equal("1", await versions.ExecuteScalarAsync());
        }
        finally
        {
            foreach (PostgreSqlPolicyDatabase database in databases)
            {
                database.Dispose();
            }
        }
    }

    [PostgresFact]
    public async Task The_rate_limit_holds_across_instances_under_contention()
    {
        string schema = PostgresFixture.NewSchema();
        using PostgreSqlPolicyDatabase first = Open(schema);
        using PostgreSqlPolicyDatabase second = Open(schema);
        var limiters = new[] { new PostgreSqlRateLimiter(first), new PostgreSqlRateLimiter(second) };
        limiters[0].SetLimit("p", 37, TimeSpan.FromHours(1));
        int allowed = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(() =>
        {
            for (int i = 0; i < 10; i++)
            {
                if (limiters[worker % 2].TryAcquire("p").Allowed)
                {
                    Interlocked.Increment(ref allowed);
                }
            }
        })));
        Assert.Equal(37, allowed);
        RateLimitDecision refused = limiters[1].TryAcquire("p");
        Assert.False(refused.Allowed);
        Assert.Equal(37, refused.Limit);
        Assert.InRange(refused.RetryAfter!.Value, TimeSpan.FromMinutes(58), TimeSpan.FromHours(1));

        // Another plugin has its own window, at the default limit.
        RateLimitDecision other = limiters[1].TryAcquire("q");
        Assert.True(other.Allowed);
        Assert.Equal(1000, other.Limit);
        Assert.Equal(999, other.Remaining);
    }

    [PostgresFact]
    public async Task Permits_come_back_when_their_segment_leaves_the_window()
    {
        using PostgreSqlPolicyDatabase database = Open(PostgresFixture.NewSchema(), o => o.RateLimits = new PluginRateLimiterOptions { PermitLimit = 2, Window = TimeSpan.FromSeconds(2), SegmentsPerWindow = 2 });
        var limiter = new PostgreSqlRateLimiter(database);
        Assert.True(limiter.TryAcquire("p").Allowed);
        Assert.True(limiter.TryAcquire("p").Allowed);
        RateLimitDecision refused = limiter.TryAcquire("p");
        Assert.False(refused.Allowed);
        await Task.Delay(refused.RetryAfter!.Value + TimeSpan.FromMilliseconds(50));
        Assert.True(limiter.TryAcquire("p").Allowed);
    }

    [PostgresFact]
    public async Task A_revocation_through_one_instance_stops_the_other_within_a_second()
    {
        string schema = PostgresFixture.NewSchema();
        using PostgreSqlPolicyDatabase first = Open(schema);
        using PostgreSqlPolicyDatabase second = Open(schema);
        var approving = new PostgreSqlApprovalStore(first);
        var honouring = new PostgreSqlApprovalStore(second);
        await WaitUntil(() => first.Listening && second.Listening);
        var record = new ApprovalRecord("com.example.p", "1.0.0", "network_access", new string('a', 64), DateTimeOffset.UtcNow, "test");
        approving.Save(record);
        Assert.Equal(record.ApprovedBy, honouring.Find("com.example.p", "1.0.0", "network_access", new string('A', 64))?.ApprovedBy);
        Assert.True(honouring.IsInForce(record));
        Assert.True(honouring.IsInForce(record)); // now from memory

        Assert.Equal(1, approving.Revoke("com.example.p"));
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        await WaitUntil(() => !honouring.IsInForce(record));
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(1), $"the revocation took {stopwatch.Elapsed} to reach the other instance");
        Assert.Null(honouring.Latest("com.example.p"));
    }

    [PostgresFact]
    public async Task Key_value_quotas_hold_across_instances()
    {
        string schema = PostgresFixture.NewSchema();
        using PostgreSqlPolicyDatabase first = Open(schema);
        using PostgreSqlPolicyDatabase second = Open(schema);
        var limits = new KeyValueLimits { MaxKeysPerPlugin = 10 };
        var stores = new[] { new PostgreSqlKeyValueStore(first, limits), new PostgreSqlKeyValueStore(second, limits) };
        int written = 0;
        int refused = 0;
        // Twenty writers at once, each on a thread of its own: twenty blocking writers queued on the thread pool of a
        // 2-core machine starve it, and Npgsql's synchronous calls then wait for pool threads the writers hold (seen
        // as command timeouts while every server backend sat idle waiting for its client).
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Factory.StartNew(() =>
        {
            try
            {
                stores[i % 2].Set("p", "k" + i, [(byte)i]);
                Interlocked.Increment(ref written);
            }
            catch (KeyValueLimitException exception) when (exception.Code == KeyValueLimitException.TooManyKeys)
            {
                Interlocked.Increment(ref refused);
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)));
        Assert.Equal(10, written);
        Assert.Equal(10, refused);
        Assert.Equal(10, stores[1].Keys("p").Count);
        Assert.Empty(stores[0].Keys("other"));
        Assert.Equal(KeyValueLimitException.InvalidKey, Assert.Throws<KeyValueLimitException>(() => stores[0].Get("p", "bad\0key")).Code);
        string held = stores[1].Keys("p")[0];
        stores[0].Set("p", held, "replaced"u8);
        Assert.Equal("replaced"u8.ToArray(), stores[1].Get("p", held));
        Assert.True(stores[1].Delete("p", held));
        Assert.Null(stores[0].Get("p", held));
    }

    [PostgresFact]
    public void The_audit_log_keeps_denials_at_once_and_aggregates_allowed_calls()
    {
        using PostgreSqlPolicyDatabase database = Open(PostgresFixture.NewSchema());
        using var audit = new PostgreSqlAuditLog(database, new AuditLogOptions());
        DateTimeOffset now = DateTimeOffset.UtcNow;
        audit.Record(new AuditEntry(now, "p", "1", "approval", "x", false, "refused\nforged line"));
        for (int i = 0; i < 5; i++)
        {
            audit.RecordHostCall(new AuditEntry(now.AddMilliseconds(i + 1), "p", "1", "storage.host_store_get", "k" + i, true, null));
        }

        IReadOnlyList<AuditEntry> entries = audit.Query("p");
        Assert.Equal(2, entries.Count);
        Assert.False(entries[0].Allowed);
        Assert.DoesNotContain('\n', entries[0].Detail!);
        Assert.Equal(5, entries[1].Count);
        Assert.Equal("k4", entries[1].LastTarget);
    }

    [PostgresFact]
    public async Task An_unreachable_database_fails_closed_loses_nothing_acknowledged_and_recovers()
    {
        string schema = PostgresFixture.NewSchema();
        using PostgreSqlPolicyDatabase database = Open(schema, o => o.ConnectTimeout = TimeSpan.FromSeconds(2));
        var limiter = new PostgreSqlRateLimiter(database);
        var kv = new PostgreSqlKeyValueStore(database);
        var approvals = new PostgreSqlApprovalStore(database);
        using var audit = new PostgreSqlAuditLog(database, new AuditLogOptions());
        var record = new ApprovalRecord("p", "1", "", new string('b', 64), DateTimeOffset.UtcNow, "test");
        approvals.Save(record);
        kv.Set("p", "before", "1"u8);
        audit.Record(new AuditEntry(DateTimeOffset.UtcNow, "p", "1", "approval", "before", true, null));
        await WaitUntil(() => database.Listening);
        Assert.True(approvals.IsInForce(record));

        fixture.Server.Kill();
        try
        {
            await WaitUntil(() => !database.Listening);
            Assert.Equal("rate limiter", Assert.Throws<PolicyStoreUnavailableException>(() => limiter.TryAcquire("p")).Store);
            Assert.Equal("key-value store", Assert.Throws<PolicyStoreUnavailableException>(() => kv.Set("p", "during", "2"u8)).Store);
            Assert.Throws<PolicyStoreUnavailableException>(() => kv.Get("p", "before"));
            Assert.Throws<PolicyStoreUnavailableException>(() => approvals.IsInForce(record));

            // A denial cannot be committed now: the caller hears so, and the record waits in the instance.
            PolicyStoreUnavailableException audited = Assert.Throws<PolicyStoreUnavailableException>(() => audit.Record(new AuditEntry(DateTimeOffset.UtcNow, "p", "1", "network.host_http_request", "during", false, "refused while the database was down")));
            Assert.Equal("p", audited.PluginId);
        }
        finally
        {
            fixture.Server.Start();
        }

        // Recovery: no restart of the instance, no retry by the caller.
        Assert.True(limiter.TryAcquire("p").Allowed);
        Assert.Equal("1"u8.ToArray(), kv.Get("p", "before"));
        Assert.Null(kv.Get("p", "during"));
        Assert.True(approvals.IsInForce(record));
        await WaitUntil(() => database.Listening);
        Assert.Equal(["approval", "network.host_http_request"], audit.Query("p").Select(e => e.Action));
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 20 s");
            await Task.Delay(10);
        }
    }
}
