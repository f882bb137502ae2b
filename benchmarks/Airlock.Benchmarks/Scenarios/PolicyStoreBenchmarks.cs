using Airlock.Auditing;
using Airlock.Benchmarks.Plugins;
using Airlock.PostgreSql;
using Airlock.Security;
using Airlock.Services;
using Airlock.Tests;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.DependencyInjection;

namespace Airlock.Benchmarks.Scenarios;

/// <summary>
/// The per-call cost of the policy stores a host call goes through, as <c>AddAirlock</c> registers them: the SQLite
/// files of one process against the PostgreSQL stores several instances share (docs/scale-out.md). A rate-limit
/// acquire, a key-value write and read, the approval check of every SocialScale host call, a committed audit denial
/// and an allowed host call's audit record. The PostgreSQL column runs against a throwaway server the benchmark starts
/// on the loopback interface from Debian's packages (as the tests do); without them only the SQLite column runs and
/// <see cref="SkipMessage"/> says why.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class PolicyStoreBenchmarks
{
    /// <summary>The store kept in one process's files.</summary>
    public const string Sqlite = "SQLite";

    /// <summary>The store shared by a fleet.</summary>
    public const string PostgreSql = "PostgreSQL";

    private const string Plugin = "com.airlock.bench.policy";

    private static readonly string[] Keys = [.. Enumerable.Range(0, 100).Select(i => "key-" + i)];
    private static readonly byte[] Value = [.. Enumerable.Range(0, 64).Select(i => (byte)i)];

    private readonly ApprovalRecord _approval = new(Plugin, "1.0.0", string.Empty, new string('a', 64), DateTimeOffset.UtcNow, "the benchmark");
    private string? _directory;
    private PostgresServer? _server;
    private ServiceProvider? _provider;
    private IPluginRateLimiter _limiter = null!;
    private IPluginKeyValueStore _store = null!;
    private IApprovalStore _approvals = null!;
    private IAuditLog _audit = null!;
    private int _next;

    /// <summary>What the benchmark prints when PostgreSQL is not installed (the PostgreSQL column is then skipped, not failed).</summary>
    public static string SkipMessage => $"PolicyStoreBenchmarks: the {PostgreSql} column is skipped: {PostgresServer.Missing}.";

    /// <summary>The stores measured: SQLite always, PostgreSQL when its server binaries are installed.</summary>
    public static IEnumerable<string> Stores => PostgresServer.Available ? [Sqlite, PostgreSql] : [Sqlite];

    /// <summary>The store measured.</summary>
    [ParamsSource(nameof(Stores))]
    public string Store { get; set; } = Sqlite;

    /// <summary>Starts the store (and the server) and checks each call does what it is measured for.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("airlock-bench-policy-").FullName;
        if (Store == PostgreSql)
        {
            // Commits wait for the disk, as SQLite's do: PostgreSQL's defaults (fsync on, synchronous_commit on).
            _server = new PostgresServer(fsync: true);
        }

        _provider = new ServiceCollection()
            .AddAirlock(options =>
            {
                if (_server is not null)
                {
                    options.UsePostgreSql(_server.ConnectionString, store => store.Schema = "bench");
                }
                else
                {
                    options.DataDirectory = _directory;
                }
            })
            .BuildServiceProvider();
        _limiter = _provider.GetRequiredService<IPluginRateLimiter>();
        _store = _provider.GetRequiredService<IPluginKeyValueStore>();
        _approvals = _provider.GetRequiredService<IApprovalStore>();
        _audit = _provider.GetRequiredService<IAuditLog>();

        _limiter.SetLimit(Plugin, int.MaxValue / 2, TimeSpan.FromHours(1));
        _approvals.Save(_approval);
        _store.Set(Plugin, Keys[1], Value);
        Check.That(RateLimitAcquire(), $"{Store}: the rate limiter refused a request under a limit of {int.MaxValue / 2}.");
        Check.That(KeyValueGet() is { } read && read.AsSpan().SequenceEqual(Value), $"{Store}: the key-value store did not give back the 64 bytes written.");
        Check.That(ApprovalInForce(), $"{Store}: a saved approval is not in force.");
        AuditDenial();
        AuditAllowedHostCall();
        IReadOnlyList<AuditEntry> trail = _audit.Query(Plugin);
        Check.That(trail.Any(e => e.Action == "bench.denied" && !e.Allowed) && trail.Any(e => e.Action == "bench.allowed" && e.Allowed), $"{Store}: the audit log did not keep the records appended.");
    }

    /// <summary>Stops the store and the server.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _provider?.Dispose();
        _server?.Dispose();
        if (_directory is not null)
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    /// <summary>One permit of the sliding-window request limit (every outbound request of a plugin).</summary>
    [BenchmarkCategory("rate-limit acquire")]
    [Benchmark]
    public bool RateLimitAcquire() => _limiter.TryAcquire(Plugin).Allowed;

    /// <summary><c>host_store_set</c>'s write: 64 bytes under one of 100 keys, durable when it returns.</summary>
    [BenchmarkCategory("key-value set")]
    [Benchmark]
    public void KeyValueSet() => _store.Set(Plugin, Keys[_next++ % Keys.Length], Value);

    /// <summary><c>host_store_get</c>'s read of 64 bytes.</summary>
    [BenchmarkCategory("key-value get")]
    [Benchmark]
    public byte[]? KeyValueGet() => _store.Get(Plugin, Keys[1]);

    /// <summary>The check before every SocialScale host call that needs a permission: is the approval still in force.</summary>
    [BenchmarkCategory("approval check")]
    [Benchmark]
    public bool ApprovalInForce() => _approvals.IsInForce(_approval);

    /// <summary>A denial: committed before the call returns.</summary>
    [BenchmarkCategory("audit denial")]
    [Benchmark]
    public void AuditDenial() => _audit.Record(new AuditEntry(DateTimeOffset.UtcNow, Plugin, "1.0.0", "bench.denied", "https://api.example/x", false, "refused by the benchmark"));

    /// <summary>An allowed host call: aggregated in memory and written by the background writer.</summary>
    [BenchmarkCategory("audit allowed call")]
    [Benchmark]
    public void AuditAllowedHostCall() => _audit.RecordHostCall(new AuditEntry(DateTimeOffset.UtcNow, Plugin, "1.0.0", "bench.allowed", "https://api.example/x", true, null));
}
