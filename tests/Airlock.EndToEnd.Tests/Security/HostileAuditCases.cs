using System.Diagnostics;
using System.Text;
using Airlock.Auditing;
using Airlock.Contracts.Lesstruct;
using Airlock.Discovery;
using Airlock.EndToEnd.Tests.Lesstruct;
using Airlock.Lesstruct;
using Airlock.Security;
using Airlock.Services;
using Airlock.SocialScale;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using static Airlock.EndToEnd.Tests.Security.HostileAction;
using static Airlock.EndToEnd.Tests.Security.HostileWorld;

namespace Airlock.EndToEnd.Tests.Security;

/// <summary>
/// Hostile behaviours against the logs and the audit log: floods that must stay bounded per plugin, text that tries
/// to forge or disguise a log line or an audit record, and denials that must all be there after the audit log is
/// closed and opened again.
/// </summary>
internal static class HostileAuditCases
{
    private const string Wat = "WAT";
    private const string LesstructWat = "WAT (Lesstruct)";

    // CR/LF start a forged line; U+2028 is a line separator; U+202E reverses what follows; U+2066 opens an isolate.
    private const string Forged = "ok\r\n12:00:00.000 bystander 1.0.0 approval allowed\u2028\u202Egnp.exe\u2066 tail";

    private static readonly char[] Forbidden = ['\r', '\n', '\u2028', '\u202E', '\u2066'];

    public static IEnumerable<HostileCase> All { get; } =
    [
        new("log-forgery", "logs text with CR/LF, U+2028, U+202E and U+2066 to forge a log line and reverse text", "one log line with the breaks as spaces and the bidi controls as U+FFFD", Wat, LogForgeryAsync),
        new("key-forgery", "stores and reads KV keys with CR/LF, U+2028, U+202E and U+2066", "the audit records' targets carry the keys with the breaks as spaces and the bidi controls as U+FFFD", Wat, KeyForgeryAsync),
        new("sql-error-forgery", "runs SQL whose SQLite error message quotes CR/LF, U+2028, U+202E and U+2066", "the call is audited as invalid_sql; the audit record and its log line carry SQLite's message sanitised", LesstructWat, SqlErrorForgeryAsync),
        new("kv-read-flood", "reads its KV store 10,000 times in one call, then 200 keys over the size limit", "audit records stay bounded (at most one per action per second of the call): the allowed reads are aggregated with their exact count; each of the 200 denials is its own record", Wat, KeyValueReadFloodAsync),
        new("lesstruct-log-flood", "a Lesstruct hook writes 50,000 log_info lines in one call", "the call ends within 3 s (no disk write per line); 50 lines (the burst) reach the log, then one line reports 49,950 suppressed; no audit record per line, the dropped lines are one aggregated log.suppressed count; a bystander's log and audit are unaffected", LesstructWat, LesstructLogFloodAsync),
        new("audit-budget-and-reopen", "floods allowed and denied host calls past a 10-record audit budget; then its host and the audit log are closed", "allowed calls past the budget are counted in audit.suppressed records (counts exact); after reopening the audit database every denial is there, each its own record", Wat, BudgetAndReopenAsync),
    ];

    private static async Task<IHostileProbe?> LogForgeryAsync(HostileWorld world)
    {
        IHostileProbe probe = await world.LoadAsync(Everything, id: "forger");
        Assert.Equal(0, probe.Invoke(Log, Bytes(Forged), []));
        string line = Assert.Single(world.Logs, m => m.Contains("gnp.exe", StringComparison.Ordinal) && m.Contains("forger", StringComparison.Ordinal));
        Assert.DoesNotContain(line, c => Forbidden.Contains(c));
        Assert.EndsWith("ok  12:00:00.000 bystander 1.0.0 approval allowed \uFFFDgnp.exe\uFFFD tail", line, StringComparison.Ordinal);
        return probe;
    }

    private static async Task<IHostileProbe?> KeyForgeryAsync(HostileWorld world)
    {
        IHostileProbe probe = await world.LoadAsync(Everything, id: "key-forger");

        // The store takes keys with format characters and refuses control characters (invalid_key, denied): both
        // reach the audit log, sanitised.
        string stored = "k\u202Eyek\u2066\u2028x";
        probe.Invoke(StoreSet, Bytes(stored), Bytes("v"));
        Assert.True(probe.Invoke(StoreGet, Bytes(stored), []) > 0);
        Assert.Equal((long)HostCallStatus.InvalidArgument, probe.Invoke(StoreGet, Bytes("k\r\nforged\u202E"), []));

        IReadOnlyList<AuditEntry> trail = world.Audit.Query("key-forger");
        Assert.All(trail, e => Assert.DoesNotContain(e.Target + e.Detail + e.LastTarget, c => Forbidden.Contains(c)));
        Assert.Contains(trail, e => e.Action == "storage.host_store_set" && e.Allowed && e.Target == "k\uFFFDyek\uFFFD x");
        Assert.Contains(trail, e => e.Action == "storage.host_store_get" && e.Allowed && e.Target == "k\uFFFDyek\uFFFD x");
        AuditEntry denied = Assert.Single(trail, e => !e.Allowed);
        Assert.Equal("k  forged\uFFFD", denied.Target);
        Assert.StartsWith("invalid_key", denied.Detail, StringComparison.Ordinal);
        return probe;
    }

