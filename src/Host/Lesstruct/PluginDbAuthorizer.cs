using System.Collections.Frozen;

namespace Airlock.Lesstruct;

/// <summary>What the authorizer is judging at the moment.</summary>
internal enum AuthorizerMode
{
    /// <summary>The host's own statements (BEGIN, COMMIT, ROLLBACK): everything is allowed.</summary>
    Host,

    /// <summary>Checking whether SQL follows db_query's statement: everything is denied, nothing recorded.</summary>
    Probe,

    /// <summary>Compiling db_query's statement: reads need read permission, any write is refused.</summary>
    Query,

    /// <summary>
    /// Compiling one db_exec statement with triggers and foreign keys switched off, so every action reported is the
    /// plugin's own: writes need write permission, reads need read or write permission.
    /// </summary>
    ExecOwn,

    /// <summary>
    /// Compiling the same db_exec statement again with triggers and foreign keys on. The plugin's own actions were
    /// judged in <see cref="ExecOwn"/>; what is new here is the schema's (trigger bodies, foreign-key checks and
    /// actions), which may touch any application table but still nothing structural.
    /// </summary>
    ExecSchema,

    /// <summary>Running an approved statement: nothing may be authorized (SQLite only asks here for internals such as VACUUM's).</summary>
    Running,
}

/// <summary>
/// The SQLite authorizer for plugin SQL. It judges every action SQLite reports while compiling a statement against
/// the plugin's <see cref="TableGrants"/> and records the first refusal, so the error names exactly what was refused.
/// Never parses SQL text: SQLite tells it which tables and columns a statement reads and writes, through CTEs,
/// sub-queries, views, joins and whatever quoting or comments the SQL uses.
/// </summary>
/// <remarks>Used by one <see cref="PluginDatabase"/> under its lock; callbacks arrive on the calling thread, one at a time.</remarks>
internal sealed class PluginDbAuthorizer
{
    // SQLite's authorizer action codes (sqlite3.h).
    internal const int CreateIndex = 1;
    internal const int CreateTable = 2;
    internal const int CreateTempIndex = 3;
    internal const int CreateTempTable = 4;
    internal const int CreateTempTrigger = 5;
    internal const int CreateTempView = 6;
    internal const int CreateTrigger = 7;
    internal const int CreateView = 8;
    internal const int Delete = 9;
    internal const int DropIndex = 10;
    internal const int DropTable = 11;
    internal const int DropTempIndex = 12;
    internal const int DropTempTable = 13;
    internal const int DropTempTrigger = 14;
    internal const int DropTempView = 15;
    internal const int DropTrigger = 16;
    internal const int DropView = 17;
    internal const int Insert = 18;
    internal const int Pragma = 19;
    internal const int Read = 20;
    internal const int Select = 21;
    internal const int Transaction = 22;
    internal const int Update = 23;
    internal const int Attach = 24;
    internal const int Detach = 25;
    internal const int AlterTable = 26;
    internal const int Reindex = 27;
    internal const int Analyze = 28;
    internal const int CreateVtable = 29;
    internal const int DropVtable = 30;
    internal const int Function = 31;
    internal const int Savepoint = 32;
    internal const int Recursive = 33;

    private const int Ok = 0;
    private const int Deny = 1;

    /// <summary>Functions plugin SQL may never call, even where SQLite would allow them.</summary>
    private static readonly FrozenSet<string> ForbiddenFunctions =
        new[] { "load_extension", "fts3_tokenizer" }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>Table-valued functions that only see their arguments, never a table; SQLite reports them as reads.</summary>
    private static readonly FrozenSet<string> TableValuedFunctions =
        new[] { "json_each", "json_tree", "jsonb_each", "jsonb_tree", "generate_series" }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>SQLite's schema tables: writing them is changing the schema.</summary>
    private static readonly FrozenSet<string> SchemaTables =
        new[] { "sqlite_master", "sqlite_schema", "sqlite_temp_master", "sqlite_temp_schema" }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>The current mode; <see cref="AuthorizerMode.Host"/> between plugin calls.</summary>
    public AuthorizerMode Mode { get; private set; }

    /// <summary>The plugin's grants for the current call.</summary>
    public TableGrants Grants { get; set; } = TableGrants.None;

