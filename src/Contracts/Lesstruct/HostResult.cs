using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Airlock.Contracts.Lesstruct;

/// <summary>
/// The answer of a Lesstruct data host function: <c>{"ok":true,"data":...}</c> or
/// <c>{"ok":false,"error":{"code":...,"message":...}}</c>.
/// </summary>
/// <typeparam name="T">The data of a successful call.</typeparam>
public sealed class HostResult<T>
    where T : class
{
    /// <summary>Whether the call succeeded.</summary>
    public bool Ok { get; init; }

    /// <summary>The data of a successful call.</summary>
    public T? Data { get; init; }

    /// <summary>Why the call failed.</summary>
    public HostError? Error { get; init; }

    /// <summary>A successful answer.</summary>
    /// <param name="data">The data.</param>
    public static HostResult<T> Success(T data) => new() { Ok = true, Data = data };

    /// <summary>A failed answer.</summary>
    /// <param name="code">A stable, snake_case code such as <c>url_not_allowed</c>.</param>
    /// <param name="message">What went wrong, for the plugin's author.</param>
    public static HostResult<T> Failure(string code, string message) => new() { Ok = false, Error = new HostError(code, message) };
}

/// <summary>Why a host function call failed.</summary>
/// <param name="Code">A stable, snake_case code such as <c>url_not_allowed</c> or <c>table_not_allowed</c>.</param>
/// <param name="Message">What went wrong, for the plugin's author.</param>
public sealed record HostError(string Code, string Message);

/// <summary>The response to <c>http_get</c> or <c>http_post</c>.</summary>
/// <param name="Status">The HTTP status code.</param>
/// <param name="Headers">The response headers (names lowercase, repeated values joined with <c>", "</c>).</param>
/// <param name="Body">The body: UTF-8 text, or base64 when <paramref name="BodyEncoding"/> says so.</param>
/// <param name="BodyEncoding"><c>base64</c> when the body is not valid UTF-8; absent otherwise.</param>
public sealed record HttpResponseData(
    int Status,
    IReadOnlyDictionary<string, string> Headers,
    string Body,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? BodyEncoding = null);

/// <summary>The rows <c>db_query</c> read.</summary>
/// <param name="Columns">The column names, in order.</param>
/// <param name="Rows">One object per row, by column name.</param>
public sealed record DbQueryData(IReadOnlyList<string> Columns, IReadOnlyList<JsonObject> Rows);

/// <summary>What <c>db_exec</c> changed.</summary>
/// <param name="RowsAffected">Rows inserted, updated or deleted, over all statements.</param>
/// <param name="LastInsertId">The rowid of the last inserted row (0 when none was inserted).</param>
public sealed record DbExecData(long RowsAffected, long LastInsertId);