    private static async Task<IHostileProbe?> SqlErrorForgeryAsync(HostileWorld world)
    {
        await using LesstructSetup setup = await LesstructSetup.CreateAsync(world);
        await using ILesstructPlugin plugin = await setup.LoadAsync("sql-forger");
        await plugin.AfterCreateAsync(new ContentItem { Title = "t" });

        AuditEntry failed = Assert.Single(setup.Audit.Query("sql-forger"), e => e.Action == "lesstruct.db_query");
        Assert.StartsWith("invalid_sql: ", failed.Detail, StringComparison.Ordinal);
        Assert.Contains("\uFFFDlbat\uFFFD", failed.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(failed.Target + failed.Detail, c => Forbidden.Contains(c));
        string logged = Assert.Single(setup.Logs, m => m.StartsWith("Audit:", StringComparison.Ordinal) && m.Contains("lesstruct.db_query", StringComparison.Ordinal));
        Assert.Contains("lbat", logged, StringComparison.Ordinal);
        Assert.DoesNotContain(logged, c => Forbidden.Contains(c));

        // The plugin still serves.
        Assert.Null(await plugin.AfterPublishAsync(new ContentItem { Title = "t" }));
        return null;
    }

    private static async Task<IHostileProbe?> KeyValueReadFloodAsync(HostileWorld world)
    {
        IHostileProbe probe = await world.LoadAsync(Everything, PluginLimits.Default with { Timeout = TimeSpan.FromSeconds(20), MemoryBytes = 8L * 1024 * 1024, MaxInstances = 2 }, id: "kv-flood");
        probe.Invoke(StoreSet, Bytes("mine"), Bytes("value"));
        var started = Stopwatch.StartNew();
        Assert.True(probe.Invoke(StoreGet + Repeat, new byte[10_000], Bytes("mine")) > 0);
        Assert.Equal((long)HostCallStatus.TooLarge, probe.Invoke(StoreGet + Repeat, new byte[200], Bytes(new string('k', 1000))));
        TimeSpan elapsed = started.Elapsed;

        IReadOnlyList<AuditEntry> trail = world.Audit.Query("kv-flood");
        IReadOnlyList<AuditEntry> allowed = [.. trail.Where(e => e.Allowed && e.Action != "storage.host_store_set" && e.Action != "capability.host_store_set")];
        int windows = (int)Math.Ceiling(elapsed.TotalSeconds) + 1;
        Assert.InRange(allowed.Count, 2, 2 * windows);
        Assert.Equal(10_000, allowed.Where(e => e.Action == "storage.host_store_get").Sum(e => e.Count));
        Assert.Equal(10_200, allowed.Where(e => e.Action == "capability.host_store_get").Sum(e => e.Count));
        AuditEntry[] denials = [.. trail.Where(e => !e.Allowed)];
        Assert.Equal(200, denials.Length);
        Assert.All(denials, e => Assert.Equal(1, e.Count));
        Assert.All(denials, e => Assert.StartsWith("key_too_large", e.Detail, StringComparison.Ordinal));
        Assert.Equal(trail.Count, allowed.Count + denials.Length + trail.Count(e => e.Action.EndsWith("host_store_set", StringComparison.Ordinal)));
        return probe;
    }

    private static async Task<IHostileProbe?> LesstructLogFloodAsync(HostileWorld world)
    {
        await using LesstructSetup setup = await LesstructSetup.CreateAsync(world);
        await using ILesstructPlugin flooder = await setup.LoadAsync("log-flooder");
        await using ILesstructPlugin bystander = await setup.LoadAsync("log-bystander");
        Assert.Null(await bystander.AfterPublishAsync(new ContentItem { Title = "t" }));

        var started = Stopwatch.StartNew();
        Assert.Null(await flooder.BeforeSaveAsync(new ContentItem { Title = "t" }));
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(3), $"50,000 log lines took {started.Elapsed}");

        Assert.Equal(50, setup.Logs.Count(m => m.StartsWith("Plugin log-flooder (hook_before_save): flood", StringComparison.Ordinal)));
        Assert.All(setup.Logs.Where(m => m.Contains("flood", StringComparison.Ordinal)), m => Assert.DoesNotContain(m, c => Forbidden.Contains(c)));

        // No audit record per line: the dropped lines are counted, aggregated, and bounded.
        IReadOnlyList<AuditEntry> trail = setup.Audit.Query("log-flooder");
        Assert.InRange(trail.Count, 1, 5);
        Assert.All(trail, e => Assert.Equal(PluginLogSinkAction, e.Action));
        Assert.Equal(49_950, trail.Sum(e => e.Count));

        // When the plugin's rate allows a line again, the log reports how many were suppressed.
        setup.LogClock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(await flooder.AfterPublishAsync(new ContentItem { Title = "t" }));
        Assert.Contains(setup.Logs, m => m == "Plugin log-flooder logged too fast: 49950 lines were suppressed");

        // The bystander's line was logged and it has no audit record of the flood.
        Assert.Single(setup.Logs, m => m.StartsWith("Plugin log-bystander (hook_after_publish): published", StringComparison.Ordinal));
        Assert.Empty(setup.Audit.Query("log-bystander"));
        Assert.Null(await bystander.AfterPublishAsync(new ContentItem { Title = "t" }));
        Assert.Equal(2, setup.Logs.Count(m => m.StartsWith("Plugin log-bystander (hook_after_publish): published", StringComparison.Ordinal)));
        return null;
    }

