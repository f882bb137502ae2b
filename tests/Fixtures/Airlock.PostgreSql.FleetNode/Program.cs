using System.Globalization;
using Airlock;
using Airlock.Auditing;
using Airlock.Contracts.SocialScale;
using Airlock.PostgreSql;
using Airlock.Security;
using Airlock.Services;
using Airlock.SocialScale;
using Microsoft.Extensions.DependencyInjection;

// An application instance sharing its policy state on PostgreSQL. Arguments: the connection string, the schema,
// this instance's name, and "approve" (an administrator approves what is asked) or "deny" (only stored approvals);
// then optionally "chirp=<url>" (where api.chirp.example is served: the Chirp stand-in the test runs) and
// "http-limit=<n>" (the administrator's requests per hour for the Chirp connectors, instead of their manifest's 1,000).
// Commands arrive one per line on stdin; each gets one line of answer on stdout. A store that cannot be reached
// answers "unavailable <store>" (the typed PolicyStoreUnavailableException), never a crash.
if (args.Length < 4 || args.Skip(4).Any(a => !a.StartsWith("chirp=", StringComparison.Ordinal) && !a.StartsWith("http-limit=", StringComparison.Ordinal)))
{
    Console.Error.WriteLine("usage: FleetNode <connection string> <schema> <instance name> approve|deny [chirp=<url>] [http-limit=<n>]");
    return 2;
}

string instance = args[2];
string? chirp = args.Skip(4).FirstOrDefault(a => a.StartsWith("chirp=", StringComparison.Ordinal))?["chirp=".Length..];
string? httpLimit = args.Skip(4).FirstOrDefault(a => a.StartsWith("http-limit=", StringComparison.Ordinal))?["http-limit=".Length..];
await using ServiceProvider provider = new ServiceCollection()
    .AddAirlock(options =>
    {
        // "sqlite:<directory>" runs the same instance on the one-process SQLite stores, to compare costs.
        if (args[0].StartsWith("sqlite:", StringComparison.Ordinal))
        {
            options.DataDirectory = args[0]["sqlite:".Length..];
        }
        else
        {
            options.UsePostgreSql(args[0], store => store.Schema = args[1]);
        }

        options.ApprovalPolicy = args[3] == "approve" ? new DelegateApprovalPolicy("administrator at " + instance, (_, _) => ValueTask.FromResult(true)) : new DenyAllPolicy();
        if (chirp is not null)
        {
            options.Http.Upstreams["api.chirp.example"] = new Uri(chirp);
        }

        if (httpLimit is not null)
        {
            int perHour = int.Parse(httpLimit, CultureInfo.InvariantCulture);
            options.Limits.Overrides["com.airlock.samples.chirp-c"] = new PluginLimitOverride(HttpRequestsPerHour: perHour);
            options.Limits.Overrides["com.airlock.samples.chirp-rust"] = new PluginLimitOverride(HttpRequestsPerHour: perHour);
        }
    })
    .BuildServiceProvider();

// Fail fast at start-up: resolving a store creates or migrates the schema.
IApprovalStore approvals = provider.GetRequiredService<IApprovalStore>();
IPluginRateLimiter limiter = provider.GetRequiredService<IPluginRateLimiter>();
IPluginKeyValueStore kv = provider.GetRequiredService<IPluginKeyValueStore>();
IAuditLog audit = provider.GetRequiredService<IAuditLog>();
PluginApprovals gate = provider.GetRequiredService<PluginApprovals>();
PostgreSqlPolicyDatabase? database = provider.GetService<PostgreSqlPolicyDatabase>();
ApprovalRecord? current = null;
ISocialScalePlugin? plugin = null;
Console.WriteLine("ready " + instance);

