using System.Collections.Frozen;
using Microsoft.Data.Sqlite;

namespace Airlock.Lesstruct;

/// <summary>
/// The Lesstruct application schema: the eleven tables a Lesstruct database holds, which of them a plugin
/// manifest can grant, and the SQL that creates them.
/// </summary>
/// <remarks>
/// Three tables are grantable, each under a short manifest name: <c>content_items</c> (<c>content</c>),
/// <c>media_files</c> (<c>media</c>) and <c>users</c> (<c>users</c>). The other eight are never available to
/// plugin SQL, whatever a manifest says. <see cref="Apply"/> is idempotent: every table and index is created
/// with <c>IF NOT EXISTS</c>, so it can run at every start.
/// </remarks>
public static class LesstructSchema
{
    /// <summary>The SQL that creates the eleven tables and their indexes (idempotent).</summary>
    public const string Sql = """
        CREATE TABLE IF NOT EXISTS users (
            id            INTEGER PRIMARY KEY,
            email         TEXT    NOT NULL UNIQUE COLLATE NOCASE,
            display_name  TEXT    NOT NULL DEFAULT '',
            role          TEXT    NOT NULL DEFAULT 'author',
            password_hash TEXT    NOT NULL,
            created_at    TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
        );

        CREATE TABLE IF NOT EXISTS content_items (
            id            INTEGER PRIMARY KEY,
            user_id       INTEGER NOT NULL REFERENCES users (id),
            title         TEXT    NOT NULL DEFAULT '',
            content       TEXT    NOT NULL DEFAULT '',
            tags          TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(tags)),
            status        TEXT    NOT NULL DEFAULT 'draft',
            post_type     TEXT    NOT NULL DEFAULT 'post',
            custom_fields TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(custom_fields)),
            created_at    TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
            updated_at    TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
        );
        CREATE INDEX IF NOT EXISTS content_items_user_id ON content_items (user_id);
        CREATE INDEX IF NOT EXISTS content_items_status_type ON content_items (status, post_type);

        CREATE TABLE IF NOT EXISTS media_files (
            id         INTEGER PRIMARY KEY,
            user_id    INTEGER NOT NULL REFERENCES users (id),
            file_name  TEXT    NOT NULL,
            mime_type  TEXT    NOT NULL,
            size_bytes INTEGER NOT NULL DEFAULT 0 CHECK (size_bytes >= 0),
            url        TEXT    NOT NULL,
            created_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
        );
        CREATE INDEX IF NOT EXISTS media_files_user_id ON media_files (user_id);

        CREATE TABLE IF NOT EXISTS comments (
            id           INTEGER PRIMARY KEY,
            content_id   INTEGER NOT NULL REFERENCES content_items (id) ON DELETE CASCADE,
            user_id      INTEGER REFERENCES users (id) ON DELETE SET NULL,
            author_name  TEXT    NOT NULL DEFAULT '',
            author_email TEXT    NOT NULL DEFAULT '',
            body         TEXT    NOT NULL,
            status       TEXT    NOT NULL DEFAULT 'pending',
            created_at   TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
        );
        CREATE INDEX IF NOT EXISTS comments_content_id ON comments (content_id);

        CREATE TABLE IF NOT EXISTS blocked_emails (
            id         INTEGER PRIMARY KEY,
            email      TEXT    NOT NULL UNIQUE COLLATE NOCASE,
            reason     TEXT    NOT NULL DEFAULT '',
            created_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
        );

        CREATE TABLE IF NOT EXISTS failed_login_attempts (
            id           INTEGER PRIMARY KEY,
            email        TEXT    NOT NULL COLLATE NOCASE,
            ip_address   TEXT    NOT NULL DEFAULT '',
            attempted_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
        );
        CREATE INDEX IF NOT EXISTS failed_login_attempts_email ON failed_login_attempts (email, attempted_at);

        CREATE TABLE IF NOT EXISTS verification_tokens (
            id         INTEGER PRIMARY KEY,
            user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            token_hash TEXT    NOT NULL UNIQUE,
            expires_at TEXT    NOT NULL,
            created_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
        );
        CREATE INDEX IF NOT EXISTS verification_tokens_user_id ON verification_tokens (user_id);

        CREATE TABLE IF NOT EXISTS password_reset_tokens (
            id         INTEGER PRIMARY KEY,
            user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            token_hash TEXT    NOT NULL UNIQUE,
            expires_at TEXT    NOT NULL,
            used_at    TEXT,
            created_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
        );
        CREATE INDEX IF NOT EXISTS password_reset_tokens_user_id ON password_reset_tokens (user_id);

        CREATE TABLE IF NOT EXISTS email_update_tokens (
            id         INTEGER PRIMARY KEY,
            user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            new_email  TEXT    NOT NULL COLLATE NOCASE,
            token_hash TEXT    NOT NULL UNIQUE,
            expires_at TEXT    NOT NULL,
            created_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
        );
        CREATE INDEX IF NOT EXISTS email_update_tokens_user_id ON email_update_tokens (user_id);

        CREATE TABLE IF NOT EXISTS soft_deleted_content (
            id         INTEGER PRIMARY KEY,
            content_id INTEGER NOT NULL,
            user_id    INTEGER NOT NULL,
            title      TEXT    NOT NULL DEFAULT '',
            data       TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(data)),
            deleted_by INTEGER,
            deleted_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
        );
        CREATE INDEX IF NOT EXISTS soft_deleted_content_content_id ON soft_deleted_content (content_id);

        CREATE TABLE IF NOT EXISTS api_keys (
            id           INTEGER PRIMARY KEY,
            user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            name         TEXT    NOT NULL DEFAULT '',
            key_prefix   TEXT    NOT NULL,
            key_hash     TEXT    NOT NULL UNIQUE,
            last_used_at TEXT,
            revoked_at   TEXT,
            created_at   TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
        );
        CREATE INDEX IF NOT EXISTS api_keys_user_id ON api_keys (user_id);
        """;