    private static async Task<IHostileProbe?> BudgetAndReopenAsync(HostileWorld world)
    {
        string path = Path.Combine(Path.GetTempPath(), "airlock-audit-reopen-" + Guid.NewGuid().ToString("N") + ".db");
        var options = new AuditLogOptions { AggregationWindow = TimeSpan.Zero, MaxRecordsPerPlugin = 10, FlushInterval = TimeSpan.FromMinutes(10) };
        try
        {
            var audit = new SqliteAuditLog(path, options);
            var host = new PluginHost();
            try
            {
                var services = new SocialScaleServices(world.Services.Http, world.RateLimiter, new LogRateLimiter())
                {
                    KeyValueStore = world.Store,
                    Audit = audit,
                };
                PluginLimits limits = PluginLimits.Default with { Timeout = TimeSpan.FromSeconds(20), MemoryBytes = 8L * 1024 * 1024, MaxInstances = 2 };
                IHostileProbe allowedProbe = await world.LoadAsync(Everything, limits, id: "budgeted", services: services, host: host);
                IHostileProbe deniedProbe = await world.LoadAsync(PluginPermissions.None, limits, id: "budgeted-denied", services: services, host: host);
                allowedProbe.Invoke(StoreSet, Bytes("k"), Bytes("v"));
                Assert.True(allowedProbe.Invoke(StoreGet + Repeat, new byte[500], Bytes("k")) > 0);
                Assert.Equal((long)HostCallStatus.TooLarge, allowedProbe.Invoke(StoreGet + Repeat, new byte[50], Bytes(new string('k', 1000))));
                Assert.Equal((long)HostCallStatus.PermissionDenied, deniedProbe.Invoke(StoreGet + Repeat, new byte[300], Bytes("k")));

                // Both still serve before the host goes away.
                Assert.True(allowedProbe.Invoke(StoreGet, Bytes("k"), []) > 0);
                Assert.Equal(0, deniedProbe.Invoke(Log, Bytes("still here"), []));
            }
            finally
            {
                await host.DisposeAsync();
                audit.Dispose();
            }

            {
                using var reopened = new SqliteAuditLog(path, options);
                IReadOnlyList<AuditEntry> trail = reopened.Query("budgeted");
                Assert.Equal(50, trail.Count(e => !e.Allowed && e.Detail!.StartsWith("key_too_large", StringComparison.Ordinal)));
                Assert.Equal(300, reopened.Query("budgeted-denied").Count(e => !e.Allowed && e.Action == "capability.host_store_get"));
                Assert.Equal(10, trail.Count(e => e.Allowed && e.Action != SuppressedAction));

                // Every allowed read is accounted for: recorded, or counted in a suppressed record.
                long reads = trail.Where(e => e.Action == "storage.host_store_get" && e.Allowed).Sum(e => e.Count)
                    + trail.Where(e => e.Action == SuppressedAction && e.Target == "storage.host_store_get").Sum(e => e.Count);
                Assert.Equal(501, reads);
                long checks = trail.Where(e => e.Action == "capability.host_store_get").Sum(e => e.Count)
                    + trail.Where(e => e.Action == SuppressedAction && e.Target == "capability.host_store_get").Sum(e => e.Count);
                Assert.Equal(551, checks);
            }

            return null;
        }
        finally
        {
            File.Delete(path);
            File.Delete(path + "-wal");
            File.Delete(path + "-shm");
        }
    }

