// A content-save pipeline through Lesstruct hook plugins.
//
// The app deploys two C plugins into a plugins/ directory (with manifests, the enrich plugin's
// pointing at a loopback exchange-rate service this app starts), opens a SQLite content database,
// and runs content through before_save, after_create, after_publish and before_delete hooks.
// Every host function call the plugins make is audited; the trail is printed at the end.

using System.Text.Json;
using Airlock;
using Airlock.Auditing;
using Airlock.Contracts.Lesstruct;
using Airlock.Discovery;
using Airlock.Lesstruct;
using Airlock.Services;
using ContentPipeline.App;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

string workspace = Path.Combine(Path.GetTempPath(), "airlock-content-" + Environment.ProcessId);
string pluginsPath = Path.Combine(workspace, "plugins");
Directory.CreateDirectory(pluginsPath);

using ILoggerFactory loggerFactory = LoggerFactory.Create(builder => builder
    .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; })
    .SetMinimumLevel(LogLevel.Information)
    .AddFilter("Microsoft", LogLevel.Warning));

await using RatesServer rates = await RatesServer.StartAsync();
Deploy(pluginsPath, rates.BaseAddress);

// The application's content database, and the dedicated connection plugin SQL runs on.
string databasePath = Path.Combine(workspace, "content.db");
await using (var connection = new SqliteConnection($"Data Source={databasePath}"))
{
    connection.Open();
    LesstructSchema.Apply(connection);
    Execute(connection, "INSERT OR IGNORE INTO users (id, email, display_name, role, password_hash) VALUES (42, 'ada@example.com', 'Ada', 'editor', 'not-a-real-hash')");
    Execute(connection, "INSERT OR IGNORE INTO content_items (id, user_id, title, content, status, post_type) VALUES (1, 42, 'Hello', 'First post', 'published', 'post'), (2, 42, 'Pricing', 'Our prices', 'draft', 'page')");
}

using var database = PluginDatabase.OpenFile(databasePath);
using var audit = new SqliteAuditLog(Path.Combine(workspace, "audit.db"));

// Plugins reach only public addresses; the exchange-rate service runs on loopback, so the administrator
// lets them reach exactly that address.
using var http = new PluginHttpClient(new PluginHttpOptions
{
    MaxTimeout = LesstructServicesOptions.DefaultHttpTimeout,
    PrivateNetworkExceptions = { "127.0.0.1" },
});

await using var host = new PluginHost(loggerFactory: loggerFactory);
var options = new LesstructPluginOptions
{
    DirectoryPath = pluginsPath,
    DevelopmentMode = true,
    Services = { Database = database, Audit = audit, LoggerFactory = loggerFactory, Http = http },
};
await using PluginDirectory<ILesstructPlugin> plugins = await LesstructPlugins.OpenAsync(host, options, loggerFactory.CreateLogger("plugins"));
Console.WriteLine($"Plugins serving from {pluginsPath}: {string.Join(", ", plugins.Names)}");
var hooks = new ContentHooks(plugins);

// 1. Create: before_save enriches and redacts the custom fields, then the app stores the item.
var draft = new ContentItem
{
    UserId = 42,
    Title = "Spring Sale: 20% off everything!",
    Content = "Our biggest sale of the year starts today.\nEvery product, every size.",
    Tags = ["sale", "featured"],
    PostType = "product",
    CustomFields = Fields("""{"price":29.99,"currency":"USD","note":"a darn good deal"}"""),
};
ContentItem toSave = await hooks.BeforeSaveAsync(draft);
Console.WriteLine("before_save → customFields " + JsonSerializer.Serialize(toSave.CustomFields, LesstructJsonContext.Default.IReadOnlyDictionaryStringJsonElement));
long id;
await using (var connection = new SqliteConnection($"Data Source={databasePath}"))
{
    connection.Open();
    using SqliteCommand insert = connection.CreateCommand();
    insert.CommandText = "INSERT INTO content_items (user_id, title, content, status, post_type, custom_fields) VALUES ($u, $t, $c, $s, $p, $f) RETURNING id";
    insert.Parameters.AddWithValue("$u", toSave.UserId);
    insert.Parameters.AddWithValue("$t", toSave.Title);
    insert.Parameters.AddWithValue("$c", toSave.Content);
    insert.Parameters.AddWithValue("$s", toSave.Status);
    insert.Parameters.AddWithValue("$p", toSave.PostType);
    insert.Parameters.AddWithValue("$f", JsonSerializer.Serialize(toSave.CustomFields, LesstructJsonContext.Default.IReadOnlyDictionaryStringJsonElement));
    id = (long)insert.ExecuteScalar()!;
}

