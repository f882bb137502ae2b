using System.Diagnostics;
using Airlock.Auditing;
using Airlock.PostgreSql;

namespace Airlock.PostgreSql.Tests;

/// <summary>Two host processes (the FleetNode app, started with dotnet) against one real PostgreSQL.</summary>
[Collection("postgres")]
public sealed class FleetTests(PostgresFixture fixture)
{
    private static readonly string Manifest = Node.Manifest;

    [PostgresFact]
    public async Task Two_instances_share_limits_approvals_revocations_the_audit_trail_and_the_key_value_store()
    {
        string schema = PostgresFixture.NewSchema();
        await using var a = await Node.StartAsync(fixture.Server.ConnectionString, schema, "a", approve: true);
        await using var b = await Node.StartAsync(fixture.Server.ConnectionString, schema, "b", approve: false);

        // The fleet-wide limit: both ask for 700 of the default 1,000 an hour at the same time.
        Task<string> fromA = a.AskAsync("acquire fleet.plugin 700");
        Task<string> fromB = b.AskAsync("acquire fleet.plugin 700");
        int allowed = Allowed(await fromA) + Allowed(await fromB);
        Assert.Equal(1000, allowed);

        // B refuses anything new (deny all) but honours what an administrator approved through A.
        Assert.Equal("refused", await b.AskAsync("approve " + Manifest));
        Assert.StartsWith("approved by administrator at a", await a.AskAsync("approve " + Manifest));
        Assert.StartsWith("approved by administrator at a", await b.AskAsync("approve " + Manifest));
        await Node.WaitForAsync(b, "listening", "yes");
        Assert.Equal("yes", await b.AskAsync("inforce"));

        // A revocation through A stops B.
        Assert.Equal("revoked 1", await a.AskAsync("revoke com.airlock.samples.chirp-c"));
        var revoked = Stopwatch.StartNew();
        await Node.WaitForAsync(b, "inforce", "no");
        Assert.True(revoked.Elapsed < TimeSpan.FromSeconds(1), $"the revocation took {revoked.Elapsed} to reach the other instance");
        Assert.Equal("refused", await b.AskAsync("approve " + Manifest));

        // Interleaved audit records and key-value writes from both.
        for (int i = 0; i < 20; i++)
        {
            Node node = i % 2 == 0 ? a : b;
            Assert.Equal("ok", await node.AskAsync($"audit fleet.audit step target-{i:00}"));
            Assert.Equal("ok", await node.AskAsync($"kv fleet.kv key-{i:00} value-{i}"));
        }

        Assert.Equal(string.Join(',', Enumerable.Range(0, 20).Select(i => $"key-{i:00}")), await a.AskAsync("keys fleet.kv"));
        using PostgreSqlPolicyDatabase reader = new(new PostgreSqlStoreOptions { ConnectionString = fixture.Server.ConnectionString, Schema = schema });
        using var log = new PostgreSqlAuditLog(reader, new AuditLogOptions());
        IReadOnlyList<AuditEntry> steps = log.Query("fleet.audit");
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"target-{i:00}"), steps.Select(e => e.Target));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => i % 2 == 0 ? "a" : "b"), steps.Select(e => e.Detail));
        Assert.Contains(log.Query("com.airlock.samples.chirp-c"), e => e.Action == "approval.revoke" && e.Detail == "revoked at a");
        Assert.Contains(log.Query("com.airlock.samples.chirp-c"), e => e.Action == "approval" && !e.Allowed && e.Detail == "refused by deny all");
    }

    [PostgresFact]
    public async Task Killing_the_database_mid_run_gives_typed_errors_loses_no_acknowledged_write_and_both_recover()
    {
        string schema = PostgresFixture.NewSchema();
        await using var a = await Node.StartAsync(fixture.Server.ConnectionString, schema, "a", approve: true);
        await using var b = await Node.StartAsync(fixture.Server.ConnectionString, schema, "b", approve: false);
        var acknowledged = new List<string>();
        int written = 0;

        // Both write until the database dies under them, then keep trying while it is down.
        async Task<List<string>> WriteAsync(Node node, string name, CancellationToken stop)
        {
            var mine = new List<string>();
            var answers = new List<string>();
            for (int i = 0; !stop.IsCancellationRequested; i++)
            {
                string key = $"{name}-{i:0000}";
                string answer = await node.AskAsync($"kv fleet.kv {key} {i}");
                answers.Add(answer);
                if (answer == "ok")
                {
                    mine.Add(key);
                    Interlocked.Increment(ref written);
                }
                else
                {
                    Assert.Equal("unavailable key-value store", answer);
                    await Task.Delay(20, CancellationToken.None);
                }
            }

            Assert.Contains("unavailable key-value store", answers);
            return mine;
        }

        using var stop = new CancellationTokenSource();
        Task<List<string>> writingA = WriteAsync(a, "a", stop.Token);
        Task<List<string>> writingB = WriteAsync(b, "b", stop.Token);
        while (Volatile.Read(ref written) < 40)
        {
            await Task.Delay(10);
        }

        fixture.Server.Kill();
        try
        {
            Assert.Equal("allowed 0 refused 0 unavailable 3", await a.AskAsync("acquire fleet.plugin 3"));
            Assert.Equal("unavailable audit log", await b.AskAsync("audit fleet.audit during-outage x"));
            await Task.Delay(500);
        }
        finally
        {
            stop.Cancel();
            acknowledged.AddRange(await writingA);
            acknowledged.AddRange(await writingB);
            fixture.Server.Start();
        }

        // Both recover without a restart, and every acknowledged write is there.
        Assert.Equal("allowed 2 refused 0 unavailable 0", await b.AskAsync("acquire fleet.plugin 2"));
        Assert.Equal("ok", await a.AskAsync("kv fleet.kv after 1"));
        string[] keys = (await b.AskAsync("keys fleet.kv")).Split(',');
        Assert.Empty(acknowledged.Except(keys));
        Assert.Contains("after", keys);

        // The audit record refused during the outage was kept queued in B and written once the database was back.
        Assert.Equal("ok", await b.AskAsync("flush"));
        using PostgreSqlPolicyDatabase reader = new(new PostgreSqlStoreOptions { ConnectionString = fixture.Server.ConnectionString, Schema = schema });
        using var log = new PostgreSqlAuditLog(reader, new AuditLogOptions());
        Assert.Contains(log.Query("fleet.audit"), e => e.Action == "during-outage" && e.Detail == "b");
    }

    private static int Allowed(string answer)
    {
        string[] words = answer.Split(' ');
        Assert.Equal("allowed", words[0]);
        Assert.Equal("0", words[5]);
        return int.Parse(words[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}
