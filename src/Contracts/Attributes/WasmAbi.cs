namespace Airlock;

/// <summary>
/// How payloads cross the boundary between the host and a plugin's linear memory.
/// </summary>
/// <remarks>
/// Scalar parameters and results (<see cref="int"/>, <see cref="long"/>, <see cref="float"/>,
/// <see cref="double"/>, <see cref="bool"/> and enums over them) always pass straight through as wasm
/// values, whatever the ABI. The ABI decides how strings, bytes and JSON payloads travel.
/// </remarks>
public enum WasmAbi
{
    /// <summary>
    /// The host allocates inputs with the guest's <c>alloc</c> export and passes <c>(ptr, len)</c>;
    /// results come back as one <c>i64</c> packed as <c>(ptr &lt;&lt; 32) | len</c> and are freed with
    /// <c>dealloc(ptr, len)</c>. This is the SocialScale ABI.
    /// </summary>
    PackedPtrLen = 1,

    /// <summary>
    /// The host writes an export's input at the contract's <see cref="WasmPluginAttribute.InputOffset"/>
    /// and calls <c>(offset, len) -&gt; resultOffset</c>; the result's length comes from the optional
    /// <c>__hook_result_len(inputLen)</c> export, or equals the input's. A result offset of 0 means
    /// "no change". Host functions write their results at
    /// <see cref="WasmHostAttribute.ResultOffset"/>. This is the Lesstruct ABI; see
    /// <c>docs/abi/fixed-offset.md</c>.
    /// </summary>
    FixedOffset = 2,

    /// <summary>
    /// The convention of Rust plugins built with <c>#[wasm_bindgen]</c> (the Driftless ABI): each string
    /// argument is allocated with the guest's <c>__wbindgen_malloc</c>, passed as <c>(ptr, len)</c> and
    /// owned (freed) by the callee; a buffer result is written as <c>(ptr, len)</c> to a return slot
    /// passed as the first parameter, and the host frees it with <c>__wbindgen_free</c>. Both allocator
    /// shapes are supported (with and without an alignment argument), and wasm-bindgen's inert glue
    /// imports are linked as stubs. See <c>docs/abi/wasm-bindgen.md</c>.
    /// </summary>
    WasmBindgen = 3,
}
