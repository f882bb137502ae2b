namespace Airlock;

/// <summary>
/// The shape that wraps the result of an export.
/// </summary>
public enum WasmResponseEnvelope
{
    /// <summary>The result is the payload itself.</summary>
    None = 0,

    /// <summary>
    /// The result is a JSON object with a <c>"status"</c> member. <c>"ok"</c> means the other members
    /// are the result; <c>"error"</c> means the call failed and <c>code</c>, <c>message</c> and
    /// <c>retryable</c> describe why, which the binding raises as <see cref="PluginErrorException"/>.
    /// </summary>
    Status = 1,

    /// <summary>
    /// The result is the payload, unless it is a JSON object with a non-null top-level <c>"error"</c>
    /// member: a string (the message) or an object with <c>code</c> and <c>message</c>, which the
    /// binding raises as <see cref="PluginErrorException"/>. This is how Lesstruct hooks report errors
    /// without trapping.
    /// </summary>
    ErrorMember = 2,
}
