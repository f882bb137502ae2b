using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Airlock.Lesstruct;
using Microsoft.Data.Sqlite;

namespace Airlock.Host.Tests;

/// <summary>A temporary directory for the plugin database tests' SQLite files, deleted when the class is done.</summary>
public sealed class PluginDatabaseDirectory : IDisposable
{
    /// <summary>The directory.</summary>
    public string Path { get; } = Directory.CreateTempSubdirectory("airlock-plugindb-").FullName;

    /// <inheritdoc/>
    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(DbQueryResult))]
[JsonSerializable(typeof(DbExecResult))]
internal sealed partial class PluginDbJsonContext : JsonSerializerContext;

/// <summary>
/// Plugin SQL against a real SQLite file (a fresh one per test): what the authorizer lets through, what it refuses
/// and how, parameters, limits, and that a failed call leaves nothing behind.
/// </summary>
public sealed class PluginDatabaseTests : IClassFixture<PluginDatabaseDirectory>, IDisposable
{
    private static readonly TableGrants ReadContent = TableGrants.None.Grant("content", canRead: true, canWrite: false);
    private static readonly TableGrants WriteContent = TableGrants.None.Grant("content", canRead: false, canWrite: true);
    private static readonly TableGrants Everything = TableGrants.Create(
        new TableGrant("content_items", true, true),
        new TableGrant("media_files", true, true),
        new TableGrant("users", true, true));

    private static readonly string[] NeverGrantable =
    [
        "comments", "blocked_emails", "failed_login_attempts", "verification_tokens",
        "password_reset_tokens", "email_update_tokens", "soft_deleted_content", "api_keys",
    ];

    private readonly string _file;
    private readonly SqliteConnection _app;
    private readonly PluginDatabase _db;

    public PluginDatabaseTests(PluginDatabaseDirectory directory)
    {
        _file = Path.Combine(directory.Path, Guid.NewGuid().ToString("N") + ".db");
        _app = new SqliteConnection($"Data Source={_file};Pooling=False");
        _app.Open();
        LesstructSchema.Apply(_app);
        AppExec("""
            INSERT INTO users (id, email, display_name, role, password_hash) VALUES
                (1, 'alice@example.com', 'Alice', 'admin', 'hash-a'),
                (2, 'bob@example.com', 'Bob', 'author', 'hash-b');
            INSERT INTO content_items (id, user_id, title, content, tags, status, post_type, custom_fields) VALUES
                (1, 1, 'Hello', 'First post', '["featured","sale"]', 'published', 'post', '{"price":29.99}'),
                (2, 2, 'Draft', 'Not yet', '[]', 'draft', 'product', '{}');
            INSERT INTO media_files (id, user_id, file_name, mime_type, size_bytes, url) VALUES
                (1, 1, 'a.png', 'image/png', 1234, '/media/a.png');
            INSERT INTO comments (id, content_id, user_id, body) VALUES (1, 1, 2, 'Nice');
            INSERT INTO blocked_emails (email, reason) VALUES ('spam@example.com', 'spam');
            INSERT INTO failed_login_attempts (email, ip_address) VALUES ('alice@example.com', '10.0.0.1');
            INSERT INTO verification_tokens (user_id, token_hash, expires_at) VALUES (1, 'vt', '2099-01-01');
            INSERT INTO password_reset_tokens (user_id, token_hash, expires_at) VALUES (1, 'prt', '2099-01-01');
            INSERT INTO email_update_tokens (user_id, new_email, token_hash, expires_at) VALUES (1, 'a2@example.com', 'eut', '2099-01-01');
            INSERT INTO soft_deleted_content (content_id, user_id, title) VALUES (9, 1, 'Gone');
            INSERT INTO api_keys (id, user_id, name, key_prefix, key_hash) VALUES (1, 1, 'ci', 'lk_live', 'secret-hash');
            """);
        _db = PluginDatabase.OpenFile(_file);
    }

    public void Dispose()
    {
        _db.Dispose();
        _app.Dispose();
    }

    // ---- allowed reads and writes -------------------------------------------------------------------------

    [Fact]
    public void A_select_on_a_granted_table_returns_columns_and_typed_rows()
    {
        DbQueryResult result = _db.Query("SELECT id, title, tags, custom_fields FROM content_items ORDER BY id", null, ReadContent);
        Assert.Equal(["id", "title", "tags", "custom_fields"], result.Columns);
        Assert.Equal(2, result.Rows.Count);
        JsonObject first = result.Rows[0];
        Assert.Equal(1L, first["id"]!.GetValue<long>());
        Assert.Equal("Hello", first["title"]!.GetValue<string>());
        Assert.Equal("""["featured","sale"]""", first["tags"]!.GetValue<string>());
    }

    [Fact]
    public void Insert_update_and_delete_on_a_granted_table_are_allowed()
    {
        DbExecResult inserted = _db.Execute(
            "INSERT INTO content_items (user_id, title) VALUES (?, ?)", Json("""[1, "New"]"""), WriteContent);
        Assert.Equal(1, inserted.RowsAffected);
        Assert.Equal(3, inserted.LastInsertId);
        Assert.Equal("New", AppScalar("SELECT title FROM content_items WHERE id = 3"));

        DbExecResult updated = _db.Execute("UPDATE content_items SET status = 'archived' WHERE id = 3", null, WriteContent);
        Assert.Equal(1, updated.RowsAffected);
        Assert.Equal(0, updated.LastInsertId);
        Assert.Equal("archived", AppScalar("SELECT status FROM content_items WHERE id = 3"));

        DbExecResult deleted = _db.Execute("DELETE FROM content_items WHERE id = 3", null, WriteContent);
        Assert.Equal(1, deleted.RowsAffected);
        Assert.Equal(0L, AppScalar("SELECT count(*) FROM content_items WHERE id = 3"));
    }

    [Fact]
    public void Writing_a_table_may_read_it_in_the_same_statement_with_write_only()
    {
        _db.Execute("UPDATE content_items SET title = title || '!' WHERE status = (SELECT status FROM content_items WHERE id = 1)", null, WriteContent);
        Assert.Equal("Hello!", AppScalar("SELECT title FROM content_items WHERE id = 1"));
        _db.Execute("DELETE FROM content_items WHERE id IN (SELECT id FROM content_items WHERE status = 'draft')", null, WriteContent);
        Assert.Equal(1L, AppScalar("SELECT count(*) FROM content_items"));
    }

