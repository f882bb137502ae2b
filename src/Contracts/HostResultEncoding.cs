namespace Airlock;

/// <summary>
/// How a host function that returns a value tells the guest that there is no value, or that it
/// refused the call. A plugin is loaded with one encoding for all its host functions.
/// </summary>
/// <remarks>
/// The plugin systems Airlock hosts specify only the successful result ("returns ptr+len"): a guest
/// written to that text reads <c>0</c> as "nothing" and unpacks whatever else it receives as a
/// buffer. <see cref="Plain"/> is therefore the default; richer <see cref="HostCallStatus"/> codes are
/// given only to plugins that ask for them (<c>"host_status_codes": true</c> in a manifest, or
/// <see cref="StatusCodes"/> in the load options). See <c>docs/abi/packed-ptr-len.md</c>.
/// </remarks>
public enum HostResultEncoding
{
    /// <summary>
    /// An absent value is <c>0</c> (an empty result, which the guest never frees); any other refusal
    /// (permission denied, rate limited, invalid argument, too large, unavailable) ends the plugin's
    /// call with a trap, and the application receives a <see cref="HostFunctionException"/> naming the
    /// host function and the reason. A guest never receives a value it could mistake for a buffer.
    /// Profiles may answer a refusal with a value of the function's own result type instead (the
    /// SocialScale <c>host_http_request</c> answers with an HTTP error response).
    /// </summary>
    Plain = 0,

    /// <summary>
    /// An absent value or a refusal is a negative <see cref="HostCallStatus"/> code (<c>-1</c> not
    /// found, <c>-2</c> permission denied, ...), which the guest tells apart from a buffer by its sign.
    /// </summary>
    StatusCodes = 1,
}
