using System.Diagnostics;
using Chirp.Sandbox;
using Npgsql;

namespace Airlock.PostgreSql.Tests;

/// <summary>
/// Two application instances (FleetNode processes) that each load the real C Chirp connector (its committed
/// chirp.wasm) with AddAirlock's SocialScale loader on one PostgreSQL, and call it: every limit, approval, revocation,
/// audit record and key-value write below comes from the plugin's own host calls against one loopback Chirp API.
/// </summary>
[Collection("postgres")]
public sealed class FleetPluginTests(PostgresFixture fixture)
{
    private const string PluginId = "com.airlock.samples.chirp-c";
    private const int Limit = 30;

    [PostgresFact]
    public async Task Two_instances_calling_the_chirp_connector_share_its_rate_limit_approval_revocation_audit_trail_and_store()
    {
        string schema = PostgresFixture.NewSchema();
        await using FakeChirpApi chirp = await FakeChirpApi.StartAsync();
        string[] extra = ["chirp=" + chirp.BaseAddress, "http-limit=" + Limit];
        await using var a = await Node.StartAsync(fixture.Server.ConnectionString, schema, "a", approve: true, extra);
        await using var b = await Node.StartAsync(fixture.Server.ConnectionString, schema, "b", approve: false, extra);
        string instanceA = await a.AskAsync("instance"), instanceB = await b.AskAsync("instance");
        Assert.NotEqual(instanceA, instanceB);

        // B approves nothing itself; once an administrator approved the connector through A, B loads and calls it.
        Assert.Equal("refused", await b.AskAsync("load " + Node.Manifest));
        Assert.Equal("loaded " + PluginId, await a.AskAsync("load " + Node.Manifest));
        Assert.Equal("loaded " + PluginId, await b.AskAsync("load " + Node.Manifest));
        Published first = Published.Parse(await b.AskAsync("publish 1 first"));
        Assert.Single(first.Ids);
        Assert.Empty(first.Errors);

        // The fleet-wide limit, through the plugin's host_http_request: both publish 25 at once with 29 permits left.
        Task<string> fromA = a.AskAsync("publish 25 race");
        Task<string> fromB = b.AskAsync("publish 25 race");
        Published raceA = Published.Parse(await fromA), raceB = Published.Parse(await fromB);
        Assert.Equal(Limit - 1, raceA.Ids.Count + raceB.Ids.Count);
        Assert.Equal(50 - (Limit - 1), raceA.Errors.GetValueOrDefault("rate_limit_exceeded") + raceB.Errors.GetValueOrDefault("rate_limit_exceeded"));
        Assert.All(raceA.Errors.Keys.Concat(raceB.Errors.Keys), code => Assert.Equal("rate_limit_exceeded", code));
        Assert.Equal(Limit, chirp.Requests.Count(r => r.Method == "POST" && r.PathAndQuery == "/v1/posts"));

        // Every post either instance's plugin stored (host_store_set) is in the shared store.
        string[] keys = (await a.AskAsync("keys " + PluginId)).Split(',');
        Assert.Subset(keys.ToHashSet(), first.Ids.Concat(raceA.Ids).Concat(raceB.Ids).Select(id => "post:" + id).ToHashSet());

        // Calls alternating between the instances are refused by the exhausted limit; their denials, committed before
        // each call returned, are in the trail in the order they happened.
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal("published 0 ids - errors rate_limit_exceeded:1", await a.AskAsync("publish 1 order"));
            Assert.Equal("published 0 ids - errors rate_limit_exceeded:1", await b.AskAsync("publish 1 order"));
        }

        // A revocation through A stops B's plugin at its next host call (LISTEN/NOTIFY: documented < 1 s), and A's.
        await Node.WaitForAsync(b, "listening", "yes");
        Assert.Equal("revoked 1", await a.AskAsync("revoke " + PluginId));
        var revoked = Stopwatch.StartNew();
        Published afterRevocation;
        while ((afterRevocation = Published.Parse(await b.AskAsync("publish 1 after-revocation"))).Errors.ContainsKey("rate_limit_exceeded"))
        {
            Assert.True(revoked.Elapsed < TimeSpan.FromSeconds(20), "B's plugin still ran 20 s after the revocation");
        }