while (Console.ReadLine() is { } line)
{
    string[] words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    if (words.Length == 0)
    {
        continue;
    }

    string answer;
    try
    {
        answer = words[0] switch
        {
            "acquire" => Acquire(words[1], int.Parse(words[2], CultureInfo.InvariantCulture)),
            "approve" => await Approve(words[1]),
            "inforce" => current is null ? "none" : approvals.IsInForce(current) ? "yes" : "no",
            "listening" => database is { Listening: true } ? "yes" : "no",
            "bench" => Bench(words[1], int.Parse(words[2], CultureInfo.InvariantCulture)),
            "revoke" => Revoke(words[1]),
            "kv" => Put(words[1], words[2], words[3]),
            "keys" => string.Join(',', kv.Keys(words[1])),
            "audit" => Audit(words[1], words[2], words[3]),
            "flush" => Flush(),
            "instance" => database?.Instance ?? "sqlite",
            "load" => await Load(words[1]),
            "publish" => await Publish(int.Parse(words[1], CultureInfo.InvariantCulture), words[2]),
            "cache" => await Cache(words[1], words[2], int.Parse(words[3], CultureInfo.InvariantCulture), int.Parse(words[4], CultureInfo.InvariantCulture)),
            "quit" => "bye",
            _ => "unknown command " + words[0],
        };
    }
    catch (PolicyStoreUnavailableException exception)
    {
        answer = "unavailable " + exception.Store;
    }

    Console.WriteLine(answer);
    if (words[0] == "quit")
    {
        break;
    }
}

if (plugin is not null)
{
    await plugin.DisposeAsync();
}

return 0;

// Loads a SocialScale connector the way an application does (SocialScalePluginLoader: the approval gate, the limits,
// the capability-checked host services on the shared stores).
async Task<string> Load(string manifestPath)
{
    try
    {
        ISocialScalePlugin loaded = await provider.GetRequiredService<SocialScalePluginLoader>().LoadAsync(manifestPath);
        if (plugin is not null)
        {
            await plugin.DisposeAsync();
        }

        plugin = loaded;
        return "loaded " + loaded.Info.Id;
    }
    catch (PluginApprovalException)
    {
        return "refused";
    }
}

// Calls the plugin's publish export n times; each call makes one outbound request through host_http_request and, when
// the platform accepts the post, stores it with host_store_set. Answers what happened:
// "published <n> ids <post ids|-> errors <code:count,...|->".
async Task<string> Publish(int count, string label)
{
    if (plugin is null)
    {
        return "not loaded";
    }

    var ids = new List<string>();
    var errors = new SortedDictionary<string, int>(StringComparer.Ordinal);
    for (int i = 0; i < count; i++)
    {
        try
        {
            PublishResult published = await plugin.PublishAsync($"{label} {i} from {instance}");
            ids.Add(published.PostId);
        }
        catch (PluginErrorException error)
        {
            errors[error.Code] = errors.GetValueOrDefault(error.Code) + 1;
        }
    }

    string Or(string text) => text.Length == 0 ? "-" : text;
    return $"published {ids.Count} ids {Or(string.Join(',', ids))} errors {Or(string.Join(',', errors.Select(e => $"{e.Key}:{e.Value}")))}";
}

