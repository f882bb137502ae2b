using System.Globalization;
using Airlock;
using Airlock.Auditing;
using Airlock.PostgreSql;
using Airlock.Security;
using Airlock.Services;
using Airlock.SocialScale;
using Microsoft.Extensions.DependencyInjection;

// An application instance sharing its policy state on PostgreSQL. Arguments: the connection string, the schema,
// this instance's name, and "approve" (an administrator approves what is asked) or "deny" (only stored approvals).
// Commands arrive one per line on stdin; each gets one line of answer on stdout. A store that cannot be reached
// answers "unavailable <store>" (the typed PolicyStoreUnavailableException), never a crash.
if (args.Length != 4)
{
    Console.Error.WriteLine("usage: FleetNode <connection string> <schema> <instance name> approve|deny");
    return 2;
}

string instance = args[2];
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

return 0;

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