    [Fact]
    public void A_recursive_cte_is_allowed()
    {
        DbQueryResult result = _db.Query("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5) SELECT x FROM c", null, TableGrants.None);
        Assert.Equal([1L, 2L, 3L, 4L, 5L], result.Rows.Select(r => r["x"]!.GetValue<long>()));
    }

    [Fact]
    public void Json_table_valued_functions_over_a_granted_table_are_allowed()
    {
        DbQueryResult result = _db.Query("SELECT value FROM content_items, json_each(content_items.tags) WHERE content_items.id = 1", null, ReadContent);
        Assert.Equal(["featured", "sale"], result.Rows.Select(r => r["value"]!.GetValue<string>()));
    }

    // ---- refused tables -----------------------------------------------------------------------------------

    [Fact]
    public void Reading_a_grantable_table_without_read_permission_is_refused()
    {
        var error = QueryFails("SELECT * FROM users", ReadContent, PluginDatabaseErrorCodes.TableNotAllowed);
        Assert.Equal("db_query may not read table 'users': the manifest does not grant read:users", error.Message);
        Assert.Equal("users", error.Table);

        error = QueryFails("SELECT * FROM content_items", WriteContent, PluginDatabaseErrorCodes.TableNotAllowed);
        Assert.Contains("the manifest grants write:content only", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Writing_a_table_granted_for_reading_only_is_refused()
    {
        TableGrants readUsers = TableGrants.None.Grant("users", canRead: true, canWrite: false);
        var error = ExecFails("UPDATE users SET role = 'admin'", readUsers, PluginDatabaseErrorCodes.TableNotAllowed);
        Assert.Equal("db_exec may not write table 'users': the manifest grants read:users only", error.Message);
        error = ExecFails("DELETE FROM media_files", readUsers, PluginDatabaseErrorCodes.TableNotAllowed);
        Assert.Equal("db_exec may not write table 'media_files': the manifest does not grant write:media", error.Message);
        Assert.Equal("author", AppScalar("SELECT role FROM users WHERE id = 2"));
    }

    public static TheoryData<string> NeverGrantableTables() => [.. NeverGrantable];

    [Theory]
    [MemberData(nameof(NeverGrantableTables))]
    public void A_never_grantable_table_is_refused_whatever_the_grants(string table)
    {
        long before = (long)AppScalar($"SELECT count(*) FROM {table}")!;
        foreach (string sql in new[] { $"SELECT * FROM {table}", $"SELECT count(*) FROM {table}", $"SELECT 1 FROM content_items WHERE EXISTS (SELECT 1 FROM {table})" })
        {
            var error = QueryFails(sql, Everything, PluginDatabaseErrorCodes.TableNotAllowed);
            Assert.Equal($"db_query may not read table '{table}': it is never available to plugins", error.Message);
            Assert.Equal(table, error.Table);
        }

        var write = ExecFails($"DELETE FROM {table}", Everything, PluginDatabaseErrorCodes.TableNotAllowed);
        Assert.Equal($"db_exec may not write table '{table}': it is never available to plugins", write.Message);
        Assert.Equal(before, AppScalar($"SELECT count(*) FROM {table}"));
        Assert.Throws<ArgumentException>(() => TableGrants.None.Grant(table, canRead: true, canWrite: true));
    }

    [Theory]
    [InlineData("WITH x AS (SELECT * FROM api_keys) SELECT * FROM x")]
    [InlineData("WITH content_items AS (SELECT * FROM api_keys) SELECT * FROM content_items")]
    [InlineData("SELECT * FROM (SELECT key_hash FROM api_keys)")]
    [InlineData("SELECT title, (SELECT key_hash FROM api_keys LIMIT 1) FROM content_items")]
    [InlineData("SELECT title FROM content_items UNION ALL SELECT key_hash FROM api_keys")]
    [InlineData("SELECT c.title FROM content_items c JOIN api_keys k ON k.user_id = c.user_id")]
    [InlineData("SELECT * FROM /* content_items */ api_keys")]
    [InlineData("-- FROM content_items\nSELECT * FROM api_keys")]
    [InlineData("SELECT * FROM \"api_keys\"")]
    [InlineData("SELECT * FROM [api_keys]")]
    [InlineData("SELECT * FROM `api_keys`")]
    [InlineData("SELECT * FROM \"API_KEYS\"")]
    [InlineData("SELECT * FROM Api_Keys")]
    [InlineData("SELECT * FROM main.api_keys")]
    [InlineData("SELECT * FROM \"main\".\"api_keys\"")]
    public void A_forbidden_table_is_found_however_the_sql_reaches_it(string sql)
    {
        var error = QueryFails(sql, ReadContent, PluginDatabaseErrorCodes.TableNotAllowed);
        Assert.Equal("db_query may not read table 'api_keys': it is never available to plugins", error.Message);
    }

    [Theory]
    [InlineData("SELECT * FROM /* content_items */ comments")]
    [InlineData("-- FROM content_items\nSELECT * FROM comments")]
    public void Comments_do_not_hide_a_table(string sql)
    {
        var error = QueryFails(sql, ReadContent, PluginDatabaseErrorCodes.TableNotAllowed);
        Assert.Equal("comments", error.Table);
    }

    [Fact]
    public void A_subquery_on_another_table_needs_its_own_read_permission()
    {
        const string sql = "SELECT title FROM content_items WHERE user_id IN (SELECT id FROM users) ORDER BY id";
        var error = QueryFails(sql, ReadContent, PluginDatabaseErrorCodes.TableNotAllowed);
        Assert.Equal("users", error.Table);

        DbQueryResult result = _db.Query(sql, null, ReadContent.Grant("users", canRead: true, canWrite: false));
        Assert.Equal(2, result.Rows.Count);
    }

    [Fact]
    public void Insert_select_needs_read_permission_on_the_source()
    {
        const string sql = "INSERT INTO media_files (user_id, file_name, mime_type, url) SELECT id, email, 'text/plain', '/x' FROM users";
        TableGrants writeMedia = TableGrants.None.Grant("media", canRead: false, canWrite: true);
        var error = ExecFails(sql, writeMedia, PluginDatabaseErrorCodes.TableNotAllowed);
        Assert.Equal("db_exec may not read table 'users': the manifest does not grant read:users", error.Message);

        DbExecResult result = _db.Execute(sql, null, writeMedia.Grant("users", canRead: true, canWrite: false));
        Assert.Equal(2, result.RowsAffected);
    }

    [Theory]
    [InlineData("SELECT * FROM sqlite_master")]
    [InlineData("SELECT * FROM sqlite_schema")]
    [InlineData("SELECT * FROM sqlite_temp_master")]
    [InlineData("SELECT * FROM temp.sqlite_master")]
    [InlineData("SELECT name FROM main.sqlite_master WHERE type = 'table'")]
    public void The_schema_tables_are_refused(string sql)
    {
        var error = QueryFails(sql, Everything, PluginDatabaseErrorCodes.TableNotAllowed);
        Assert.Contains("SQLite's schema and internal tables are never available to plugins", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Counting_rows_of_a_cte_is_allowed_but_a_cte_named_like_a_table_is_judged_as_the_table()
    {
        DbQueryResult result = _db.Query("WITH x AS (SELECT 1 UNION ALL SELECT 2) SELECT count(*) AS n FROM x", null, TableGrants.None);
        Assert.Equal(2L, result.Rows[0]["n"]!.GetValue<long>());
        Assert.Single(_db.Query("SELECT 1 WHERE EXISTS (WITH y AS (SELECT 1) SELECT 1 FROM y)", null, TableGrants.None).Rows);

        QueryFails("WITH api_keys AS (SELECT 1) SELECT count(*) FROM api_keys", Everything, PluginDatabaseErrorCodes.TableNotAllowed);
        QueryFails("SELECT count(*) FROM users", ReadContent, PluginDatabaseErrorCodes.TableNotAllowed);
        QueryFails("SELECT count(*) FROM pragma_table_info('api_keys')", Everything, PluginDatabaseErrorCodes.TableNotAllowed);
        AppExec("CREATE TABLE app_private (secret TEXT); INSERT INTO app_private VALUES ('s');");
        var error = QueryFails("SELECT count(*) FROM app_private", Everything, PluginDatabaseErrorCodes.TableNotAllowed);
        Assert.Equal("db_query may not read table 'app_private': it is not one of the tables plugins can be granted (content_items, media_files, users)", error.Message);
    }

    [Fact]
    public void Pragma_table_valued_functions_are_refused()
    {
        var error = QueryFails("SELECT * FROM pragma_table_info('api_keys')", Everything, PluginDatabaseErrorCodes.TableNotAllowed);
        Assert.Contains("'pragma_table_info'", error.Message, StringComparison.Ordinal);
    }

    // ---- refused statements -------------------------------------------------------------------------------

    [Theory]
    [InlineData("PRAGMA table_info(users)")]
    [InlineData("PRAGMA foreign_keys = OFF")]
    [InlineData("PRAGMA writable_schema = ON")]
    [InlineData("ATTACH DATABASE 'other.db' AS other")]
    [InlineData("DETACH DATABASE main")]
    [InlineData("CREATE TABLE t (x)")]
    [InlineData("CREATE TEMP TABLE t (x)")]
    [InlineData("CREATE INDEX content_items_title ON content_items (title)")]
    [InlineData("CREATE VIEW v AS SELECT * FROM api_keys")]
    [InlineData("CREATE TEMP VIEW v AS SELECT * FROM content_items")]
    [InlineData("CREATE TRIGGER t AFTER INSERT ON content_items BEGIN DELETE FROM api_keys; END")]
    [InlineData("DROP TABLE content_items")]
    [InlineData("DROP TABLE IF EXISTS api_keys")]
    [InlineData("DROP INDEX content_items_user_id")]
    [InlineData("ALTER TABLE content_items ADD COLUMN x TEXT")]
    [InlineData("ALTER TABLE content_items RENAME TO c")]
    [InlineData("BEGIN")]
    [InlineData("BEGIN IMMEDIATE")]
    [InlineData("COMMIT")]
    [InlineData("ROLLBACK")]
    [InlineData("SAVEPOINT s")]
    [InlineData("RELEASE s")]
    [InlineData("ANALYZE")]
    [InlineData("REINDEX")]
    [InlineData("REINDEX content_items")]
    [InlineData("VACUUM")]
    public void Structural_statements_are_refused_by_both_functions(string sql)
    {
        var exec = ExecFails(sql, Everything, PluginDatabaseErrorCodes.StatementNotAllowed);
        Assert.StartsWith("db_exec ", exec.Message, StringComparison.Ordinal);
        var query = QueryFails(sql, Everything, PluginDatabaseErrorCodes.StatementNotAllowed);
        Assert.StartsWith("db_query ", query.Message, StringComparison.Ordinal);
        AssertSchemaUnchanged();
        Assert.False(_db.InTransaction);
    }

    [Fact]
    public void Refusals_name_the_statement()
    {
        Assert.Equal("db_exec may not run PRAGMA foreign_keys: pragmas are not available to plugins",
            ExecFails("PRAGMA foreign_keys = OFF", Everything, PluginDatabaseErrorCodes.StatementNotAllowed).Message);
        Assert.StartsWith("db_exec may not control transactions (BEGIN TRANSACTION)",
            ExecFails("BEGIN", Everything, PluginDatabaseErrorCodes.StatementNotAllowed).Message, StringComparison.Ordinal);
        Assert.StartsWith("db_exec may not attach or detach databases",
            ExecFails("ATTACH DATABASE 'x.db' AS x", Everything, PluginDatabaseErrorCodes.StatementNotAllowed).Message, StringComparison.Ordinal);
        Assert.StartsWith("db_exec may not change the database schema",
            ExecFails("CREATE TABLE t (x)", Everything, PluginDatabaseErrorCodes.StatementNotAllowed).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Vacuum_into_a_file_is_refused_and_writes_nothing()
    {
        string target = Path.Combine(Path.GetDirectoryName(_file)!, Guid.NewGuid().ToString("N") + ".copy");
        ExecFails($"VACUUM INTO '{target}'", Everything, PluginDatabaseErrorCodes.StatementNotAllowed);
        Assert.Throws<PluginDatabaseException>(() => _db.Query($"VACUUM INTO '{target}'", null, Everything));
        Assert.False(File.Exists(target));
    }

    [Theory]
    [InlineData("SELECT load_extension('/tmp/evil.so')")]
    [InlineData("SELECT LOAD_EXTENSION('/tmp/evil.so', 'init')")]
    public void Load_extension_is_refused(string sql)
    {
        var error = QueryFails(sql, Everything, PluginDatabaseErrorCodes.StatementNotAllowed);
        Assert.Equal("db_query may not call load_extension(): it is not available to plugins", error.Message);
    }

    [Fact]
    public void Db_query_runs_one_statement_only()
    {
        var error = QueryFails("SELECT 1; DELETE FROM users", Everything, PluginDatabaseErrorCodes.StatementNotAllowed);
        Assert.StartsWith("db_query runs one statement", error.Message, StringComparison.Ordinal);
        QueryFails("SELECT 1; SELECT 2", Everything, PluginDatabaseErrorCodes.StatementNotAllowed);
        Assert.Equal(2L, AppScalar("SELECT count(*) FROM users"));

        DbQueryResult result = _db.Query("SELECT 1 AS one;; \n -- done\n /* really */ ;", null, TableGrants.None);
        Assert.Equal(1L, result.Rows[0]["one"]!.GetValue<long>());
    }

    [Fact]
    public void A_write_through_db_query_is_refused()
    {
        var error = QueryFails("INSERT INTO content_items (user_id, title) VALUES (1, 'x')", Everything, PluginDatabaseErrorCodes.NotARead);
        Assert.Equal("db_query only reads, but this statement would insert into table 'content_items'; use db_exec to change rows", error.Message);
        QueryFails("UPDATE content_items SET title = 'x'", Everything, PluginDatabaseErrorCodes.NotARead);
        QueryFails("DELETE FROM content_items", Everything, PluginDatabaseErrorCodes.NotARead);
        QueryFails("WITH x AS (SELECT 1) DELETE FROM content_items", Everything, PluginDatabaseErrorCodes.NotARead);
        Assert.Equal(2L, AppScalar("SELECT count(*) FROM content_items"));
    }

    [Fact]
    public void A_select_through_db_exec_is_refused()
    {
        var error = ExecFails("SELECT * FROM content_items", Everything, PluginDatabaseErrorCodes.NotAWrite);
        Assert.Equal("db_exec changes rows, but statement 1 only reads; use db_query to read", error.Message);
        ExecFails("UPDATE content_items SET title = 'x'; SELECT 1", Everything, PluginDatabaseErrorCodes.NotAWrite);
        Assert.Equal("Hello", AppScalar("SELECT title FROM content_items WHERE id = 1"));
    }

    [Fact]
    public void Returning_is_refused_in_db_exec()
    {
        ExecFails("INSERT INTO content_items (user_id, title) VALUES (1, 'x') RETURNING id", Everything, PluginDatabaseErrorCodes.StatementNotAllowed);
        ExecFails("UPDATE content_items SET title = 'x' RETURNING (SELECT key_hash FROM api_keys)", Everything, PluginDatabaseErrorCodes.TableNotAllowed);
        Assert.Equal(2L, AppScalar("SELECT count(*) FROM content_items"));
    }

    // ---- transactions ---------------------------------------------------------------------------------------

    [Fact]
    public void A_refused_statement_in_db_exec_rolls_back_the_ones_before_it()
    {
        var error = ExecFails(
            "INSERT INTO content_items (user_id, title) VALUES (1, 'kept?'); DELETE FROM comments",
            Everything, PluginDatabaseErrorCodes.TableNotAllowed);
        Assert.Equal("db_exec may not write table 'comments': it is never available to plugins", error.Message);
        Assert.Equal(0L, AppScalar("SELECT count(*) FROM content_items WHERE title = 'kept?'"));
        Assert.Equal(1L, AppScalar("SELECT count(*) FROM comments"));
        Assert.False(_db.InTransaction);
    }

    [Fact]
    public void All_statements_of_one_db_exec_commit_together()
    {
        DbExecResult result = _db.Execute(
            "INSERT INTO content_items (user_id, title) VALUES (1, 'a'); INSERT INTO content_items (user_id, title) VALUES (2, 'b'); UPDATE content_items SET status = 'x' WHERE title IN ('a', 'b');",
            null, WriteContent);
        Assert.Equal(4, result.RowsAffected);
        Assert.Equal(4, result.LastInsertId);
        Assert.Equal(2L, AppScalar("SELECT count(*) FROM content_items WHERE status = 'x'"));
    }

    [Fact]
    public void A_constraint_violation_is_reported_and_rolled_back()
    {
        var error = ExecFails(
            "INSERT INTO content_items (user_id, title) VALUES (1, 'first'); INSERT INTO users (email, password_hash) VALUES ('ALICE@example.com', 'x')",
            Everything, PluginDatabaseErrorCodes.Constraint);
        Assert.Contains("UNIQUE constraint failed: users.email", error.Message, StringComparison.Ordinal);
        Assert.Contains("nothing was changed", error.Message, StringComparison.Ordinal);
        Assert.Equal(0L, AppScalar("SELECT count(*) FROM content_items WHERE title = 'first'"));

        error = ExecFails("INSERT INTO content_items (user_id, title) VALUES (99, 'orphan')", WriteContent, PluginDatabaseErrorCodes.Constraint);
        Assert.Contains("FOREIGN KEY constraint failed", error.Message, StringComparison.Ordinal);
        ExecFails("UPDATE content_items SET tags = 'not json' WHERE id = 1", WriteContent, PluginDatabaseErrorCodes.Constraint);
    }

    [Fact]
    public void A_failed_db_exec_leaves_no_transaction_open()
    {
        ExecFails("INSERT INTO users (email, password_hash) VALUES ('alice@example.com', 'x')", Everything, PluginDatabaseErrorCodes.Constraint);
        Assert.False(_db.InTransaction);
        ExecFails("INSERT INTO content_items (user_id, title) VALUES (1, 'x'); BEGIN", Everything, PluginDatabaseErrorCodes.StatementNotAllowed);
        Assert.False(_db.InTransaction);
        ExecFails("UPDATE content_items SET title = ?", Json("[]"), WriteContent, PluginDatabaseErrorCodes.InvalidParams);
        Assert.False(_db.InTransaction);

        DbExecResult result = _db.Execute("UPDATE content_items SET title = 'after' WHERE id = 1", null, WriteContent);
        Assert.Equal(1, result.RowsAffected);
        Assert.Equal("after", AppScalar("SELECT title FROM content_items WHERE id = 1"));

        // The application can write at once: no lock is left behind.
        AppExec("UPDATE content_items SET title = 'app' WHERE id = 2");
    }

    [Fact]
    public void Last_insert_id_is_never_an_earlier_calls()
    {
        Assert.Equal(3, _db.Execute("INSERT INTO content_items (user_id) VALUES (1)", null, WriteContent).LastInsertId);
        Assert.Equal(0, _db.Execute("UPDATE content_items SET title = 'x' WHERE id = 3", null, WriteContent).LastInsertId);
        Assert.Equal(0, _db.Execute("INSERT INTO content_items (id, user_id) VALUES (3, 1) ON CONFLICT DO NOTHING", null, WriteContent).LastInsertId);
    }

    // ---- the schema's own work ----------------------------------------------------------------------------

    [Fact]
    public void Foreign_key_actions_of_the_schema_run_for_a_permitted_write()
    {
        DbExecResult result = _db.Execute("DELETE FROM content_items WHERE id = 1", null, WriteContent);
        Assert.Equal(1, result.RowsAffected);
        Assert.Equal(0L, AppScalar("SELECT count(*) FROM comments"));
    }

    [Fact]
    public void Foreign_key_columns_are_still_refused_when_the_plugin_reads_them()
    {
        ExecFails("INSERT INTO content_items (user_id, title) SELECT user_id, 'x' FROM comments", WriteContent, PluginDatabaseErrorCodes.TableNotAllowed);
        ExecFails("UPDATE content_items SET title = (SELECT id FROM users LIMIT 1)", WriteContent, PluginDatabaseErrorCodes.TableNotAllowed);
    }

    [Fact]
    public void Triggers_of_the_schema_run_for_a_permitted_write()
    {
        AppExec("""
            CREATE TRIGGER content_items_soft_delete AFTER DELETE ON content_items BEGIN
                INSERT INTO soft_deleted_content (content_id, user_id, title) VALUES (old.id, old.user_id, old.title);
            END;
            """);
        _db.Execute("DELETE FROM content_items WHERE id = 2", null, WriteContent);
        Assert.Equal("Draft", AppScalar("SELECT title FROM soft_deleted_content WHERE content_id = 2"));
    }

    [Fact]
    public void A_schema_change_by_the_application_between_calls_is_picked_up()
    {
        Assert.Single(_db.Query("SELECT id FROM media_files", null, TableGrants.None.Grant("media", true, false)).Rows);
        AppExec("CREATE TABLE extra (x); CREATE INDEX media_files_name ON media_files (file_name); INSERT INTO media_files (user_id, file_name, mime_type, url) VALUES (1, 'b', 'x', 'y');");
        Assert.Equal(2, _db.Query("SELECT id FROM media_files", null, TableGrants.None.Grant("media", true, false)).Rows.Count);
        var error = QueryFails("SELECT * FROM extra", Everything, PluginDatabaseErrorCodes.TableNotAllowed);
        Assert.Contains("not one of the tables plugins can be granted", error.Message, StringComparison.Ordinal);
    }

    // ---- parameters ---------------------------------------------------------------------------------------

    [Fact]
    public void Positional_parameters_are_bound()
    {
        DbQueryResult result = _db.Query("SELECT id FROM content_items WHERE user_id = ? AND status = ?2", Json("""[1, "published"]"""), ReadContent);
        Assert.Equal(1L, Assert.Single(result.Rows)["id"]!.GetValue<long>());
    }

    [Theory]
    [InlineData(":status", "status")]
    [InlineData(":status", ":status")]
    [InlineData("@status", "status")]
    [InlineData("@status", "@status")]
    [InlineData("$status", "status")]
    [InlineData("$status", "$status")]
    [InlineData("@status", ":status")]
    public void Named_parameters_are_bound_with_or_without_the_prefix(string parameter, string key)
    {
        DbQueryResult result = _db.Query($"SELECT id FROM content_items WHERE status = {parameter}", Json($$"""{"{{key}}": "draft"}"""), ReadContent);
        Assert.Equal(2L, Assert.Single(result.Rows)["id"]!.GetValue<long>());
    }

    [Fact]
    public void Parameter_values_keep_their_types()
    {
        DbQueryResult result = _db.Query(
            "SELECT ? AS s, ? AS i, ? AS r, ? AS t, ? AS f, ? AS n, typeof(?2) AS ti, typeof(?3) AS tr, ? AS big",
            Json("""["text", 42, 2.5, true, false, null, 9007199254740993]"""), TableGrants.None);
        JsonObject row = Assert.Single(result.Rows);
        Assert.Equal("text", row["s"]!.GetValue<string>());
        Assert.Equal(42L, row["i"]!.GetValue<long>());
        Assert.Equal(2.5, row["r"]!.GetValue<double>());
        Assert.Equal(1L, row["t"]!.GetValue<long>());
        Assert.Equal(0L, row["f"]!.GetValue<long>());
        Assert.Null(row["n"]);
        Assert.Equal("integer", row["ti"]!.GetValue<string>());
        Assert.Equal("real", row["tr"]!.GetValue<string>());
        Assert.Equal(9007199254740993L, row["big"]!.GetValue<long>());
    }

    [Fact]
    public void A_parameter_count_mismatch_is_refused()
    {
        var error = QueryFails("SELECT ? + ?", ReadContent, PluginDatabaseErrorCodes.InvalidParams, Json("[1]"));
        Assert.Equal("the SQL takes 2 positional parameters but params has 1 value", error.Message);
        error = QueryFails("SELECT ?", ReadContent, PluginDatabaseErrorCodes.InvalidParams, Json("[1, 2]"));
        Assert.Equal("the SQL takes 1 positional parameter but params has 2 values", error.Message);
        error = QueryFails("SELECT ?", ReadContent, PluginDatabaseErrorCodes.InvalidParams);
        Assert.Equal("the SQL has 1 parameter but no params were given", error.Message);
        QueryFails("SELECT 1", ReadContent, PluginDatabaseErrorCodes.InvalidParams, Json("[1]"));
    }

    [Fact]
    public void Named_and_positional_parameters_do_not_mix()
    {
        var error = QueryFails("SELECT :a", ReadContent, PluginDatabaseErrorCodes.InvalidParams, Json("[1]"));
        Assert.Equal("the SQL uses the named parameter :a, so params must be a JSON object, not an array", error.Message);
        error = QueryFails("SELECT ?", ReadContent, PluginDatabaseErrorCodes.InvalidParams, Json("""{"a": 1}"""));
        Assert.StartsWith("the SQL uses the positional parameter", error.Message, StringComparison.Ordinal);
        error = QueryFails("SELECT :a", ReadContent, PluginDatabaseErrorCodes.InvalidParams, Json("""{"b": 1}"""));
        Assert.Equal("params has no value for :a", error.Message);
        error = QueryFails("SELECT :a", ReadContent, PluginDatabaseErrorCodes.InvalidParams, Json("""{"a": 1, "b": 2}"""));
        Assert.Equal("params has 'b', which the SQL does not use", error.Message);
        error = QueryFails("SELECT :a", ReadContent, PluginDatabaseErrorCodes.InvalidParams, Json("""{"a": 1, ":a": 2}"""));
        Assert.Contains("twice", error.Message, StringComparison.Ordinal);
        QueryFails("SELECT ?", ReadContent, PluginDatabaseErrorCodes.InvalidParams, Json("\"x\""));
    }

    [Theory]
    [InlineData("""[{"a": 1}]""", "params[0] is a JSON object")]
    [InlineData("""[[1, 2]]""", "params[0] is a JSON array")]
    [InlineData("""{"a": {"b": 1}}""", "params[\"a\"] is a JSON object")]
    public void Object_and_array_values_are_refused(string parameters, string expected)
    {
        string sql = parameters.StartsWith('[') ? "SELECT ?" : "SELECT :a";
        var error = QueryFails(sql, ReadContent, PluginDatabaseErrorCodes.InvalidParams, Json(parameters));
        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sql_in_a_parameter_value_stays_data()
    {
        const string attack = "x'); DROP TABLE users; DELETE FROM api_keys; --";
        _db.Execute("INSERT INTO content_items (user_id, title) VALUES (?, ?)", Json(JsonSerializer.Serialize(new object[] { 1, attack })), WriteContent);
        Assert.Equal(attack, AppScalar("SELECT title FROM content_items WHERE id = 3"));
        Assert.Equal(2L, AppScalar("SELECT count(*) FROM users"));
        Assert.Equal(1L, AppScalar("SELECT count(*) FROM api_keys"));

        DbQueryResult result = _db.Query("SELECT count(*) AS n FROM content_items WHERE title = :t", Json("""{"t": "' OR 1=1 --"}"""), ReadContent);
        Assert.Equal(0L, result.Rows[0]["n"]!.GetValue<long>());
    }

    [Fact]
    public void Positional_parameters_are_consumed_statement_by_statement_in_db_exec()
    {
        _db.Execute(
            "INSERT INTO content_items (user_id, title) VALUES (?, ?); UPDATE content_items SET status = ?1 WHERE title = ?2",
            Json("""[2, "paired", "archived", "paired"]"""), WriteContent);
        Assert.Equal("archived", AppScalar("SELECT status FROM content_items WHERE title = 'paired'"));

        var error = ExecFails("UPDATE content_items SET title = ?; UPDATE content_items SET status = ?", Json("""["only one"]"""), WriteContent, PluginDatabaseErrorCodes.InvalidParams);
        Assert.Equal("statement 2 takes positional parameters 2 to 2 of params, but params has 1 value", error.Message);
        Assert.Equal("Hello", AppScalar("SELECT title FROM content_items WHERE id = 1"));
    }

    [Fact]
    public void Named_parameters_are_shared_by_the_statements_of_db_exec()
    {
        _db.Execute(
            "INSERT INTO content_items (user_id, title) VALUES (:user, :title); UPDATE content_items SET status = 'seen' WHERE title = :title",
            Json("""{"user": 1, "title": "shared"}"""), WriteContent);
        Assert.Equal("seen", AppScalar("SELECT status FROM content_items WHERE title = 'shared'"));
    }

    // ---- result values and limits -------------------------------------------------------------------------

    [Fact]
    public void Values_map_to_json_by_storage_class()
    {
        DbQueryResult result = _db.Query("SELECT X'00FF10' AS b, 1.5 AS r, NULL AS n, 'é' AS t, 7 AS i, 1e999 AS inf", null, TableGrants.None);
        JsonObject row = Assert.Single(result.Rows);
        Assert.Equal("AP8Q", row["b"]!.GetValue<string>());
        Assert.Equal(1.5, row["r"]!.GetValue<double>());
        Assert.True(row.ContainsKey("n"));
        Assert.Null(row["n"]);
        Assert.Equal("é", row["t"]!.GetValue<string>());
        Assert.Equal(7L, row["i"]!.GetValue<long>());
        Assert.Equal("Infinity", row["inf"]!.GetValue<string>());
    }

    [Fact]
    public void A_blob_column_comes_back_as_base64()
    {
        _db.Execute("INSERT INTO media_files (user_id, file_name, mime_type, url) VALUES (1, ?, 'x', 'y')", Json("[\"b\"]"), Everything);
        _db.Execute("UPDATE media_files SET url = X'DEADBEEF' WHERE file_name = 'b'", null, Everything);
        DbQueryResult result = _db.Query("SELECT url FROM media_files WHERE file_name = 'b'", null, Everything);
        Assert.Equal(Convert.ToBase64String([0xDE, 0xAD, 0xBE, 0xEF]), result.Rows[0]["url"]!.GetValue<string>());
    }

    [Fact]
    public void Duplicate_column_names_are_made_distinct()
    {
        DbQueryResult result = _db.Query("SELECT c.id, u.id, c.title AS id FROM content_items c JOIN users u ON u.id = c.user_id WHERE c.id = 1", null, Everything);
        Assert.Equal(["id", "id:1", "id:2"], result.Columns);
        Assert.Equal("Hello", result.Rows[0]["id:2"]!.GetValue<string>());
    }

    [Fact]
    public void The_result_serialises_to_the_documented_shape()
    {
        DbQueryResult result = _db.Query("SELECT id, title FROM content_items WHERE id = 1", null, ReadContent);
        Assert.Equal("""{"columns":["id","title"],"rows":[{"id":1,"title":"Hello"}]}""", JsonSerializer.Serialize(result, PluginDbJsonContext.Default.DbQueryResult));
        Assert.Equal("""{"rowsAffected":1,"lastInsertId":7}""", JsonSerializer.Serialize(new DbExecResult(1, 7), PluginDbJsonContext.Default.DbExecResult));
    }

    [Fact]
    public void The_row_cap_is_enforced()
    {
        PluginDbLimits limits = PluginDbLimits.Default with { MaxRows = 100 };
        const string sql = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?) SELECT x FROM c";
        Assert.Equal(100, _db.Query(sql, Json("[100]"), TableGrants.None, limits).Rows.Count);
        var error = Assert.Throws<PluginDatabaseException>(() => _db.Query(sql, Json("[101]"), TableGrants.None, limits));
        Assert.Equal(PluginDatabaseErrorCodes.ResultTooLarge, error.Code);
        Assert.Contains("more than 100 rows", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_result_size_cap_is_enforced()
    {
        PluginDbLimits limits = PluginDbLimits.Default with { MaxResultBytes = 64 * 1024 };
        const string sql = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?) SELECT x, printf('%.*c', 1000, 'x') AS pad FROM c";
        Assert.Equal(50, _db.Query(sql, Json("[50]"), TableGrants.None, limits).Rows.Count);
        var error = Assert.Throws<PluginDatabaseException>(() => _db.Query(sql, Json("[1000]"), TableGrants.None, limits));
        Assert.Equal(PluginDatabaseErrorCodes.ResultTooLarge, error.Code);
    }

    [Fact]
    public void Huge_values_are_refused_instead_of_allocated()
    {
        var error = Assert.Throws<PluginDatabaseException>(() => _db.Query("SELECT length(randomblob(100000000))", null, TableGrants.None));
        Assert.Equal(PluginDatabaseErrorCodes.SqlError, error.Code);
        Assert.Contains("too big", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_runaway_query_times_out_quickly()
    {
        PluginDbLimits limits = PluginDbLimits.Default with { Timeout = TimeSpan.FromMilliseconds(200) };
        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<PluginDatabaseException>(() =>
            _db.Query("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c", null, TableGrants.None, limits));
        clock.Stop();
        Assert.Equal(PluginDatabaseErrorCodes.Timeout, error.Code);
        Assert.Equal("db_query ran past its time limit of 200 ms and was stopped", error.Message);
        Assert.InRange(clock.ElapsedMilliseconds, 150, 2000);
        Assert.False(_db.InTransaction);
        Assert.Single(_db.Query("SELECT 1", null, TableGrants.None).Rows);
    }

    [Fact]
    public void A_runaway_write_times_out_and_is_rolled_back()
    {
        PluginDbLimits limits = PluginDbLimits.Default with { Timeout = TimeSpan.FromMilliseconds(200) };
        var error = Assert.Throws<PluginDatabaseException>(() => _db.Execute(
            "INSERT INTO content_items (user_id, title) VALUES (1, 'first'); UPDATE content_items SET title = (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c)",
            null, WriteContent, limits));
        Assert.Equal(PluginDatabaseErrorCodes.Timeout, error.Code);
        Assert.Equal(0L, AppScalar("SELECT count(*) FROM content_items WHERE title = 'first'"));
        Assert.False(_db.InTransaction);
    }

    [Fact]
    public async Task Cancellation_interrupts_a_running_query()
    {
        using var cancellation = new CancellationTokenSource();
        Task<DbQueryResult> running = Task.Run(() =>
            _db.Query("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c", null, TableGrants.None, PluginDbLimits.Default with { Timeout = TimeSpan.FromSeconds(30) }, cancellation.Token));
        await Task.Delay(100);
        var clock = Stopwatch.StartNew();
        await cancellation.CancelAsync();
        var error = await Assert.ThrowsAsync<PluginDatabaseException>(() => running);
        Assert.Equal(PluginDatabaseErrorCodes.Cancelled, error.Code);
        Assert.InRange(clock.ElapsedMilliseconds, 0, 2000);

        var early = Assert.Throws<PluginDatabaseException>(() => _db.Query("SELECT 1", null, TableGrants.None, null, cancellation.Token));
        Assert.Equal(PluginDatabaseErrorCodes.Cancelled, early.Code);
    }

    [Fact]
    public void Overlong_and_empty_sql_is_invalid()
    {
        var error = Assert.Throws<PluginDatabaseException>(() => _db.Query("SELECT '" + new string('x', 200) + "'", null, TableGrants.None, PluginDbLimits.Default with { MaxSqlBytes = 100 }));
        Assert.Equal(PluginDatabaseErrorCodes.InvalidSql, error.Code);
        QueryFails("   ", TableGrants.None, PluginDatabaseErrorCodes.InvalidSql);
        QueryFails("-- nothing\n;;", TableGrants.None, PluginDatabaseErrorCodes.InvalidSql);
        ExecFails("/* nothing */", TableGrants.None, PluginDatabaseErrorCodes.InvalidSql);
    }

    [Fact]
    public void Syntax_errors_carry_sqlites_message()
    {
        var error = QueryFails("SELECT * FORM content_items", ReadContent, PluginDatabaseErrorCodes.InvalidSql);
        Assert.Equal("db_query could not compile the SQL: near \"FORM\": syntax error", error.Message);
        error = QueryFails("SELECT * FROM no_such_table", ReadContent, PluginDatabaseErrorCodes.InvalidSql);
        Assert.Contains("no such table: no_such_table", error.Message, StringComparison.Ordinal);
        error = ExecFails("UPDATE content_items SET nope = 1", WriteContent, PluginDatabaseErrorCodes.InvalidSql);
        Assert.Contains("no such column: nope", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Runtime_errors_are_sql_errors()
    {
        var error = QueryFails("SELECT json_extract('{not json', '$.a')", TableGrants.None, PluginDatabaseErrorCodes.SqlError);
        Assert.Contains("malformed JSON", error.Message, StringComparison.Ordinal);
    }

    // ---- threads and lifetime -------------------------------------------------------------------------------

    [Fact]
    public void Concurrent_calls_are_serialised()
    {
        Parallel.For(0, 40, i =>
        {
            if (i % 2 == 0)
            {
                _db.Execute("INSERT INTO content_items (user_id, title) VALUES (1, ?)", Json($"[\"p{i}\"]"), WriteContent);
            }
            else
            {
                Assert.NotEmpty(_db.Query("SELECT id FROM content_items", null, ReadContent).Rows);
                Assert.Throws<PluginDatabaseException>(() => _db.Query("SELECT * FROM api_keys", null, ReadContent));
            }
        });
        Assert.Equal(22L, AppScalar("SELECT count(*) FROM content_items"));
        Assert.False(_db.InTransaction);
    }

    [Fact]
    public void A_write_waits_for_the_applications_lock_until_its_time_limit()
    {
        PluginDbLimits limits = PluginDbLimits.Default with { Timeout = TimeSpan.FromMilliseconds(300) };
        using (SqliteTransaction transaction = _app.BeginTransaction(deferred: false))
        {
            AppExec("UPDATE content_items SET title = 'app' WHERE id = 2");
            var clock = Stopwatch.StartNew();
            var error = Assert.Throws<PluginDatabaseException>(() => _db.Execute("UPDATE content_items SET title = 'plugin' WHERE id = 1", null, WriteContent, limits));
            Assert.Equal(PluginDatabaseErrorCodes.Busy, error.Code);
            Assert.InRange(clock.ElapsedMilliseconds, 200, 3000);

            // Readers are not blocked by a writer (WAL).
            Assert.Equal("Hello", _db.Query("SELECT title FROM content_items WHERE id = 1", null, ReadContent).Rows[0]["title"]!.GetValue<string>());
            transaction.Commit();
        }

        Assert.False(_db.InTransaction);
        _db.Execute("UPDATE content_items SET title = 'plugin' WHERE id = 1", null, WriteContent, limits);
        Assert.Equal("plugin", AppScalar("SELECT title FROM content_items WHERE id = 1"));
    }

    [Fact]
    public async Task A_call_waiting_behind_another_times_out_within_its_own_limit()
    {
        using var started = new ManualResetEventSlim();
        Task<PluginDatabaseException> slow = Task.Run(() => Assert.Throws<PluginDatabaseException>(() =>
        {
            started.Set();
            _db.Query("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c", null, TableGrants.None, PluginDbLimits.Default with { Timeout = TimeSpan.FromSeconds(1) });
        }));
        started.Wait();

        // Until the slow query holds the database, a quick one still gets through; then it must wait and time out.
        PluginDatabaseException? error = null;
        for (DateTime deadline = DateTime.UtcNow.AddSeconds(5); error is null && DateTime.UtcNow < deadline;)
        {
            try
            {
                _db.Query("SELECT 1", null, TableGrants.None, PluginDbLimits.Default with { Timeout = TimeSpan.FromMilliseconds(200) });
                await Task.Delay(20);
            }
            catch (PluginDatabaseException timedOut)
            {
                error = timedOut;
            }
        }

        Assert.NotNull(error);
        Assert.Equal(PluginDatabaseErrorCodes.Timeout, error.Code);
        Assert.Contains("waited", error.Message, StringComparison.Ordinal);
        Assert.Equal(PluginDatabaseErrorCodes.Timeout, (await slow).Code);
        Assert.Single(_db.Query("SELECT 1", null, TableGrants.None).Rows);
    }

    [Fact]
    public async Task Cancellation_rolls_back_a_running_write()
    {
        using var cancellation = new CancellationTokenSource();
        Task<DbExecResult> running = Task.Run(() => _db.Execute(
            "DELETE FROM media_files; UPDATE content_items SET title = (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c)",
            null, Everything, PluginDbLimits.Default with { Timeout = TimeSpan.FromSeconds(30) }, cancellation.Token));
        await Task.Delay(100);
        await cancellation.CancelAsync();
        var error = await Assert.ThrowsAsync<PluginDatabaseException>(() => running);
        Assert.Equal(PluginDatabaseErrorCodes.Cancelled, error.Code);
        Assert.Equal(1L, AppScalar("SELECT count(*) FROM media_files"));
        Assert.False(_db.InTransaction);
    }

    [Fact]
    public async Task Dispose_interrupts_a_running_call()
    {
        using var started = new ManualResetEventSlim();
        Task<PluginDatabaseException> running = Task.Run(() => Assert.Throws<PluginDatabaseException>(() =>
        {
            started.Set();
            _db.Query("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c", null, TableGrants.None, PluginDbLimits.Default with { Timeout = TimeSpan.FromSeconds(30) });
        }));
        started.Wait();
        await Task.Delay(200);
        var clock = Stopwatch.StartNew();
        _db.Dispose();
        Assert.InRange(clock.ElapsedMilliseconds, 0, 2000);
        Assert.Equal(PluginDatabaseErrorCodes.Cancelled, (await running).Code);
    }

    [Fact]
    public void A_disposed_database_refuses_calls()
    {
        _db.Dispose();
        Assert.Throws<ObjectDisposedException>(() => _db.Query("SELECT 1", null, TableGrants.None));
        _db.Dispose();
    }

    // ---- grants and schema ----------------------------------------------------------------------------------

    [Fact]
    public void Grants_accept_table_and_manifest_names_and_accumulate()
    {
        TableGrants grants = TableGrants.Create(new TableGrant("media", false, true), new TableGrant("CONTENT_ITEMS", true, false), new TableGrant("content", false, true));
        Assert.True(grants.CanRead("content_items"));
        Assert.True(grants.CanWrite("content_items"));
        Assert.False(grants.CanRead("media_files"));
        Assert.True(grants.CanWrite("Media_Files"));
        Assert.False(grants.CanRead("api_keys"));
        Assert.Equal("read:content write:content write:media", grants.ToString());
        Assert.Equal("(none)", TableGrants.None.ToString());
        Assert.Throws<ArgumentException>(() => TableGrants.None.Grant("sqlite_master", true, false));
    }

    [Fact]
    public void The_schema_is_idempotent_and_has_eleven_tables()
    {
        LesstructSchema.Apply(_app);
        using SqliteCommand command = _app.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name";
        var tables = new List<string>();
        using (SqliteDataReader reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                tables.Add(reader.GetString(0));
            }
        }

        Assert.Equal(LesstructSchema.AllTables.Order(StringComparer.Ordinal), tables);
        Assert.Equal("content_items", LesstructSchema.TableForPermissionName("content"));
        Assert.Equal("media", LesstructSchema.PermissionNameForTable("media_files"));
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    private PluginDatabaseException QueryFails(string sql, TableGrants grants, string code, JsonElement? parameters = null)
    {
        var error = Assert.Throws<PluginDatabaseException>(() => _db.Query(sql, parameters, grants));
        Assert.Equal(code, error.Code);
        Assert.False(_db.InTransaction);
        return error;
    }

    private PluginDatabaseException ExecFails(string sql, TableGrants grants, string code) => ExecFails(sql, null, grants, code);

    private PluginDatabaseException ExecFails(string sql, JsonElement? parameters, TableGrants grants, string code)
    {
        var error = Assert.Throws<PluginDatabaseException>(() => _db.Execute(sql, parameters, grants));
        Assert.Equal(code, error.Code);
        Assert.False(_db.InTransaction);
        return error;
    }

    private void AssertSchemaUnchanged()
    {
        Assert.Equal(11L, AppScalar("SELECT count(*) FROM sqlite_master WHERE type = 'table'"));
        Assert.Equal(0L, AppScalar("SELECT count(*) FROM sqlite_master WHERE type IN ('view', 'trigger')"));
        Assert.Equal(1L, AppScalar("SELECT count(*) FROM pragma_table_info('content_items') WHERE name = 'title'"));
        Assert.Equal(0L, AppScalar("SELECT count(*) FROM pragma_table_info('content_items') WHERE name = 'x'"));
    }

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private void AppExec(string sql)
    {
        using SqliteCommand command = _app.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private object? AppScalar(string sql)
    {
        using SqliteCommand command = _app.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
