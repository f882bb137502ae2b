using Airlock.Auditing;
using Airlock.Lesstruct;
using Microsoft.Data.Sqlite;

namespace Airlock.EndToEnd.Tests.Lesstruct;

/// <summary>
/// What a Lesstruct test runs against: a temporary directory, a loopback web server, a content
/// database with one user (42) who has two content items, and an audit log.
/// </summary>
public sealed class LesstructWorkspace : IAsyncDisposable
{
    private LesstructWorkspace(string directory, TestWebServer server, PluginDatabase database, SqliteAuditLog audit)
    {
        Directory = directory;
        Server = server;
        Database = database;
        Audit = audit;
    }

    public string Directory { get; }

    public TestWebServer Server { get; }

    public PluginDatabase Database { get; }

    public SqliteAuditLog Audit { get; }

    public static async Task<LesstructWorkspace> CreateAsync()
    {
        string directory = Path.Combine(Path.GetTempPath(), "airlock-lesstruct-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, "content.db");
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()))
        {
            connection.Open();
            LesstructSchema.Apply(connection);
            using SqliteCommand seed = connection.CreateCommand();
            seed.CommandText = """
                INSERT INTO users (id, email, display_name, role, password_hash) VALUES (42, 'ada@example.com', 'Ada', 'editor', 'x');
                INSERT INTO content_items (id, user_id, title, content) VALUES (1, 42, 'Hello', 'First'), (2, 42, 'Again', 'Second');
                INSERT INTO comments (content_id, author_name, body) VALUES (1, 'Bob', 'Nice');
                """;
            seed.ExecuteNonQuery();
        }

        return new LesstructWorkspace(directory, await TestWebServer.StartAsync(), PluginDatabase.OpenFile(path), new SqliteAuditLog(Path.Combine(directory, "audit.db")));
    }

    public async ValueTask DisposeAsync()
    {
        Audit.Dispose();
        Database.Dispose();
        await Server.DisposeAsync();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
