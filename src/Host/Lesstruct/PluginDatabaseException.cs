namespace Airlock.Lesstruct;

/// <summary>
/// Why plugin SQL was refused or failed. <see cref="Code"/> is one of <see cref="PluginDatabaseErrorCodes"/> and is
/// what a host function reports to the plugin as <c>error.code</c>; <see cref="Exception.Message"/> is written for
/// the plugin's author (it names the function, the table and the permission at issue, or carries SQLite's own
/// message) and is what the plugin sees as <c>error.message</c>.
/// </summary>
public sealed class PluginDatabaseException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="code">One of <see cref="PluginDatabaseErrorCodes"/>.</param>
    /// <param name="message">What went wrong, for the plugin's author.</param>
    /// <param name="table">The table at issue, when there is one.</param>
    /// <param name="innerException">The underlying cause, if any.</param>
    public PluginDatabaseException(string code, string message, string? table = null, Exception? innerException = null)
        : base(message, innerException)
    {
        ArgumentException.ThrowIfNullOrEmpty(code);
        Code = code;
        Table = table;
    }

    /// <summary>The machine-readable reason, one of <see cref="PluginDatabaseErrorCodes"/>.</summary>
    public string Code { get; }

    /// <summary>The table that was refused (for <c>table_not_allowed</c>), when there is one.</summary>
    public string? Table { get; }
}

/// <summary>The values of <see cref="PluginDatabaseException.Code"/>.</summary>
public static class PluginDatabaseErrorCodes
{
    /// <summary>The SQL reads or writes a table the manifest does not grant, or one never available to plugins (including SQLite's own tables such as <c>sqlite_master</c>).</summary>
    public const string TableNotAllowed = "table_not_allowed";

    /// <summary>The SQL is a kind of statement plugins may not run: <c>PRAGMA</c>, <c>ATTACH</c>/<c>DETACH</c>, schema changes (<c>CREATE</c>, <c>DROP</c>, <c>ALTER</c>, <c>ANALYZE</c>, <c>REINDEX</c>, <c>VACUUM</c>), transaction control (<c>BEGIN</c>, <c>COMMIT</c>, <c>ROLLBACK</c>, <c>SAVEPOINT</c>, <c>RELEASE</c>), a forbidden function such as <c>load_extension</c>, <c>RETURNING</c> in <c>db_exec</c>, or more than one statement in <c>db_query</c>.</summary>
    public const string StatementNotAllowed = "statement_not_allowed";

    /// <summary><c>db_query</c> was given SQL that writes; use <c>db_exec</c>.</summary>
    public const string NotARead = "not_a_read";

    /// <summary><c>db_exec</c> was given a statement that only reads; use <c>db_query</c>.</summary>
    public const string NotAWrite = "not_a_write";

    /// <summary>SQLite could not compile the SQL (syntax error, unknown table or column), or there is no statement, or the SQL is longer than <see cref="PluginDbLimits.MaxSqlBytes"/>. The message carries SQLite's.</summary>
    public const string InvalidSql = "invalid_sql";

    /// <summary>The parameters do not fit the SQL: the wrong number, a name the SQL does not use or a parameter with no value, an array for named parameters or an object for positional ones, or a value that is a JSON object or array.</summary>
    public const string InvalidParams = "invalid_params";

    /// <summary>The result has more rows than <see cref="PluginDbLimits.MaxRows"/> or is larger than <see cref="PluginDbLimits.MaxResultBytes"/>.</summary>
    public const string ResultTooLarge = "result_too_large";

    /// <summary>The call ran past <see cref="PluginDbLimits.Timeout"/> and was interrupted (rolled back for <c>db_exec</c>).</summary>
    public const string Timeout = "timeout";

    /// <summary>The host cancelled the call (or closed the database) and it was interrupted (rolled back for <c>db_exec</c>).</summary>
    public const string Cancelled = "cancelled";

    /// <summary>A constraint failed (<c>UNIQUE</c>, <c>NOT NULL</c>, <c>CHECK</c>, <c>FOREIGN KEY</c>); the message carries SQLite's. <c>db_exec</c> was rolled back.</summary>
    public const string Constraint = "constraint";

    /// <summary>Another connection held the database's lock until the call's time limit; nothing was changed, and trying again later may succeed.</summary>
    public const string Busy = "busy";

    /// <summary>The statement compiled but failed while running for another reason (malformed JSON given to a JSON function, a value larger than <see cref="PluginDbLimits.MaxValueBytes"/>, an error raised by a trigger, a disk error); the message carries SQLite's. <c>db_exec</c> was rolled back.</summary>
    public const string SqlError = "sql_error";
}
