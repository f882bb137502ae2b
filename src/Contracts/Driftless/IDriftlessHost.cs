using Airlock.Abi;

namespace Airlock.Contracts.Driftless;

/// <summary>The host functions Driftless plugins import from module <c>env</c>.</summary>
[WasmHost("env")]
public partial interface IDriftlessHost
{
    /// <summary>Logs a message for the plugin (<c>host_log(level: &amp;str, message: &amp;str)</c>).</summary>
    /// <param name="guest">The calling plugin.</param>
    /// <param name="level">One of <c>error</c>, <c>warn</c>, <c>info</c> and <c>debug</c>.</param>
    /// <param name="message">The message.</param>
    [WasmImport("host_log")]
    void Log(GuestContext guest, string level, string message);

    /// <summary>The current Unix time in seconds (<c>host_get_timestamp() -&gt; u64</c>).</summary>
    /// <param name="guest">The calling plugin.</param>
    [WasmImport("host_get_timestamp")]
    ulong GetTimestamp(GuestContext guest);
}
