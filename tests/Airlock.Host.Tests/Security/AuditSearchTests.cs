using Airlock.Auditing;

namespace Airlock.Host.Tests.Security;

/// <summary>
/// The audit trail's filtered, paged view: SQLite filters and pages in the database, and the interface's default
/// (for any other log) gives the same answer from <see cref="IAuditLog.Query"/>.
/// </summary>
public sealed class AuditSearchTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "airlock-audit-search-" + Guid.NewGuid().ToString("N"));
    private readonly SqliteAuditLog _sqlite;
    private readonly ListAuditLog _list = new();

    public AuditSearchTests()
    {
        Directory.CreateDirectory(_directory);
        _sqlite = new SqliteAuditLog(Path.Combine(_directory, "audit.db"));
        for (int i = 0; i < 60; i++)
        {
            string action = (i % 3) switch { 0 => "approval", 1 => "approval.revoke", _ => "approvals.other" };
            var entry = new AuditEntry(Start.AddMinutes(i), i % 2 == 0 ? "even" : "odd", "1.0.0", action, "t" + i, i % 4 != 0, null);
            _sqlite.Record(entry);
            _list.Record(entry);
        }
    }

    public static TheoryData<string> Cases => ["all", "plugin", "action", "time", "denied", "page", "last page", "nothing"];

    public void Dispose()
    {
        _sqlite.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Sqlite_and_the_default_implementation_give_the_same_page(string name)
    {
        AuditQuery query = Query(name);
        AuditPage sqlite = _sqlite.Search(query);
        AuditPage fallback = ((IAuditLog)_list).Search(query);
        Assert.Equal(fallback.Total, sqlite.Total);
        Assert.Equal(fallback.Entries.Select(e => e.Target), sqlite.Entries.Select(e => e.Target));
    }

    [Fact]
    public void Pages_are_newest_first_with_the_total_of_every_page()
    {
        AuditPage page = _sqlite.Search(new AuditQuery { PluginId = "even", Skip = 10, Take = 10 });
        Assert.Equal(30, page.Total);
        Assert.Equal(["t38", "t36", "t34", "t32", "t30", "t28", "t26", "t24", "t22", "t20"], page.Entries.Select(e => e.Target));
    }

    [Fact]
    public void An_action_matches_itself_and_its_sub_actions_only_and_wildcards_in_the_filter_are_plain_text()
    {
        Assert.Equal(40, _sqlite.Search(new AuditQuery { Action = "approval" }).Total);
        Assert.Equal(20, _sqlite.Search(new AuditQuery { Action = "approval.revoke" }).Total);
        Assert.Equal(0, _sqlite.Search(new AuditQuery { Action = "approval%" }).Total);
        Assert.Equal(0, _sqlite.Search(new AuditQuery { Action = "appro_al" }).Total);
    }

    [Fact]
    public void Paging_bounds_are_checked()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AuditQuery { Take = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new AuditQuery { Take = AuditQuery.MaxTake + 1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new AuditQuery { Skip = -1 });
    }

    private static AuditQuery Query(string name) => name switch
    {
        "all" => new AuditQuery(),
        "plugin" => new AuditQuery { PluginId = "odd" },
        "action" => new AuditQuery { Action = "approval", PluginId = "even" },
        "time" => new AuditQuery { From = Start.AddMinutes(10), To = Start.AddMinutes(20) },
        "denied" => new AuditQuery { Allowed = false },
        "page" => new AuditQuery { Skip = 7, Take = 9, Allowed = true },
        "last page" => new AuditQuery { Skip = 50, Take = 50 },
        _ => new AuditQuery { PluginId = "nobody" },
    };

    // A log that keeps entries in a list and has only IAuditLog's default Search.
    private sealed class ListAuditLog : IAuditLog
    {
        private readonly List<AuditEntry> _entries = [];

        public void Record(AuditEntry entry) => _entries.Add(entry);

        public IReadOnlyList<AuditEntry> Query(string? pluginId = null, DateTimeOffset? from = null, DateTimeOffset? to = null)
            => [.. _entries.Where(e => (pluginId is null || e.PluginId == pluginId) && (from is null || e.Timestamp >= from) && (to is null || e.Timestamp < to)).OrderBy(e => e.Timestamp)];
    }
}