    private const string PluginLogSinkAction = "log.suppressed";

    private const string SuppressedAction = "audit.suppressed";

    /// <summary>
    /// Lesstruct plugins on the world's host, with a content database, a log rate limiter on a fake clock (burst
    /// 50), a capturing logger and an audit log of their own.
    /// </summary>
    private sealed class LesstructSetup : IAsyncDisposable
    {
        private readonly HostileWorld _world;
        private readonly LesstructWorkspace _workspace;
        private readonly Airlock.Host.Tests.CapturingLoggerProvider _logs = new();
        private readonly ILoggerFactory _loggers;
        private readonly LesstructPluginOptions _options;

        private LesstructSetup(HostileWorld world, LesstructWorkspace workspace)
        {
            _world = world;
            _workspace = workspace;
            _loggers = LoggerFactory.Create(builder => builder.AddProvider(_logs));
            Audit = new SqliteAuditLog(Path.Combine(workspace.Directory, "hostile-audit.db"), new AuditLogOptions(), _loggers.CreateLogger("Airlock.Audit"));
            _options = new LesstructPluginOptions
            {
                DirectoryPath = workspace.Directory,
                Limits = PluginLimits.Default with { Timeout = TimeSpan.FromSeconds(10) },
                Services =
                {
                    Database = workspace.Database,
                    Audit = Audit,
                    LoggerFactory = _loggers,
                    LogLimiter = new LogRateLimiter(new LogRateLimiterOptions(), LogClock),
                },
            };
        }

        public SqliteAuditLog Audit { get; }

        public FakeTimeProvider LogClock { get; } = new();

        public IEnumerable<string> Logs => _logs.Messages;

        public static async Task<LesstructSetup> CreateAsync(HostileWorld world) => new(world, await LesstructWorkspace.CreateAsync());

        public async Task<ILesstructPlugin> LoadAsync(string name)
        {
            string wasm = Path.Combine(_workspace.Directory, name + ".wasm");
            string manifest = Path.Combine(_workspace.Directory, name + ".manifest");
            await File.WriteAllBytesAsync(wasm, Module());
            await File.WriteAllTextAsync(manifest, $"name = \"{name}\"\nversion = \"1.0.0\"\n[capabilities]\ndatabase = [\"read:content\"]\n");
            return await LesstructPlugins.LoadAsync(_world.Host, _options, new PluginFile(name, wasm, manifest));
        }

        public async ValueTask DisposeAsync()
        {
            Audit.Dispose();
            _loggers.Dispose();
            await _workspace.DisposeAsync();
        }

        // before_save: 50,000 log_info lines of forged text; after_create: SQL whose error quotes forged text;
        // after_publish: one ordinary line.
        private static byte[] Module()
        {
            byte[] flood = Encoding.UTF8.GetBytes("flood " + Forged);
            byte[] sql = Encoding.UTF8.GetBytes("SELECT * FROM \"\u202Elbat\u2066\r\n\u2028forged\"");
            byte[] published = Encoding.UTF8.GetBytes("published");
            return Wasmtime.Module.ConvertText($$"""
                (module
                  (import "lesstruct" "log_info" (func $log (param i32 i32)))
                  (import "lesstruct" "db_query" (func $query (param i32 i32 i32 i32) (result i32)))
                  (memory (export "memory") 4)
                  (data (i32.const 196608) "{{Escape(flood)}}")
                  (data (i32.const 200704) "{{Escape(sql)}}")
                  (data (i32.const 204800) "{{Escape(published)}}")
                  (func (export "hook_before_save") (param i32 i32) (result i32)
                    (local $i i32)
                    (loop $again
                      (call $log (i32.const 196608) (i32.const {{flood.Length}}))
                      (local.set $i (i32.add (local.get $i) (i32.const 1)))
                      (br_if $again (i32.lt_u (local.get $i) (i32.const 50000))))
                    (i32.const 0))
                  (func (export "hook_after_create") (param i32 i32) (result i32)
                    (drop (call $query (i32.const 200704) (i32.const {{sql.Length}}) (i32.const 0) (i32.const 0)))
                    (i32.const 0))
                  (func (export "hook_after_publish") (param i32 i32) (result i32)
                    (call $log (i32.const 204800) (i32.const {{published.Length}}))
                    (i32.const 0)))
                """);
        }

        private static string Escape(byte[] bytes) => string.Concat(bytes.Select(b => "\\" + b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
    }
}
