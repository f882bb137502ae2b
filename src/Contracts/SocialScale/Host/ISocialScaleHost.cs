using System.Text.Json;
using Airlock.Abi;

namespace Airlock.Contracts.SocialScale;

/// <summary>
/// The host functions SocialScale plugins import from module <c>env</c>. The application implements
/// them; each receives the calling plugin's <see cref="GuestContext"/>. See
/// <c>docs/abi/packed-ptr-len.md</c> for how results, "no value" and refusals reach the guest.
/// </summary>
[WasmHost("env", JsonContext = typeof(SocialScaleJsonContext))]
public partial interface ISocialScaleHost
{
    /// <summary><c>host_log(level, ptr, len)</c>: a log line from the plugin.</summary>
    /// <param name="guest">The calling plugin's instance.</param>
    /// <param name="level">The level the plugin gave (0 trace … 4 error; other values are passed through).</param>
    /// <param name="message">The message.</param>
    [WasmImport("host_log")]
    void Log(GuestContext guest, PluginLogLevel level, string message);

    /// <summary><c>host_http_request(ptr, len) -&gt; i64</c>: an outbound HTTP request.</summary>
    /// <param name="guest">The calling plugin's instance.</param>
    /// <param name="request">The request.</param>
    /// <returns>The response; any HTTP status is a response. Throw <see cref="HostCallException"/> to answer with a status code.</returns>
    [WasmImport("host_http_request")]
    HostHttpResponse HttpRequest(GuestContext guest, HostHttpRequest request);

    /// <summary><c>host_store_get(kptr, klen) -&gt; i64</c>: read a value from the plugin's KV store.</summary>
    /// <param name="guest">The calling plugin's instance.</param>
    /// <param name="key">The key.</param>
    /// <returns>The value, or <see langword="null"/> when the key has none (the guest receives <see cref="HostCallStatus.NotFound"/>).</returns>
    [WasmImport("host_store_get")]
    byte[]? StoreGet(GuestContext guest, string key);

    /// <summary><c>host_store_set(kp, kl, vp, vl)</c>: write a value to the plugin's KV store.</summary>
    /// <param name="guest">The calling plugin's instance.</param>
    /// <param name="key">The key.</param>
    /// <param name="value">The value; a view of guest memory valid only during the call.</param>
    [WasmImport("host_store_set")]
    void StoreSet(GuestContext guest, string key, ReadOnlySpan<byte> value);

    /// <summary><c>host_emit_event(ptr, len)</c>: publish a JSON event on the host's event bus.</summary>
    /// <param name="guest">The calling plugin's instance.</param>
    /// <param name="event">
    /// The event; plugins must send a JSON object. It arrives checked (UTF-8, one well-formed JSON value) but
    /// not parsed: a view of guest memory valid during the call. Call <see cref="JsonArgument.ToElement"/> for a
    /// document that outlives it.
    /// </param>
    [WasmImport("host_emit_event")]
    void EmitEvent(GuestContext guest, JsonArgument @event);

    /// <summary>
    /// Reads the OAuth tokens the host holds for the platform the plugin serves (an Airlock addition to
    /// the SocialScale host functions; needs <c>credential_access</c>). <see langword="null"/> when the
    /// host holds none.
    /// </summary>
    /// <param name="guest">The calling plugin.</param>
    [WasmImport("host_credential_get")]
    OAuthCredential? GetCredential(GuestContext guest);

    /// <summary>
    /// <c>host_config_get() -&gt; i64</c>: the plugin's configuration as JSON, validated against its
    /// manifest's <c>config_schema</c> (an Airlock addition to the SocialScale host functions).
    /// <see langword="null"/> when the plugin has no configuration.
    /// </summary>
    /// <param name="guest">The calling plugin; its configuration is <see cref="WasmPluginInfo.Configuration"/>.</param>
    [WasmImport("host_config_get")]
    byte[]? GetConfig(GuestContext guest);
}
