using System.Text.Json.Nodes;

namespace Airlock.Lesstruct;

/// <summary>
/// What <c>db_query</c> returns: <c>{"columns": ["id", "title"], "rows": [{"id": 1, "title": "Hello"}]}</c>.
/// </summary>
/// <remarks>
/// Rows are <see cref="JsonObject"/>s keyed by column name, in column order, because that is the shape the plugin
/// receives; <see cref="JsonObject"/> serialises as-is with System.Text.Json, including source-generated contexts
/// (<c>[JsonSerializable(typeof(DbQueryResult))]</c> with camelCase naming gives exactly the shape above). Values are
/// mapped from SQLite's storage classes: INTEGER → JSON number (a 64-bit integer), REAL → JSON number (the
/// non-finite values, which JSON cannot carry, as the strings <c>"Infinity"</c> and <c>"-Infinity"</c>), TEXT →
/// string, BLOB → base64 string, NULL → <c>null</c>. When two columns have the same name (<c>SELECT a.id, b.id</c>)
/// the later ones are named <c>id:1</c>, <c>id:2</c>… as SQLite itself does for views, so every row object has
/// distinct keys and <see cref="Columns"/> matches them.
/// </remarks>
/// <param name="Columns">The result's column names, in order, made distinct.</param>
/// <param name="Rows">The rows, each an object with one member per column.</param>
public sealed record DbQueryResult(IReadOnlyList<string> Columns, IReadOnlyList<JsonObject> Rows);

/// <summary>What <c>db_exec</c> returns: <c>{"rowsAffected": 1, "lastInsertId": 7}</c>.</summary>
/// <param name="RowsAffected">
/// The rows inserted, updated or deleted by the call's statements themselves, summed over its statements (rows
/// changed by triggers or by foreign-key actions are not counted, as in SQLite's <c>changes()</c>).
/// </param>
/// <param name="LastInsertId">
/// The rowid of the last row an <c>INSERT</c> of this call inserted, or 0 when none of its statements inserted a row
/// (the connection's earlier inserts, made by other calls or other plugins, are never reported).
/// </param>
public sealed record DbExecResult(long RowsAffected, long LastInsertId);
