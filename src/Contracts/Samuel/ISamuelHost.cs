using Airlock.Abi;
using Airlock.Contracts.SocialScale;

namespace Airlock.Contracts.Samuel;

/// <summary>
/// The host functions Samuel plugins import from module <c>samuel</c>; see <c>docs/abi/samuel.md</c>. Refusals reach the
/// guest as negative <see cref="HostCallStatus"/> codes (Samuel plugins are loaded with
/// <see cref="HostResultEncoding.StatusCodes"/>).
/// </summary>
[WasmHost("samuel", JsonContext = typeof(SamuelJsonContext))]
public partial interface ISamuelHost
{
    /// <summary>
    /// <c>samuel.log(level, ptr, len)</c>: a log line, which needs no capability. Levels: 0 debug, 1 info, 2 warn, 3 error
    /// (any other value is logged as info). At most 10 lines a second per plugin reach the log; the rest are dropped and counted.
    /// </summary>
    /// <param name="guest">The calling plugin's instance.</param>
    /// <param name="level">The level the plugin gave.</param>
    /// <param name="message">The message.</param>
    [WasmImport("log")]
    void Log(GuestContext guest, int level, string message);

    /// <summary>
    /// <c>samuel.net_outbound(ptr, len) -&gt; i64</c>: an outbound HTTP request to a host in the plugin's
    /// <c>[capabilities.network] hosts</c>. Any HTTP status is an answer; a refusal is a negative code
    /// (<see cref="HostCallStatus.PermissionDenied"/> for a host outside the list).
    /// </summary>
    /// <param name="guest">The calling plugin's instance.</param>
    /// <param name="request">The request: <c>{"method", "url", "headers", "body"}</c>.</param>
    /// <returns>The response: <c>{"status", "headers", "body"}</c>. Throw <see cref="HostCallException"/> to answer with a status code.</returns>
    [WasmImport("net_outbound")]
    HostHttpResponse NetOutbound(GuestContext guest, HostHttpRequest request);

    /// <summary>
    /// <c>samuel.soft_deadline_ms() -&gt; i64</c>: milliseconds left until the running call's soft deadline
    /// (<c>[runtime] timeout</c>); zero or negative once it has passed. The call goes on after it: only the hard timeout stops it.
    /// </summary>
    /// <param name="guest">The calling plugin's instance.</param>
    [WasmImport("soft_deadline_ms")]
    long SoftDeadlineMilliseconds(GuestContext guest);
}