    /// <summary>The names of the tables and views of the main database (case-insensitive), read at the start of each call.</summary>
    public HashSet<string> SchemaObjects { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The host function on whose behalf SQL is compiled, for messages: <c>db_query</c> or <c>db_exec</c>.</summary>
    public string Verb { get; set; } = "db_query";

    /// <summary>Whether the statement compiled since the last <see cref="Reset"/> has a SELECT.</summary>
    public bool SawSelect { get; private set; }

    /// <summary>Whether it inserts, updates or deletes rows (of a table the plugin may write).</summary>
    public bool SawWrite { get; private set; }

    /// <summary>Whether it inserts rows.</summary>
    public bool SawInsert { get; private set; }

    /// <summary>The first refusal since the last <see cref="Reset"/>, ready to throw.</summary>
    public PluginDatabaseException? Denial { get; private set; }

    /// <summary>Starts judging a new statement (or the host's own SQL) in the given mode.</summary>
    public void Reset(AuthorizerMode mode)
    {
        Mode = mode;
        SawSelect = false;
        SawWrite = false;
        SawInsert = false;
        Denial = null;
    }

    /// <summary>The callback given to <c>sqlite3_set_authorizer</c>. Never throws into SQLite.</summary>
    public int Authorize(object userData, int action, string? param0, string? param1, string? database, string? innermost)
    {
        try
        {
            return Judge(action, param0, param1, database);
        }
        catch (Exception exception)
        {
            return Refuse(PluginDatabaseErrorCodes.StatementNotAllowed, $"{Verb} could not check this statement: {exception.Message}");
        }
    }

    private int Judge(int action, string? param0, string? param1, string? database)
    {
        switch (Mode)
        {
            case AuthorizerMode.Host:
                return Ok;
            case AuthorizerMode.Probe:
                return Deny;
            case AuthorizerMode.Running:
                return Refuse(
                    PluginDatabaseErrorCodes.StatementNotAllowed,
                    $"{Verb} may not run this statement: while running it needed {Describe(action, param0, param1)}, which is not available to plugins");
        }

        switch (action)
        {
            case Select:
                SawSelect = true;
                return Ok;
            case Recursive:
                return Ok;
            case Function:
                return param1 is not null && ForbiddenFunctions.Contains(param1)
                    ? Refuse(PluginDatabaseErrorCodes.StatementNotAllowed, $"{Verb} may not call {param1}(): it is not available to plugins")
                    : Ok;
            case Read:
                return JudgeTable(param0 ?? "", param1, database, write: false);
            case Insert:
            case Update:
            case Delete:
                return JudgeWrite(action, param0 ?? "", database);
            case Transaction:
            case Savepoint:
                return Refuse(
                    PluginDatabaseErrorCodes.StatementNotAllowed,
                    $"{Verb} may not control transactions ({Describe(action, param0, param1)}): every db_exec runs in a transaction of its own, committed when all of its statements succeed and rolled back otherwise");
            case Pragma:
                return Refuse(PluginDatabaseErrorCodes.StatementNotAllowed, $"{Verb} may not run PRAGMA {param0}: pragmas are not available to plugins");
            case Attach:
            case Detach:
                return Refuse(PluginDatabaseErrorCodes.StatementNotAllowed, $"{Verb} may not attach or detach databases: plugins use the application's database only");
            case CreateIndex or CreateTable or CreateTempIndex or CreateTempTable or CreateTempTrigger or CreateTempView
                or CreateTrigger or CreateView or CreateVtable or DropIndex or DropTable or DropTempIndex or DropTempTable
                or DropTempTrigger or DropTempView or DropTrigger or DropView or DropVtable or AlterTable or Reindex or Analyze:
                return Refuse(
                    PluginDatabaseErrorCodes.StatementNotAllowed,
                    $"{Verb} may not change the database schema ({Describe(action, param0, param1)}): plugins read and write rows only");
            default:
                return Refuse(PluginDatabaseErrorCodes.StatementNotAllowed, $"{Verb} may not run this statement ({Describe(action, param0, param1)})");
        }
    }

    private int JudgeWrite(int action, string table, string? database)
    {
        if (SchemaTables.Contains(table))
        {
            return Refuse(
                PluginDatabaseErrorCodes.StatementNotAllowed,
                $"{Verb} may not change the database schema (the statement writes {table}): plugins read and write rows only");
        }

        if (Mode == AuthorizerMode.Query)
        {
            return Refuse(
                PluginDatabaseErrorCodes.NotARead,
                $"db_query only reads, but this statement would {Describe(action, table, null)}; use db_exec to change rows",
                table);
        }

        int verdict = JudgeTable(table, null, database, write: true);
        if (verdict == Ok && Mode == AuthorizerMode.ExecOwn)
        {
            SawWrite = true;
            SawInsert |= action == Insert;
        }

        return verdict;
    }

    private int JudgeTable(string table, string? column, string? database, bool write)
    {
        string doing = write ? "write" : "read";
        if (table.StartsWith("sqlite_", StringComparison.OrdinalIgnoreCase))
        {
            return Refuse(
                PluginDatabaseErrorCodes.TableNotAllowed,
                $"{Verb} may not {doing} table '{table}': SQLite's schema and internal tables are never available to plugins",
                table);
        }

        if (database is not null && !string.Equals(database, "main", StringComparison.OrdinalIgnoreCase))
        {
            return Refuse(
                PluginDatabaseErrorCodes.TableNotAllowed,
                $"{Verb} may not {doing} table '{database}.{table}': plugins use the application's main database only",
                table);
        }

        if (!write && TableValuedFunctions.Contains(table))
        {
            return Ok;
        }

        // A read of no particular column (count(*), EXISTS (SELECT 1 FROM x)) names the FROM item as written, which
        // may be the plugin's own CTE rather than a table. A name that is no table or view of the database and no
        // table-valued pragma can only be that; a CTE named like a real table is judged as the table.
        if (!write && column is { Length: 0 } && database is null && !SchemaObjects.Contains(table)
            && !table.StartsWith("pragma_", StringComparison.OrdinalIgnoreCase))
        {
            return Ok;
        }

        if (Mode == AuthorizerMode.ExecSchema)
        {
            // What is new in this pass is the schema's own work (trigger bodies, foreign-key checks and actions).
            return Ok;
        }

        if (LesstructSchema.IsNeverGrantable(table))
        {
            return Refuse(PluginDatabaseErrorCodes.TableNotAllowed, $"{Verb} may not {doing} table '{table}': it is never available to plugins", table);
        }

        string? permission = LesstructSchema.PermissionNameForTable(table);
        if (permission is null)
        {
            return Refuse(
                PluginDatabaseErrorCodes.TableNotAllowed,
                $"{Verb} may not {doing} table '{table}': it is not one of the tables plugins can be granted (content_items, media_files, users)",
                table);
        }

        bool canRead = Grants.CanRead(table);
        bool canWrite = Grants.CanWrite(table);
        if (write)
        {
            return canWrite
                ? Ok
                : Refuse(
                    PluginDatabaseErrorCodes.TableNotAllowed,
                    canRead
                        ? $"{Verb} may not write table '{table}': the manifest grants read:{permission} only"
                        : $"{Verb} may not write table '{table}': the manifest does not grant write:{permission}",
                    table);
        }

        // Inside db_exec nothing is returned, so a table being written may also be read (WHERE, sub-queries).
        if (canRead || (canWrite && Mode == AuthorizerMode.ExecOwn))
        {
            return Ok;
        }

        return Refuse(
            PluginDatabaseErrorCodes.TableNotAllowed,
            canWrite
                ? $"{Verb} may not read table '{table}': the manifest grants write:{permission} only, and db_query needs read:{permission}"
                : $"{Verb} may not read table '{table}': the manifest does not grant read:{permission}",
            table);
    }

    private int Refuse(string code, string message, string? table = null)
    {
        Denial ??= new PluginDatabaseException(code, message, table);
        return Deny;
    }

    private static string Describe(int action, string? param0, string? param1) => action switch
    {
        Insert => $"insert into table '{param0}'",
        Update => $"update table '{param0}'",
        Delete => $"delete from table '{param0}'",
        Read => $"read table '{param0}'",
        Pragma => $"PRAGMA {param0}",
        Attach => "ATTACH",
        Detach => "DETACH",
        Transaction => $"{param0} TRANSACTION",
        Savepoint => param0 == "BEGIN" ? $"SAVEPOINT {param1}" : $"{param0} SAVEPOINT {param1}",
        CreateIndex or CreateTempIndex => $"CREATE INDEX {param0}",
        CreateTable or CreateTempTable => $"CREATE TABLE {param0}",
        CreateTrigger or CreateTempTrigger => $"CREATE TRIGGER {param0}",
        CreateView or CreateTempView => $"CREATE VIEW {param0}",
        CreateVtable => $"CREATE VIRTUAL TABLE {param0}",
        DropIndex or DropTempIndex => $"DROP INDEX {param0}",
        DropTable or DropTempTable => $"DROP TABLE {param0}",
        DropTrigger or DropTempTrigger => $"DROP TRIGGER {param0}",
        DropView or DropTempView => $"DROP VIEW {param0}",
        DropVtable => $"DROP VIRTUAL TABLE {param0}",
        AlterTable => $"ALTER TABLE {param1}",
        Reindex => "REINDEX",
        Analyze => "ANALYZE",
        Function => $"the function {param1}()",
        _ => $"SQLite authorizer action {action}",
    };
}
