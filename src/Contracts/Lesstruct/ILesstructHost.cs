using System.Text.Json.Nodes;
using Airlock.Abi;

namespace Airlock.Contracts.Lesstruct;

/// <summary>
/// The host functions Lesstruct plugins import from module <c>lesstruct</c>. Each data function
/// answers with a <see cref="HostResult{T}"/> written at offset 4096 (a <c>u32</c> length, the JSON,
/// a 0 byte); each call overwrites the previous result. See <c>docs/lesstruct.md</c>.
/// </summary>
[WasmHost("lesstruct", Abi = WasmAbi.FixedOffset, ResultOffset = ResultOffset, JsonContext = typeof(LesstructJsonContext))]
public partial interface ILesstructHost
{
    /// <summary>Where results are written.</summary>
    public const int ResultOffset = 4096;

    /// <summary>Performs an HTTP GET, if the manifest's URL patterns allow the URL.</summary>
    /// <param name="guest">The calling plugin.</param>
    /// <param name="url">The absolute URL.</param>
    /// <param name="headers">Request headers; empty or <see langword="null"/> for none.</param>
    [WasmImport("http_get")]
    HostResult<HttpResponseData> HttpGet(GuestContext guest, string url, Dictionary<string, string>? headers);

    /// <summary>Performs an HTTP POST, if the manifest's URL patterns allow the URL.</summary>
    /// <param name="guest">The calling plugin.</param>
    /// <param name="url">The absolute URL.</param>
    /// <param name="headers">Request headers; empty or <see langword="null"/> for none.</param>
    /// <param name="body">The request body.</param>
    [WasmImport("http_post")]
    HostResult<HttpResponseData> HttpPost(GuestContext guest, string url, Dictionary<string, string>? headers, ReadOnlySpan<byte> body);

    /// <summary>Runs one read-only SQL statement, if the manifest grants reads of every table it reads.</summary>
    /// <param name="guest">The calling plugin.</param>
    /// <param name="sql">The statement.</param>
    /// <param name="parameters">A JSON array (positional) or object (named) of parameters; empty for none.</param>
    [WasmImport("db_query")]
    HostResult<DbQueryData> DbQuery(GuestContext guest, string sql, JsonNode? parameters);

    /// <summary>Runs INSERT, UPDATE or DELETE statements in one transaction, if the manifest grants writes of every table written.</summary>
    /// <param name="guest">The calling plugin.</param>
    /// <param name="sql">The statements.</param>
    /// <param name="parameters">A JSON array (positional) or object (named) of parameters; empty for none.</param>
    [WasmImport("db_exec")]
    HostResult<DbExecData> DbExec(GuestContext guest, string sql, JsonNode? parameters);

    /// <summary>Logs an informational message for the plugin.</summary>
    /// <param name="guest">The calling plugin.</param>
    /// <param name="message">The message.</param>
    [WasmImport("log_info")]
    void LogInfo(GuestContext guest, string message);

    /// <summary>Logs an error message for the plugin.</summary>
    /// <param name="guest">The calling plugin.</param>
    /// <param name="message">The message.</param>
    [WasmImport("log_error")]
    void LogError(GuestContext guest, string message);
}
