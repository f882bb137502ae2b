using Airlock.Auditing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Airlock.Host.Tests.Security;

/// <summary>
/// The audit log's bounds, on a fake clock and a real SQLite file: allowed host calls aggregated per window and
/// budgeted per plugin, denials each recorded and on disk before Record returns, batches, the bounded queue, and
/// nothing acknowledged lost at disposal.
/// </summary>
public sealed class SqliteAuditLogTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "airlock-audit-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(Start);

    public SqliteAuditLogTests() => Directory.CreateDirectory(_directory);

    private string DatabasePath => Path.Combine(_directory, "audit.db");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Repeated_allowed_calls_within_the_window_are_one_record_with_their_count_and_first_and_last_target()
    {
        using SqliteAuditLog audit = Open();
        for (int i = 0; i < 1000; i++)
        {
            audit.RecordHostCall(Call("reader", "storage.host_store_get", "key-" + i));
        }

        AuditEntry entry = Assert.Single(audit.Query("reader"));
        Assert.Equal(1000, entry.Count);
        Assert.Equal("key-0", entry.Target);
        Assert.Equal("key-999", entry.LastTarget);
        Assert.Equal(Start, entry.Timestamp);
        Assert.NotNull(entry.LastTimestamp);
        Assert.True(entry.Allowed);
    }

    [Fact]
    public void Each_action_and_each_window_is_its_own_record()
    {
        using SqliteAuditLog audit = Open();
        audit.RecordHostCall(Call("p", "capability.host_store_get", "a"));
        audit.RecordHostCall(Call("p", "storage.host_store_get", "a"));
        audit.RecordHostCall(Call("p", "storage.host_store_get", "b"));
        _time.Advance(TimeSpan.FromSeconds(1));
        audit.RecordHostCall(Call("p", "storage.host_store_get", "c"));

        IReadOnlyList<AuditEntry> trail = audit.Query("p");
        Assert.Equal([("capability.host_store_get", 1L), ("storage.host_store_get", 2L), ("storage.host_store_get", 1L)], trail.Select(e => (e.Action, e.Count)));
    }

    [Fact]
    public void Denials_are_never_aggregated_and_are_on_disk_when_Record_returns()
    {
        using SqliteAuditLog audit = Open(new AuditLogOptions { FlushInterval = TimeSpan.FromHours(1) });
        for (int i = 0; i < 300; i++)
        {
            audit.RecordHostCall(Call("p", "storage.host_store_get", "ok-" + i));
            audit.RecordHostCall(Call("p", "storage.host_store_get", "bad-" + i, allowed: false));

            // Read by another connection, without the flush a query does: the denial is already committed.
            Assert.Equal(i + 1, CountRows("allowed = 0"));
        }

        IReadOnlyList<AuditEntry> trail = audit.Query("p");
        Assert.Equal(300, trail.Count(e => !e.Allowed));
        Assert.All(trail.Where(e => !e.Allowed), e => Assert.Equal(1, e.Count));
        Assert.Equal(Enumerable.Range(0, 300).Select(i => "bad-" + i), trail.Where(e => !e.Allowed).Select(e => e.Target));
        Assert.Equal(300, trail.Where(e => e.Allowed).Sum(e => e.Count));
    }

    [Fact]
    public void Past_its_budget_a_plugin_is_only_counted_and_the_count_is_recorded()
    {
        var options = new AuditLogOptions { AggregationWindow = TimeSpan.Zero, MaxRecordsPerPlugin = 3 };
        using SqliteAuditLog audit = Open(options);
        for (int i = 0; i < 10; i++)
        {
            audit.RecordHostCall(Call("noisy", "network.host_http_request", "https://a.example/" + i));
        }

        IReadOnlyList<AuditEntry> trail = audit.Query("noisy");
        Assert.Equal(4, trail.Count);
        AuditEntry suppressed = trail.Single(e => e.Action == "audit.suppressed");
        Assert.Equal("network.host_http_request", suppressed.Target);
        Assert.Equal(7, suppressed.Count);
        Assert.StartsWith("7 allowed network.host_http_request calls past the audit budget of 3 records per 1 min", suppressed.Detail, StringComparison.Ordinal);
        Assert.Equal(10, trail.Where(e => e.Action == "network.host_http_request").Sum(e => e.Count) + suppressed.Count);
    }

    [Fact]
    public void A_new_budget_window_records_again_and_the_writer_records_the_count_of_the_last_one()
    {
        var options = new AuditLogOptions { AggregationWindow = TimeSpan.Zero, MaxRecordsPerPlugin = 2, BudgetWindow = TimeSpan.FromSeconds(10), FlushInterval = TimeSpan.FromSeconds(1) };
        using SqliteAuditLog audit = Open(options);
        for (int i = 0; i < 5; i++)
        {
            audit.RecordHostCall(Call("p", "storage.host_store_set", "k" + i));
        }

        // The background writer (a timer on the fake clock) commits the two records, then the count of three when
        // the budget window ends, without anyone flushing.
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2, CountRows("action = 'storage.host_store_set'"));
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(3, SumCount("action = 'audit.suppressed'"));

        audit.RecordHostCall(Call("p", "storage.host_store_set", "later"));
        Assert.Equal(3, audit.Query("p").Count(e => e.Action == "storage.host_store_set"));
    }

    [Fact]
    public void One_plugins_flood_leaves_a_bystanders_records_as_they_were()
    {
        var options = new AuditLogOptions { AggregationWindow = TimeSpan.Zero, MaxRecordsPerPlugin = 5 };
        using SqliteAuditLog audit = Open(options);
        for (int i = 0; i < 1000; i++)
        {
            audit.RecordHostCall(Call("flood", "storage.host_store_get", "k"));
        }

        audit.RecordHostCall(Call("bystander", "storage.host_store_get", "mine"));
        audit.RecordHostCall(Call("bystander", "storage.host_store_set", "mine"));
        Assert.Equal(["storage.host_store_get", "storage.host_store_set"], audit.Query("bystander").Select(e => e.Action));
        Assert.Equal(6, audit.Query("flood").Count);
    }

    [Fact]
    public void A_full_queue_is_written_by_the_caller_so_nothing_waits_beyond_its_bound()
    {
        var options = new AuditLogOptions { AggregationWindow = TimeSpan.Zero, MaxRecordsPerPlugin = 1000, MaxQueuedRecords = 5, FlushInterval = TimeSpan.FromHours(1) };
        using SqliteAuditLog audit = Open(options);
        for (int i = 0; i < 4; i++)
        {
            audit.RecordHostCall(Call("p", "storage.host_store_get", "k" + i));
        }

        Assert.Equal(4, audit.QueuedRecords);
        Assert.Equal(0, CountRows("1 = 1"));
        audit.RecordHostCall(Call("p", "storage.host_store_get", "k4"));
        Assert.Equal(0, audit.QueuedRecords);
        Assert.Equal(5, CountRows("1 = 1"));
    }

    [Fact]
    public void Disposing_writes_everything_acknowledged_and_a_reopened_log_reads_it_back()
    {
        var audit = Open(new AuditLogOptions { FlushInterval = TimeSpan.FromHours(1) });
        for (int i = 0; i < 250; i++)
        {
            audit.RecordHostCall(Call("p", "storage.host_store_get", "k" + i));
        }

        audit.RecordHostCall(Call("p", "storage.host_store_get", "denied", allowed: false));
        audit.Dispose();
        Assert.Throws<ObjectDisposedException>(() => audit.RecordHostCall(Call("p", "storage.host_store_get", "late")));

        using SqliteAuditLog reopened = Open();
        IReadOnlyList<AuditEntry> trail = reopened.Query("p");
        Assert.Equal(250, trail.Where(e => e.Allowed).Sum(e => e.Count));
        Assert.Equal("denied", Assert.Single(trail, e => !e.Allowed).Target);
    }

    [Fact]
    public void Plugin_text_is_sanitised_in_the_record_and_in_the_log_line()
    {
        var logs = new CapturingLoggerProvider();
        using ILoggerFactory factory = LoggerFactory.Create(builder => builder.AddProvider(logs));
        using SqliteAuditLog audit = new(DatabasePath, new AuditLogOptions(), factory.CreateLogger("Airlock.Audit"), _time);
        audit.Record(new AuditEntry(Start, "p\n", "1.0.0", "lesstruct.db_query", "SELECT\r\n'\u202Eevil\u2066'\u2028", Allowed: false, "invalid_sql: near \"\u202E\": syntax error\n2025 forged DENIED"));

        AuditEntry entry = Assert.Single(audit.Query("p\n"));
        Assert.Equal("p ", entry.PluginId);
        Assert.Equal("SELECT  '\uFFFDevil\uFFFD' ", entry.Target);
        Assert.Equal("invalid_sql: near \"\uFFFD\": syntax error 2025 forged DENIED", entry.Detail);
        string line = Assert.Single(logs.Messages, m => m.StartsWith("Audit:", StringComparison.Ordinal));
        Assert.DoesNotContain(line, c => c is '\n' or '\r' or '\u2028' or '\u202E' or '\u2066');
    }

    [Fact]
    public void An_entry_sanitises_itself_however_it_is_made()
    {
        var entry = new AuditEntry(Start, "p", "1", "a", new string('x', 600), Allowed: true, null) { LastTarget = "last\u2029" };
        Assert.Equal(AuditEntry.MaxTargetChars, entry.Target.Length);
        Assert.EndsWith("…", entry.Target, StringComparison.Ordinal);
        Assert.Equal("last ", entry.LastTarget);
        Assert.Equal("t \uFFFD", (entry with { Target = "t\n\u202D" }).Target);
        Assert.Throws<ArgumentOutOfRangeException>(() => entry with { Count = 0 });
        Assert.Throws<ArgumentNullException>(() => new AuditEntry(Start, "p", "1", "a", null!, Allowed: true, null));
    }

    [Fact]
    public void A_database_written_before_records_had_counts_is_read_and_extended()
    {
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString()))
        {
            connection.Open();
            using SqliteCommand create = connection.CreateCommand();
            create.CommandText = """
                CREATE TABLE audit_log (id INTEGER PRIMARY KEY, timestamp_ticks INTEGER NOT NULL, plugin_id TEXT NOT NULL, plugin_version TEXT NOT NULL,
                    action TEXT NOT NULL, target TEXT NOT NULL, allowed INTEGER NOT NULL, detail TEXT);
                INSERT INTO audit_log (timestamp_ticks, plugin_id, plugin_version, action, target, allowed, detail) VALUES (1, 'old', '1.0.0', 'approval', 'storage', 1, 'approved');
                """;
            create.ExecuteNonQuery();
        }

        using SqliteAuditLog audit = Open();
        audit.RecordHostCall(Call("old", "storage.host_store_get", "k"));
        audit.RecordHostCall(Call("old", "storage.host_store_get", "k2"));
        IReadOnlyList<AuditEntry> trail = audit.Query("old");
        Assert.Equal([("approval", 1L), ("storage.host_store_get", 2L)], trail.Select(e => (e.Action, e.Count)));
    }

    [Fact]
    public void Invalid_options_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Open(new AuditLogOptions { MaxRecordsPerPlugin = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Open(new AuditLogOptions { AggregationWindow = TimeSpan.FromSeconds(-1) }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Open(new AuditLogOptions { FlushInterval = TimeSpan.Zero }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Open(new AuditLogOptions { MaxQueuedRecords = 0 }));
    }

    private SqliteAuditLog Open(AuditLogOptions? options = null) => new(DatabasePath, options ?? new AuditLogOptions(), logger: null, _time);

    private AuditEntry Call(string plugin, string action, string target, bool allowed = true)
        => new(_time.GetUtcNow(), plugin, "1.0.0", action, target, allowed, allowed ? "ok" : "denied: no");

    private long CountRows(string where) => Scalar($"SELECT COUNT(*) FROM audit_log WHERE {where}");

    private long SumCount(string where) => Scalar($"SELECT COALESCE(SUM(count), 0) FROM audit_log WHERE {where}");

    private long Scalar(string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ToString());
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }
}