// An instance sharing a module cache directory with others: each round is a fresh PluginHost (nothing in memory) that
// loads the module through the directory (compiling and publishing it, or reading a published file) and calls it.
// Every deleteEvery-th round first deletes the directory's files, as another instance's eviction would, so the
// instances compile and publish the same module again at the same time. Answers
// "rounds <n> compiled <n> read <n> rejected <n> calls <n>".
async Task<string> Cache(string directory, string wasm, int rounds, int deleteEvery)
{
    const string id = "com.airlock.samples.chirp-c";
    long compiled = 0, read = 0, rejected = 0, calls = 0;
    for (int round = 0; round < rounds; round++)
    {
        if (deleteEvery > 0 && round % deleteEvery == deleteEvery - 1)
        {
            foreach (string file in Directory.EnumerateFiles(directory, "*.airmod"))
            {
                File.Delete(file);
            }
        }

        var hostFunctions = new SocialScaleHostServices(id, "1.0.0", PluginPermissions.None, provider.GetRequiredService<SocialScaleServices>());
        await using var host = new PluginHost(new PluginHostOptions { ModuleCache = new ModuleCacheOptions { Directory = directory } });
        await using (ISocialScalePlugin loaded = await host.LoadFileAsync<ISocialScalePlugin>(id, "1.0.0", wasm, options: new PluginLoadOptions().AddImports<ISocialScaleHost>(hostFunctions)))
        {
            PluginCapabilities capabilities = await loaded.GetCapabilitiesAsync();
            if (capabilities.Platforms is ["chirp"])
            {
                calls++;
            }
        }

        ModuleCacheStatistics statistics = host.ModuleCacheStatistics;
        compiled += statistics.Compilations;
        read += statistics.DiskHits;
        rejected += statistics.RejectedFiles;
    }

    return $"rounds {rounds} compiled {compiled} read {read} rejected {rejected} calls {calls}";
}

string Acquire(string plugin, int count)
{
    int allowed = 0, refused = 0, unavailable = 0;
    for (int i = 0; i < count; i++)
    {
        try
        {
            if (limiter.TryAcquire(plugin).Allowed)
            {
                allowed++;
            }
            else
            {
                refused++;
            }
        }
        catch (PolicyStoreUnavailableException)
        {
            unavailable++;
        }
    }

    return $"allowed {allowed} refused {refused} unavailable {unavailable}";
}

async Task<string> Approve(string manifestPath)
{
    PluginManifest manifest = SocialScaleManifest.Load(manifestPath, provider.GetRequiredService<AirlockOptions>().Host.Manifests);
    try
    {
        current = await gate.EnsureApprovedAsync(manifest);
        return "approved by " + current.ApprovedBy;
    }
    catch (PluginApprovalException)
    {
        return "refused";
    }
}

string Revoke(string plugin)
{
    int removed = approvals.Revoke(plugin);
    audit.Record(new AuditEntry(DateTimeOffset.UtcNow, plugin, "*", "approval.revoke", $"{removed} approvals", true, "revoked at " + instance));
    return "revoked " + removed.ToString(CultureInfo.InvariantCulture);
}

string Put(string plugin, string key, string value)
{
    kv.Set(plugin, key, System.Text.Encoding.UTF8.GetBytes(value));
    return "ok";
}

string Audit(string plugin, string action, string target)
{
    audit.Record(new AuditEntry(DateTimeOffset.UtcNow, plugin, "1", action, target, true, instance));
    return "ok";
}

string Flush()
{
    ((BatchingAuditLog)audit).Flush();
    return "ok";
}

// The cost of one call of each store, in microseconds (mean of n sequential calls from this instance).
string Bench(string plugin, int count)
{
    var record = new ApprovalRecord(plugin, "1", "", new string('c', 64), DateTimeOffset.UtcNow, "bench");
    approvals.Save(record);
    limiter.SetLimit(plugin, int.MaxValue / 2, TimeSpan.FromHours(1));
    double Time(Action call)
    {
        call();
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        for (int i = 0; i < count; i++)
        {
            call();
        }

        return System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMicroseconds / count;
    }

    int n = 0;
    byte[] value = new byte[64];
    double acquire = Time(() => limiter.TryAcquire(plugin));
    double set = Time(() => kv.Set(plugin, "k" + (n++ % 100).ToString(CultureInfo.InvariantCulture), value));
    double get = Time(() => kv.Get(plugin, "k1"));
    double inForce = Time(() => approvals.IsInForce(record));
    double denial = Time(() => audit.Record(new AuditEntry(DateTimeOffset.UtcNow, plugin, "1", "bench.denied", "x", false, null)));
    return string.Create(CultureInfo.InvariantCulture, $"acquire {acquire:0.0} kv-set {set:0.0} kv-get {get:0.0} in-force {inForce:0.00} audit-denial {denial:0.0} us");
}