        TimeSpan reached = revoked.Elapsed;
        Assert.True(reached < TimeSpan.FromSeconds(1), $"the revocation took {reached} to stop the other instance's plugin");
        Assert.Empty(afterRevocation.Ids);
        Published onA = Published.Parse(await a.AskAsync("publish 1 after-revocation"));
        Assert.Empty(onA.Ids);
        Assert.DoesNotContain("rate_limit_exceeded", onA.Errors.Keys);
        Assert.Equal(Limit, chirp.Requests.Count(r => r.Method == "POST" && r.PathAndQuery == "/v1/posts"));
        Assert.Equal("refused", await b.AskAsync("load " + Node.Manifest));

        // The trail: both instances' records in one table.
        Assert.Equal("ok", await a.AskAsync("flush"));
        Assert.Equal("ok", await b.AskAsync("flush"));
        List<Row> rows = await ReadTrailAsync(schema);
        Assert.Equal(Limit, rows.Where(r => r.Allowed && (r.Action == "network.host_http_request" || (r.Action == "audit.suppressed" && r.Target == "network.host_http_request"))).Sum(r => r.Count));
        Assert.Contains(rows, r => r.Instance == instanceA && r.Allowed && r.Action == "network.host_http_request");
        Assert.Contains(rows, r => r.Instance == instanceB && r.Allowed && r.Action == "network.host_http_request");
        Assert.Contains(rows, r => r.Instance == instanceA && r.Allowed && r.Action == "capability.host_store_set");
        Assert.Contains(rows, r => r.Instance == instanceB && r.Allowed && r.Action == "capability.host_store_set");
        List<Row> limited = [.. rows.Where(r => !r.Allowed && r.Action == "network.host_http_request" && r.Detail.StartsWith("rate_limit_exceeded", StringComparison.Ordinal))];
        Assert.Equal(50 - (Limit - 1) + 6, limited.Count);
        Assert.Equal([instanceA, instanceB, instanceA, instanceB, instanceA, instanceB], limited[^6..].Select(r => r.Instance));
        Assert.Contains(rows, r => r.Instance == instanceB && !r.Allowed && r.Action.StartsWith("capability.", StringComparison.Ordinal) && r.Detail == "approval revoked");
        Assert.Contains(rows, r => r.Instance == instanceA && !r.Allowed && r.Action.StartsWith("capability.", StringComparison.Ordinal) && r.Detail == "approval revoked");
    }

    private async Task<List<Row>> ReadTrailAsync(string schema)
    {
        // Not pooled: an idle pooled connection would have died when another test killed the server.
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(fixture.Server.ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand($"SELECT instance, action, target, allowed, coalesce(detail, ''), count FROM \"{schema}\".audit_log WHERE plugin_id = $1 ORDER BY timestamp_ticks, id", connection)
        {
            Parameters = { new NpgsqlParameter { Value = PluginId } },
        };
        var rows = new List<Row>();
        await using NpgsqlDataReader reader = await query.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(new Row(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetBoolean(3), reader.GetString(4), reader.GetInt64(5)));
        }

        return rows;
    }

    private sealed record Row(string Instance, string Action, string Target, bool Allowed, string Detail, long Count);

    /// <summary>A node's answer to "publish": "published &lt;n&gt; ids &lt;ids|-&gt; errors &lt;code:count,...|-&gt;".</summary>
    private sealed record Published(IReadOnlyList<string> Ids, IReadOnlyDictionary<string, int> Errors)
    {
        public static Published Parse(string answer)
        {
            string[] words = answer.Split(' ');
            Assert.True(words is ["published", _, "ids", _, "errors", _], "unexpected answer: " + answer);
            string[] ids = words[3] == "-" ? [] : words[3].Split(',');
            Assert.Equal(int.Parse(words[1], System.Globalization.CultureInfo.InvariantCulture), ids.Length);
            Dictionary<string, int> errors = words[5] == "-"
                ? []
                : words[5].Split(',').Select(e => e.Split(':')).ToDictionary(e => e[0], e => int.Parse(e[1], System.Globalization.CultureInfo.InvariantCulture));
            return new Published(ids, errors);
        }
    }
}
