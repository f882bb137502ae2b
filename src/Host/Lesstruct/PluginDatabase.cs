using System.Buffers.Text;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Airlock.Lesstruct;

/// <summary>
/// Runs Lesstruct plugins' SQL (the <c>db_query</c> and <c>db_exec</c> host functions) against the application's
/// SQLite database, on a connection of its own, with every table and statement judged by SQLite's authorizer
/// against the plugin's <see cref="TableGrants"/>.
/// </summary>
/// <remarks>
/// <para><b>Enforcement.</b> The SQL text is never inspected. SQLite compiles each statement and reports, through
/// <c>sqlite3_set_authorizer</c>, every table it reads and writes — through CTEs, sub-queries, joins, views,
/// whatever the quoting or comments — and every structural action; anything not granted is refused before the
/// statement runs. Reads need <c>read:</c> (inside <c>db_exec</c>, <c>read:</c> or <c>write:</c>); inserts, updates
/// and deletes need <c>write:</c>; SQLite's own tables and the eight never-grantable Lesstruct tables are refused
/// whatever the grants; PRAGMA, ATTACH/DETACH, schema changes, transaction control and <c>load_extension</c> are
/// refused. Plain SELECTs, ordinary functions, recursive CTEs and the JSON table-valued functions are allowed.</para>
/// <para><b>The schema's own work.</b> A <c>db_exec</c> statement is compiled twice: first with triggers and foreign
/// keys switched off, so everything SQLite reports is the plugin's own doing and is judged strictly, then as it will
/// run. What the second compilation adds — trigger bodies, foreign-key checks, <c>ON DELETE CASCADE</c> — comes from
/// the application's schema, not from the plugin, and may touch tables the plugin cannot (deleting a content item
/// deletes its comments). A foreign-key failure is reported as <c>constraint</c>.</para>
/// <para><b>db_query</b> runs exactly one statement (trailing semicolons, whitespace and comments are fine), which
/// must be a read-only query. <b>db_exec</b> runs one or more statements, each of which must write (a plain SELECT
/// is refused), in one transaction: all of them or none.</para>
/// <para><b>Threads.</b> Calls are serialised on one connection; a call waits (within its time limit) for the one
/// before it. Dispose interrupts a running call.</para>
/// </remarks>
public sealed class PluginDatabase : IDisposable
{
    /// <summary>How many virtual-machine steps run between checks of the deadline and the cancellation token.</summary>
    private const int ProgressInterval = 1000;

    private const int SqliteOk = 0;
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteInterrupt = 9;
    private const int SqliteConstraint = 19;
    private const int SqliteAuth = 23;
    private const int SqliteRow = 100;
    private const int SqliteDone = 101;

    private readonly Lock _gate = new();
    private readonly SqliteConnection _connection;
    private readonly sqlite3 _db;
    private readonly PluginDbAuthorizer _authorizer = new();
    private readonly strdelegate_authorizer _authorizerCallback;
    private readonly delegate_progress _progressCallback;

    private long _deadline;
    private TimeSpan _timeout;
    private CancellationToken _cancellation;
    private StopReason _stopReason;
    private volatile bool _disposed;

