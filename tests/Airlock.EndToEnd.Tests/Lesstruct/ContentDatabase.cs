using Airlock.Lesstruct;
using Microsoft.Data.Sqlite;

namespace Airlock.EndToEnd.Tests.Lesstruct;

/// <summary>A Lesstruct content database with one user (42) who has two content items.</summary>
internal static class ContentDatabase
{
    public static void Create(string path)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
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
}
