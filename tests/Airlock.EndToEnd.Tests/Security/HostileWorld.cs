using System.Text;
using Airlock.Auditing;
using Airlock.EndToEnd.Tests.Lesstruct;
using Airlock.Security;
using Airlock.Services;
using Airlock.SocialScale;
using Microsoft.Extensions.Logging;

namespace Airlock.EndToEnd.Tests.Security;

/// <summary>
/// One host with the production SocialScale services — plugin HTTP to a loopback server standing in
/// for <c>api.chirp.example</c>, a SQLite KV store, the event bus, credentials, rate limits and the
/// SQLite audit log — a bystander plugin with every permission, and a value the bystander stored that
/// must survive everything.
/// </summary>
public sealed partial class HostileWorld : IAsyncLifetime
{
    public const string Domain = "api.chirp.example";
    public const string AcknowledgedKey = "acknowledged";
    public const string AcknowledgedValue = "written before the hostile call";

    /// <summary>
    /// The deadline of a call when a case sets no limits of its own: generous, because it only bounds cases that are not
    /// about time (a first HTTPS exchange or a 10,000-line flood can take seconds on a loaded 2-core machine). Every case
    /// about a deadline sets its own, short one and asserts the elapsed time against it.
    /// </summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);

    public static readonly PluginPermissions Everything = new()
    {
        NetworkDomains = [Domain],
        StorageAccess = true,
        EventEmit = true,
        CredentialPlatform = "chirp",
    };

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "airlock-hostile-" + Guid.NewGuid().ToString("N"));
    private readonly List<IHostileProbe> _loaded = [];
    private int _next;

    public PluginHost Host { get; }

    public TestWebServer Server { get; private set; } = null!;

    public SqliteKeyValueStore Store { get; private set; } = null!;

    public SqliteAuditLog Audit { get; private set; } = null!;

    public PluginEventBus Events { get; private set; } = null!;

    public PluginRateLimiter RateLimiter { get; private set; } = null!;

    public SocialScaleServices Services { get; private set; } = null!;

    public System.Collections.Concurrent.ConcurrentQueue<string> Logs => _logs.Messages;

    public IHostileProbe Bystander { get; private set; } = null!;

    /// <summary>The clock of the per-plugin log rate limit: it stands still unless a case advances it.</summary>
    public Microsoft.Extensions.Time.Testing.FakeTimeProvider LogClock { get; } = new();

    private readonly Airlock.Host.Tests.CapturingLoggerProvider _logs = new();
    private readonly ILoggerFactory _loggers;

    public HostileWorld()
    {
        // The host logs where the services do: plugins' WASI output and host_log land in the same place.
        _loggers = LoggerFactory.Create(builder => builder.AddProvider(_logs));
        Host = new PluginHost(loggerFactory: _loggers);
    }

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        Server = await TestWebServer.StartAsync();
        Store = new SqliteKeyValueStore(Path.Combine(_directory, "kv.db"), new KeyValueLimits { MaxKeyBytes = 256, MaxValueBytes = 64 * 1024 });
        Audit = new SqliteAuditLog(Path.Combine(_directory, "audit.db"));
        // The bus's per-plugin rate runs on a clock that stands still, so a flood meets exactly its burst.
        Events = new PluginEventBus(new PluginEventBusOptions { Capacity = 64, MaxEventsPerSecondPerPlugin = 20 }, timeProvider: new Microsoft.Extensions.Time.Testing.FakeTimeProvider());
        RateLimiter = new PluginRateLimiter();
        var http = new PluginHttpOptions { AllowHttp = true, MaxTimeout = TimeSpan.FromSeconds(5) };
        http.Upstreams[Domain] = Server.BaseAddress;

        // Lesstruct plugins share this executor; their URL patterns name the loopback server's address, which the
        // administrator lets plugins reach.
        http.PrivateNetworkExceptions.Add("127.0.0.1");
        var credentials = new InMemoryCredentialStore();
        credentials.Set("chirp", new PluginCredential("secret-access-token", "secret-refresh-token"));
        Services = new SocialScaleServices(new PluginHttpClient(http), RateLimiter, new LogRateLimiter(new LogRateLimiterOptions { LinesPerSecond = 5, Burst = 20 }, LogClock))
        {
            KeyValueStore = Store,
            Events = Events,
            Credentials = credentials,
            Audit = Audit,
            LoggerFactory = _loggers,
        };
        Bystander = await LoadAsync(Everything, id: "bystander");
        Bystander.Invoke(HostileAction.StoreSet, Bytes(AcknowledgedKey), Bytes(AcknowledgedValue));
    }

    public async Task DisposeAsync()
    {
        foreach (IHostileProbe probe in _loaded)
        {
            await probe.DisposeAsync();
        }

        await DisposeLesstructAsync();

        await Host.DisposeAsync();
        _loggers.Dispose();
        await Events.DisposeAsync();
        RateLimiter.Dispose();
        Services.Http.Dispose();
        Store.Dispose();
        Audit.Dispose();
        await Server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>
    /// Loads a fresh probe with the given permissions and limits under a new id: the WAT probe, or
    /// <paramref name="module"/>, with the WASI <paramref name="wasi"/> (the host's default when null),
    /// on another host and with other services when given. Its WASI output shares the log rate limit
    /// of its host_log, as the SocialScale loader arranges.
    /// </summary>
    public async Task<IHostileProbe> LoadAsync(PluginPermissions permissions, PluginLimits? limits = null, string? id = null, HostResultEncoding hostResults = HostResultEncoding.StatusCodes, System.Text.Json.JsonElement? configuration = null, SocialScaleServices? services = null, PluginHost? host = null, byte[]? module = null, WasiPolicy? wasi = null)
    {
        id ??= "hostile-" + Interlocked.Increment(ref _next);
        var functions = new SocialScaleHostServices(id, "1.0.0", permissions, services ?? Services);
        // The hostile suite reads the negative status codes host functions answer with; the seed-style tests read the plain encoding.
        var options = new PluginLoadOptions { HostResults = hostResults, Configuration = configuration, Limits = limits ?? PluginLimits.Default with { Timeout = CallTimeout, MemoryBytes = 8L * 1024 * 1024, MaxInstances = 2 }, Wasi = wasi, LogLimiter = (services ?? Services).LogLimiter }
            .AddImports<Airlock.Contracts.SocialScale.ISocialScaleHost>(functions);
        IHostileProbe probe = await (host ?? Host).LoadModuleAsync<IHostileProbe>(id, module ?? HostileProbeModule.Compile(), options);
        if (host is null)
        {
            _loaded.Add(probe);
        }

        return probe;
    }

    /// <summary>Loads the C connector through the secure loader (approved automatically) with the given permissions and limits JSON members.</summary>
    public async Task<Airlock.Contracts.SocialScale.ISocialScalePlugin> LoadChirpAsync(string permissions, string limits = "")
    {
        string folder = Path.Combine(_directory, "chirp-" + Interlocked.Increment(ref _next));
        Directory.CreateDirectory(folder);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "plugins", "chirp-c", "chirp.wasm"), Path.Combine(folder, "chirp.wasm"));
        string manifest = Path.Combine(folder, "plugin.json");
        File.WriteAllText(manifest, $$$"""
            {"id": "com.airlock.samples.chirp-c", "name": "Chirp", "version": "1.0.0", "capabilities": ["platform_connector"],
             "wasm_path": "chirp.wasm", "permissions": { {{{permissions}}} }, "limits": { {{{limits}}} } }
            """);
        using var approvals = new SqliteApprovalStore(Path.Combine(folder, "approvals.db"));
        var loader = new SocialScalePluginLoader(Host, new PluginApprovals(approvals, new AutoApprovePolicy(), Audit), new PluginLimitPolicy(), Services);
        return await loader.LoadAsync(manifest);
    }

    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    public static string HttpRequestJson(string url) => "{\"url\":\"" + url + "\"}";
}