    private static readonly FrozenDictionary<string, string> TablesByPermissionName = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["content"] = "content_items",
        ["media"] = "media_files",
        ["users"] = "users",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenDictionary<string, string> PermissionNamesByTable =
        TablesByPermissionName.ToFrozenDictionary(pair => pair.Value, pair => pair.Key, StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenSet<string> NeverGrantable = new[]
    {
        "comments", "blocked_emails", "failed_login_attempts", "verification_tokens",
        "password_reset_tokens", "email_update_tokens", "soft_deleted_content", "api_keys",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>The three tables a manifest can grant: <c>content_items</c>, <c>media_files</c>, <c>users</c>.</summary>
    public static IReadOnlyList<string> GrantableTables { get; } = ["content_items", "media_files", "users"];

    /// <summary>The eight tables plugin SQL may never read or write, whatever the manifest says.</summary>
    public static IReadOnlyList<string> NeverGrantableTables { get; } =
    [
        "comments", "blocked_emails", "failed_login_attempts", "verification_tokens",
        "password_reset_tokens", "email_update_tokens", "soft_deleted_content", "api_keys",
    ];

    /// <summary>All eleven Lesstruct tables.</summary>
    public static IReadOnlyList<string> AllTables { get; } = [.. GrantableTables, .. NeverGrantableTables];

    /// <summary>
    /// The table a manifest permission name stands for: <c>content</c> → <c>content_items</c>,
    /// <c>media</c> → <c>media_files</c>, <c>users</c> → <c>users</c> (case-insensitive).
    /// </summary>
    /// <param name="permissionName">The name after <c>read:</c> or <c>write:</c> in a manifest.</param>
    /// <returns>The table's name, or <see langword="null"/> when the name grants no table.</returns>
    public static string? TableForPermissionName(string permissionName)
    {
        ArgumentNullException.ThrowIfNull(permissionName);
        return TablesByPermissionName.GetValueOrDefault(permissionName);
    }

    /// <summary>The manifest permission name of a grantable table (<c>content_items</c> → <c>content</c>).</summary>
    /// <param name="table">A table name (case-insensitive).</param>
    /// <returns>The permission name, or <see langword="null"/> when the table is not grantable.</returns>
    public static string? PermissionNameForTable(string table)
    {
        ArgumentNullException.ThrowIfNull(table);
        return PermissionNamesByTable.GetValueOrDefault(table);
    }

    /// <summary>Whether a manifest can grant access to the table (case-insensitive).</summary>
    /// <param name="table">A table name.</param>
    public static bool IsGrantable(string table)
    {
        ArgumentNullException.ThrowIfNull(table);
        return PermissionNamesByTable.ContainsKey(table);
    }

    /// <summary>Whether the table is one of the eight Lesstruct tables plugins never get (case-insensitive).</summary>
    /// <param name="table">A table name.</param>
    public static bool IsNeverGrantable(string table)
    {
        ArgumentNullException.ThrowIfNull(table);
        return NeverGrantable.Contains(table);
    }

    /// <summary>
    /// Creates whatever is missing of the Lesstruct schema on an open connection, in one transaction.
    /// Existing tables are left as they are (nothing is altered or migrated).
    /// </summary>
    /// <param name="connection">An open connection to the application's database.</param>
    /// <exception cref="InvalidOperationException">The connection is not open.</exception>
    /// <exception cref="SqliteException">SQLite refused the schema.</exception>
    public static void Apply(SqliteConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (connection.State != System.Data.ConnectionState.Open)
        {
            throw new InvalidOperationException("The connection must be open to apply the Lesstruct schema.");
        }

        using SqliteTransaction transaction = connection.BeginTransaction();
        using (SqliteCommand command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = Sql;
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }
}
