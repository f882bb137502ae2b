using Microsoft.Data.Sqlite;

namespace Airlock.Runtime;

/// <summary>
/// Opens the SQLite files Airlock keeps its own records in (audit log, approvals, key-value store):
/// no connection pooling, WAL journal, synchronous writes, so a row is on disk when the write returns.
/// </summary>
internal static class DurableSqlite
{
    /// <summary>Opens <paramref name="path"/> (creating it) and runs <paramref name="schema"/>.</summary>
    /// <param name="path">The database file.</param>
    /// <param name="schema">Idempotent DDL (<c>CREATE TABLE IF NOT EXISTS ...</c>).</param>
    public static SqliteConnection Open(string path, string schema)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        try
        {
            connection.Open();
            using SqliteCommand setup = connection.CreateCommand();
            setup.CommandText = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;\n" + schema;
            setup.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }
}