    /// <summary>Opens a dedicated connection for plugin SQL.</summary>
    /// <param name="connectionString">
    /// A Microsoft.Data.Sqlite connection string for the application's database, e.g. <c>Data Source=app.db</c>.
    /// Pooling is always switched off for this connection, so its authorizer never reaches a pooled connection the
    /// application uses.
    /// </param>
    /// <exception cref="SqliteException">The database cannot be opened.</exception>
    public PluginDatabase(string connectionString)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        var builder = new SqliteConnectionStringBuilder(connectionString) { Pooling = false };
        _connection = new SqliteConnection(builder.ToString());
        try
        {
            _connection.Open();
            using (SqliteCommand command = _connection.CreateCommand())
            {
                command.CommandText = "PRAGMA journal_mode = WAL;";
                command.ExecuteScalar();
                command.CommandText = "PRAGMA foreign_keys = ON;";
                command.ExecuteNonQuery();
            }

            _db = _connection.Handle ?? throw new InvalidOperationException("The SQLite connection has no handle.");
            raw.sqlite3_busy_timeout(_db, 5000);
            raw.sqlite3_db_config(_db, raw.SQLITE_DBCONFIG_DEFENSIVE, 1, out _);
            raw.sqlite3_db_config(_db, raw.SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, out _);
            raw.sqlite3_limit(_db, raw.SQLITE_LIMIT_ATTACHED, 0);

            _authorizerCallback = _authorizer.Authorize;
            _progressCallback = OnProgress;
            int rc = raw.sqlite3_set_authorizer(_db, _authorizerCallback, null);
            if (rc != SqliteOk)
            {
                throw new InvalidOperationException($"Cannot install the SQLite authorizer: {raw.sqlite3_errstr(rc).utf8_to_string()}");
            }
        }
        catch
        {
            _connection.Dispose();
            throw;
        }
    }

    private enum StopReason
    {
        None,
        Timeout,
        Cancelled,
    }

    /// <summary>Opens a dedicated connection for plugin SQL to a database file.</summary>
    /// <param name="path">The application's database file.</param>
    /// <exception cref="SqliteException">The database cannot be opened.</exception>
    public static PluginDatabase OpenFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new PluginDatabase(new SqliteConnectionStringBuilder { DataSource = path }.ToString());
    }

    /// <summary>Whether the connection is inside a transaction (never, between calls).</summary>
    internal bool InTransaction
    {
        get
        {
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                return raw.sqlite3_get_autocommit(_db) == 0;
            }
        }
    }

    /// <summary>Runs <c>db_query</c>: one read-only statement, its rows returned.</summary>
    /// <param name="sql">One SQL statement; trailing semicolons, whitespace and comments are allowed.</param>
    /// <param name="parameters">
    /// A JSON array (positional <c>?</c> parameters) or object (named <c>:name</c>, <c>@name</c>, <c>$name</c>
    /// parameters, the key with or without its prefix), or <see langword="null"/> when there are none. Values are
    /// strings, numbers, booleans or null; each must be used.
    /// </param>
    /// <param name="grants">What the plugin's manifest grants.</param>
    /// <param name="limits">Bounds for the call; <see langword="null"/> for <see cref="PluginDbLimits.Default"/>.</param>
    /// <param name="cancellationToken">Interrupts the statement when cancelled.</param>
    /// <returns>The columns and rows.</returns>
    /// <exception cref="PluginDatabaseException">The SQL was refused or failed; <see cref="PluginDatabaseException.Code"/> says why.</exception>
    /// <exception cref="ObjectDisposedException">The database was disposed.</exception>
    public DbQueryResult Query(string sql, JsonElement? parameters, TableGrants grants, PluginDbLimits? limits = null, CancellationToken cancellationToken = default)
        => Run(sql, parameters, grants, limits, cancellationToken, "db_query", "BEGIN;", static (database, utf8, binder, limits) => database.RunQuery(utf8, binder, limits));

    /// <summary>Runs <c>db_exec</c>: one or more writing statements, in one transaction.</summary>
    /// <param name="sql">One or more INSERT, UPDATE or DELETE statements separated by semicolons.</param>
    /// <param name="parameters">
    /// A JSON array (positional parameters, consumed statement by statement in order) or object (named parameters,
    /// shared by all statements), or <see langword="null"/> when there are none. Values are strings, numbers,
    /// booleans or null; each must be used.
    /// </param>
    /// <param name="grants">What the plugin's manifest grants.</param>
    /// <param name="limits">Bounds for the call; <see langword="null"/> for <see cref="PluginDbLimits.Default"/>.</param>
    /// <param name="cancellationToken">Interrupts the statement (and rolls back the call) when cancelled.</param>
    /// <returns>The rows changed and the last inserted rowid.</returns>
    /// <exception cref="PluginDatabaseException">
    /// A statement was refused or failed; nothing the call did is kept. <see cref="PluginDatabaseException.Code"/> says why.
    /// </exception>
    /// <exception cref="ObjectDisposedException">The database was disposed.</exception>
    public DbExecResult Execute(string sql, JsonElement? parameters, TableGrants grants, PluginDbLimits? limits = null, CancellationToken cancellationToken = default)
        => Run(sql, parameters, grants, limits, cancellationToken, "db_exec", "BEGIN IMMEDIATE;", static (database, utf8, binder, _) => database.RunExec(utf8, binder));

    // One call: encode and bind, take the gate, open the call's transaction, run, always end the call.
    private T Run<T>(string sql, JsonElement? parameters, TableGrants grants, PluginDbLimits? limits, CancellationToken cancellationToken, string verb, string begin, Func<PluginDatabase, byte[], PluginDbParameters, PluginDbLimits, T> body)
    {
        ArgumentNullException.ThrowIfNull(sql);
        ArgumentNullException.ThrowIfNull(grants);
        limits ??= PluginDbLimits.Default;
        limits.Validate();
        long started = Stopwatch.GetTimestamp();
        byte[] utf8 = Encode(sql, limits, verb);
        var binder = new PluginDbParameters(parameters, verb);

        Enter(started, limits, cancellationToken, verb);
        try
        {
            BeginCall(grants, verb, limits);
            try
            {
                Host(begin, verb);
                ReadSchemaObjects(verb);
                return body(this, utf8, binder, limits);
            }
            finally
            {
                EndCall();
            }
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>Closes the connection, interrupting a call that is running.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        raw.sqlite3_interrupt(_db);
        lock (_gate)
        {
            _connection.Dispose();
        }
    }

    private DbQueryResult RunQuery(byte[] utf8, PluginDbParameters binder, PluginDbLimits limits)
    {
        const string verb = "db_query";
        (sqlite3_stmt? statement, int next) = PrepareNext(utf8, 0, AuthorizerMode.Query, verb);
        if (statement is null)
        {
            throw new PluginDatabaseException(PluginDatabaseErrorCodes.InvalidSql, "db_query was given no SQL statement (only whitespace, comments or semicolons)");
        }

        try
        {
            if (!_authorizer.SawSelect)
            {
                throw new PluginDatabaseException(
                    PluginDatabaseErrorCodes.StatementNotAllowed,
                    "db_query runs queries only (SELECT, WITH … SELECT, VALUES); this statement is not one");
            }

            if (raw.sqlite3_stmt_readonly(statement) == 0)
            {
                throw new PluginDatabaseException(PluginDatabaseErrorCodes.NotARead, "db_query only reads, but this statement changes the database; use db_exec to change rows");
            }

            EnsureNothingFollows(utf8, next);
            binder.Bind(statement);
            binder.Finish();

            string[] columns = ColumnNames(statement);
            int[] columnBytes = [.. columns.Select(c => Encoding.UTF8.GetByteCount(c) + 4)];
            long size = 24 + columnBytes.Sum();
            var rows = new List<JsonObject>();

            _authorizer.Reset(AuthorizerMode.Running);
            while (true)
            {
                int rc = raw.sqlite3_step(statement);
                if (rc == SqliteDone)
                {
                    break;
                }

                if (rc != SqliteRow)
                {
                    throw Failure(rc, verb, compiling: false);
                }

                if (rows.Count >= limits.MaxRows)
                {
                    throw new PluginDatabaseException(
                        PluginDatabaseErrorCodes.ResultTooLarge,
                        $"db_query's result has more than {limits.MaxRows} rows; add a LIMIT and page through the rows (for example with WHERE id > the last id seen)");
                }

                rows.Add(ReadRow(statement, columns, columnBytes, ref size, limits, rows.Count));
                if ((rows.Count & 255) == 0)
                {
                    CheckClock(verb);
                }
            }

            return new DbQueryResult(columns, rows);
        }
        finally
        {
            statement.Dispose();
        }
    }

    private DbExecResult RunExec(byte[] utf8, PluginDbParameters binder)
    {
        const string verb = "db_exec";
        int offset = 0;
        int statements = 0;
        long rowsAffected = 0;
        long lastInsertId = 0;
        while (offset < utf8.Length)
        {
            CheckClock(verb);

            // First pass: the plugin's own statement, without triggers and foreign keys, judged strictly.
            sqlite3_stmt? own;
            SetSchemaActions(enabled: false);
            try
            {
                (own, _) = PrepareNext(utf8, offset, AuthorizerMode.ExecOwn, verb);
            }
            finally
            {
                SetSchemaActions(enabled: true);
            }

            if (own is null)
            {
                break;
            }

            statements++;
            bool sawWrite = _authorizer.SawWrite;
            bool sawInsert = _authorizer.SawInsert;
            bool sawSelect = _authorizer.SawSelect;
            bool readOnly = raw.sqlite3_stmt_readonly(own) != 0;
            int columnCount = raw.sqlite3_column_count(own);
            own.Dispose();

            if (!sawWrite)
            {
                throw readOnly && sawSelect
                    ? new PluginDatabaseException(
                        PluginDatabaseErrorCodes.NotAWrite,
                        $"db_exec changes rows, but statement {statements} only reads; use db_query to read")
                    : new PluginDatabaseException(
                        PluginDatabaseErrorCodes.StatementNotAllowed,
                        $"db_exec runs INSERT, UPDATE and DELETE statements only, and statement {statements} is none of them");
            }

            if (columnCount > 0)
            {
                throw new PluginDatabaseException(
                    PluginDatabaseErrorCodes.StatementNotAllowed,
                    $"db_exec returns no rows, so statement {statements} may not use RETURNING; use lastInsertId, or db_query after the write");
            }

            // Second pass: the same statement as it will run, with the schema's triggers and foreign keys.
            (sqlite3_stmt? statement, int after) = PrepareNext(utf8, offset, AuthorizerMode.ExecSchema, verb);
            if (statement is null)
            {
                throw new PluginDatabaseException(PluginDatabaseErrorCodes.SqlError, $"db_exec: statement {statements} could not be compiled a second time");
            }

            try
            {
                binder.Bind(statement);
                _authorizer.Reset(AuthorizerMode.Running);
                int rc;
                while ((rc = raw.sqlite3_step(statement)) == SqliteRow)
                {
                }

                if (rc != SqliteDone)
                {
                    throw Failure(rc, verb, compiling: false);
                }

                int changes = raw.sqlite3_changes(_db);
                rowsAffected += changes;
                if (sawInsert && changes > 0)
                {
                    lastInsertId = raw.sqlite3_last_insert_rowid(_db);
                }
            }
            finally
            {
                statement.Dispose();
            }

            offset = after;
        }

        if (statements == 0)
        {
            throw new PluginDatabaseException(PluginDatabaseErrorCodes.InvalidSql, "db_exec was given no SQL statement (only whitespace, comments or semicolons)");
        }

        binder.Finish();
        Host("COMMIT;", verb);
        return new DbExecResult(rowsAffected, lastInsertId);
    }

    /// <summary>
    /// Compiles the next statement from <paramref name="offset"/>, skipping empty ones (stray semicolons, comments).
    /// Returns no statement when only such remain.
    /// </summary>
    private (sqlite3_stmt? Statement, int Next) PrepareNext(byte[] utf8, int offset, AuthorizerMode mode, string verb)
    {
        while (offset < utf8.Length)
        {
            _authorizer.Reset(mode);
            int rc = raw.sqlite3_prepare_v2(_db, utf8.AsSpan(offset), out sqlite3_stmt statement, out ReadOnlySpan<byte> tail);
            int next = utf8.Length - tail.Length;
            if (rc != SqliteOk)
            {
                PluginDatabaseException failure = Failure(rc, verb, compiling: true);
                statement?.Dispose();
                throw failure;
            }

            if (statement is not null && !statement.IsInvalid)
            {
                return (statement, next);
            }

            statement?.Dispose();
            if (next <= offset)
            {
                break;
            }

            offset = next;
        }

        return (null, utf8.Length);
    }

    /// <summary>Refuses SQL in which another statement follows db_query's, without authorizing or running it.</summary>
    private void EnsureNothingFollows(byte[] utf8, int offset)
    {
        while (offset < utf8.Length)
        {
            _authorizer.Reset(AuthorizerMode.Probe);
            int rc = raw.sqlite3_prepare_v2(_db, utf8.AsSpan(offset), out sqlite3_stmt statement, out ReadOnlySpan<byte> tail);
            int next = utf8.Length - tail.Length;
            bool found = rc != SqliteOk || (statement is not null && !statement.IsInvalid);
            statement?.Dispose();
            if (found)
            {
                throw new PluginDatabaseException(
                    PluginDatabaseErrorCodes.StatementNotAllowed,
                    "db_query runs one statement, but the SQL goes on after the first one; send each query on its own (db_exec runs several writes in one call)");
            }

            if (next <= offset)
            {
                break;
            }

            offset = next;
        }
    }

    private JsonObject ReadRow(sqlite3_stmt statement, string[] columns, int[] columnBytes, ref long size, PluginDbLimits limits, int rowsSoFar)
    {
        var row = new JsonObject();
        size += 3;
        for (int i = 0; i < columns.Length; i++)
        {
            int type = raw.sqlite3_column_type(statement, i);
            long bytes = type switch
            {
                raw.SQLITE_INTEGER => 20,
                raw.SQLITE_FLOAT => 24,
                raw.SQLITE_TEXT => raw.sqlite3_column_bytes(statement, i) + 2L,
                raw.SQLITE_BLOB => Base64.GetMaxEncodedToUtf8Length(raw.sqlite3_column_bytes(statement, i)) + 2L,
                _ => 4,
            };
            size += columnBytes[i] + bytes;
            if (size > limits.MaxResultBytes)
            {
                throw new PluginDatabaseException(
                    PluginDatabaseErrorCodes.ResultTooLarge,
                    $"db_query's result is larger than {limits.MaxResultBytes} bytes (after {rowsSoFar} rows); select fewer columns, add a LIMIT, or page through the rows");
            }

            row[columns[i]] = type switch
            {
                raw.SQLITE_INTEGER => JsonValue.Create(raw.sqlite3_column_int64(statement, i)),
                raw.SQLITE_FLOAT => Real(raw.sqlite3_column_double(statement, i)),
                raw.SQLITE_TEXT => JsonValue.Create(raw.sqlite3_column_text(statement, i).utf8_to_string()),
                raw.SQLITE_BLOB => JsonValue.Create(Convert.ToBase64String(raw.sqlite3_column_blob(statement, i))),
                _ => null,
            };
        }

        return row;
    }

    private static JsonValue Real(double value) => double.IsFinite(value)
        ? JsonValue.Create(value)
        : JsonValue.Create(double.IsPositiveInfinity(value) ? "Infinity" : double.IsNegativeInfinity(value) ? "-Infinity" : "NaN");

    /// <summary>The columns' names, made distinct as SQLite does for views: <c>id</c>, <c>id:1</c>, <c>id:2</c>…</summary>
    private static string[] ColumnNames(sqlite3_stmt statement)
    {
        int count = raw.sqlite3_column_count(statement);
        var names = new string[count];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            string name = raw.sqlite3_column_name(statement, i).utf8_to_string() ?? $"column{i + 1}";
            string unique = name;
            for (int n = 1; !seen.Add(unique); n++)
            {
                unique = $"{name}:{n}";
            }

            names[i] = unique;
        }

        return names;
    }

    private static byte[] Encode(string sql, PluginDbLimits limits, string verb)
    {
        if (sql.Contains('\0', StringComparison.Ordinal))
        {
            throw new PluginDatabaseException(PluginDatabaseErrorCodes.InvalidSql, $"{verb}: the SQL contains a NUL character");
        }

        int length = Encoding.UTF8.GetByteCount(sql);
        if (length > limits.MaxSqlBytes)
        {
            throw new PluginDatabaseException(PluginDatabaseErrorCodes.InvalidSql, $"{verb}: the SQL is {length} bytes long, and the limit is {limits.MaxSqlBytes}");
        }

        if (string.IsNullOrWhiteSpace(sql))
        {
            throw new PluginDatabaseException(PluginDatabaseErrorCodes.InvalidSql, $"{verb} was given no SQL statement");
        }

        return Encoding.UTF8.GetBytes(sql);
    }

    /// <summary>Takes the connection, waiting within the call's time limit for a call that holds it.</summary>
    private void Enter(long started, PluginDbLimits limits, CancellationToken cancellationToken, string verb)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long deadline = started + (long)(limits.Timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                throw new PluginDatabaseException(PluginDatabaseErrorCodes.Cancelled, $"{verb} was cancelled before it started");
            }

            long remaining = deadline - Stopwatch.GetTimestamp();
            if (remaining <= 0)
            {
                throw new PluginDatabaseException(
                    PluginDatabaseErrorCodes.Timeout,
                    $"{verb} waited {(long)limits.Timeout.TotalMilliseconds} ms, its time limit, for other plugins' database calls to finish");
            }

            if (_gate.TryEnter((int)Math.Clamp(remaining * 1000 / Stopwatch.Frequency, 1, 50)))
            {
                break;
            }
        }

        if (_disposed)
        {
            _gate.Exit();
            throw new ObjectDisposedException(GetType().FullName);
        }

        _deadline = deadline;
        _timeout = limits.Timeout;
        _cancellation = cancellationToken;
        _stopReason = StopReason.None;
    }

    private void BeginCall(TableGrants grants, string verb, PluginDbLimits limits)
    {
        _authorizer.Reset(AuthorizerMode.Host);
        _authorizer.Grants = grants;
        _authorizer.Verb = verb;
        if (raw.sqlite3_get_autocommit(_db) == 0)
        {
            raw.sqlite3_exec(_db, "ROLLBACK;");
        }

        long remainingMs = (_deadline - Stopwatch.GetTimestamp()) * 1000 / Stopwatch.Frequency;
        raw.sqlite3_busy_timeout(_db, (int)Math.Clamp(remainingMs, 1, int.MaxValue));
        raw.sqlite3_limit(_db, raw.SQLITE_LIMIT_LENGTH, limits.MaxValueBytes);
        raw.sqlite3_progress_handler(_db, ProgressInterval, _progressCallback, null);
    }

    private void EndCall()
    {
        _authorizer.Reset(AuthorizerMode.Host);
        raw.sqlite3_progress_handler(_db, 0, null, null);
        if (raw.sqlite3_get_autocommit(_db) == 0)
        {
            raw.sqlite3_exec(_db, "ROLLBACK;");
        }

        SetSchemaActions(enabled: true);
        _authorizer.Grants = TableGrants.None;
        _cancellation = default;
    }

    /// <summary>Runs the host's own SQL (not the plugin's): allowed by the authorizer, never interrupted by the clock.</summary>
    private void Host(string sql, string verb)
    {
        _authorizer.Reset(AuthorizerMode.Host);
        int rc = raw.sqlite3_exec(_db, sql);
        if (rc != SqliteOk)
        {
            throw Failure(rc, verb, compiling: false);
        }
    }

    /// <summary>
    /// Reads the names of the database's tables and views inside the call's transaction. Besides telling the
    /// authorizer which names are real, this fixes the call's snapshot of the schema, so a schema change made by the
    /// application since the last call is seen before the plugin's SQL is compiled, never in the middle of running it.
    /// </summary>
    private void ReadSchemaObjects(string verb)
    {
        _authorizer.Reset(AuthorizerMode.Host);
        _authorizer.SchemaObjects.Clear();
        int rc = raw.sqlite3_prepare_v2(_db, "SELECT name FROM main.sqlite_schema WHERE type IN ('table', 'view')", out sqlite3_stmt statement);
        try
        {
            if (rc != SqliteOk)
            {
                throw Failure(rc, verb, compiling: false);
            }

            while ((rc = raw.sqlite3_step(statement)) == SqliteRow)
            {
                _authorizer.SchemaObjects.Add(raw.sqlite3_column_text(statement, 0).utf8_to_string() ?? "");
            }

            if (rc != SqliteDone)
            {
                throw Failure(rc, verb, compiling: false);
            }
        }
        finally
        {
            statement?.Dispose();
        }
    }

    private void SetSchemaActions(bool enabled)
    {
        raw.sqlite3_db_config(_db, raw.SQLITE_DBCONFIG_ENABLE_FKEY, enabled ? 1 : 0, out _);
        raw.sqlite3_db_config(_db, raw.SQLITE_DBCONFIG_ENABLE_TRIGGER, enabled ? 1 : 0, out _);
    }

    private void CheckClock(string verb)
    {
        if (_cancellation.IsCancellationRequested)
        {
            _stopReason = StopReason.Cancelled;
            throw Stopped(verb);
        }

        if (Stopwatch.GetTimestamp() >= _deadline)
        {
            _stopReason = StopReason.Timeout;
            throw Stopped(verb);
        }
    }

    /// <summary>The error for a call stopped by its deadline, its token or <see cref="Dispose"/>.</summary>
    private PluginDatabaseException Stopped(string verb)
    {
        string undone = verb == "db_exec" ? "; nothing was changed" : "";
        return _stopReason switch
        {
            StopReason.Timeout => new PluginDatabaseException(
                PluginDatabaseErrorCodes.Timeout,
                $"{verb} ran past its time limit of {(long)_timeout.TotalMilliseconds} ms and was stopped{undone}"),
            StopReason.Cancelled => new PluginDatabaseException(PluginDatabaseErrorCodes.Cancelled, $"{verb} was cancelled by the host{undone}"),
            _ => new PluginDatabaseException(PluginDatabaseErrorCodes.Cancelled, $"{verb} was interrupted because the plugin database is closing{undone}"),
        };
    }

    /// <summary>The progress handler: stops the statement at the deadline or on cancellation. Never throws into SQLite.</summary>
    private int OnProgress(object userData)
    {
        if (_authorizer.Mode == AuthorizerMode.Host)
        {
            return 0;
        }

        if (_cancellation.IsCancellationRequested)
        {
            _stopReason = StopReason.Cancelled;
            return 1;
        }

        if (Stopwatch.GetTimestamp() >= _deadline)
        {
            _stopReason = StopReason.Timeout;
            return 1;
        }

        return 0;
    }

    private PluginDatabaseException Failure(int rc, string verb, bool compiling)
    {
        if (_authorizer.Denial is { } denial)
        {
            return denial;
        }

        string sqliteMessage = raw.sqlite3_errmsg(_db).utf8_to_string() ?? raw.sqlite3_errstr(rc).utf8_to_string() ?? $"SQLite error {rc}";
        string undone = verb == "db_exec" ? "; nothing was changed" : "";
        switch (rc & 0xFF)
        {
            case SqliteInterrupt:
                return Stopped(verb);
            case SqliteConstraint:
                return new PluginDatabaseException(PluginDatabaseErrorCodes.Constraint, $"{verb} failed: {sqliteMessage}{undone}");
            case SqliteBusy:
            case SqliteLocked:
                return new PluginDatabaseException(
                    PluginDatabaseErrorCodes.Busy,
                    $"{verb} could not use the database, which another connection kept locked until the call's time limit ({sqliteMessage}){undone}; try again later");
            case SqliteAuth:
                return new PluginDatabaseException(PluginDatabaseErrorCodes.StatementNotAllowed, $"{verb} may not run this statement: {sqliteMessage}");
            default:
                return compiling
                    ? new PluginDatabaseException(PluginDatabaseErrorCodes.InvalidSql, $"{verb} could not compile the SQL: {sqliteMessage}")
                    : new PluginDatabaseException(PluginDatabaseErrorCodes.SqlError, $"{verb} failed: {sqliteMessage}{undone}");
        }
    }
}