ContentItem saved = toSave with { ContentId = id };
await hooks.AfterCreateAsync(saved);
Console.WriteLine($"saved as content {id}");

// 2. Publish.
ContentItem published = saved with { Status = "published" };
await hooks.AfterPublishAsync(published);

// 3. Delete a locked item: a plugin refuses, so the app does not delete it.
ContentItem locked = published with { CustomFields = Fields("""{"locked":true}""") };
try
{
    await hooks.BeforeDeleteAsync(locked);
    Console.WriteLine("deleted (unexpected)");
}
catch (ContentHookException refused)
{
    Console.WriteLine($"delete refused by {refused.PluginId}: {refused.InnerException?.Message}");
}

// 4. Development mode: an administrator revokes enrich's HTTP access. The watcher sees the manifest
//    change and reloads enrich alone; its next rates call is denied (and audited), so no price_eur.
var reloaded = new TaskCompletionSource<PluginDirectoryEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
plugins.Changed += (_, change) => reloaded.TrySetResult(change);
File.WriteAllText(Path.Combine(pluginsPath, "enrich.manifest"), $"""
    name = "enrich"
    version = "1.0.1"

    [capabilities]
    database = ["read:content"]

    [config]
    rates_url = "{new Uri(rates.BaseAddress, "/rates")}"
    """);
PluginDirectoryEventArgs change = await reloaded.Task.WaitAsync(TimeSpan.FromSeconds(10));
Console.WriteLine($"{change.Name}: {change.Change}");
ContentItem second = await hooks.BeforeSaveAsync(draft with { Title = "Clearance" });
Console.WriteLine("before_save → customFields " + JsonSerializer.Serialize(second.CustomFields, LesstructJsonContext.Default.IReadOnlyDictionaryStringJsonElement));

Console.WriteLine();
Console.WriteLine("Audit trail:");
foreach (AuditEntry entry in audit.Query())
{
    Console.WriteLine("  " + entry);
}

return 0;

static IReadOnlyDictionary<string, JsonElement> Fields(string json)
    => JsonSerializer.Deserialize(json, LesstructJsonContext.Default.IReadOnlyDictionaryStringJsonElement)!;

static void Execute(SqliteConnection connection, string sql)
{
    using SqliteCommand command = connection.CreateCommand();
    command.CommandText = sql;
    command.ExecuteNonQuery();
}

// Copies the built plugins into the plugins/ directory with their manifests; the enrich plugin may
// call the loopback rates service, and read (only) the content table.
static void Deploy(string pluginsPath, Uri rates)
{
    string built = Path.Combine(AppContext.BaseDirectory, "plugins");
    File.Copy(Path.Combine(built, "enrich.wasm"), Path.Combine(pluginsPath, "enrich.wasm"), overwrite: true);
    File.Copy(Path.Combine(built, "redact.wasm"), Path.Combine(pluginsPath, "redact.wasm"), overwrite: true);
    string ratesUrl = new Uri(rates, "/rates").ToString();
    File.WriteAllText(Path.Combine(pluginsPath, "enrich.manifest"), $"""
        name = "enrich"
        version = "1.0.0"

        [capabilities]
        http = ["{ratesUrl}*"]
        database = ["read:content"]

        [config]
        rates_url = "{ratesUrl}"
        """);
    File.WriteAllText(Path.Combine(pluginsPath, "redact.manifest"), """
        name = "redact"
        version = "1.0.0"
        """);
}
