namespace Airlock;

/// <summary>
/// Declares a <c>partial interface</c> as the contract of a WebAssembly plugin. Airlock's source
/// generator implements the interface with typed Wasmtime bindings for each
/// <see cref="WasmExportAttribute"/> method, so that <c>PluginHost.LoadAsync&lt;T&gt;()</c> returns a
/// ready client without reflection.
/// </summary>
/// <example>
/// <code>
/// [WasmPlugin(JsonContext = typeof(MyJsonContext), Imports = [typeof(IMyHost)])]
/// public partial interface IMyPlugin
/// {
///     [WasmExport("transform")]
///     ValueTask&lt;Document&gt; TransformAsync(Document input, CancellationToken cancellationToken = default);
/// }
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Interface, AllowMultiple = false, Inherited = false)]
public sealed class WasmPluginAttribute : Attribute
{
    /// <summary>How payloads cross into and out of the plugin's memory.</summary>
    public WasmAbi Abi { get; set; } = WasmAbi.PackedPtrLen;

    /// <summary>
    /// A source-generated <see cref="System.Text.Json.Serialization.JsonSerializerContext"/> that
    /// covers every JSON payload type of the contract. Required when any parameter or result is JSON.
    /// </summary>
    public Type? JsonContext { get; set; }

    /// <summary>
    /// The <see cref="WasmHostAttribute"/> interfaces whose functions the plugin may import. Used to
    /// describe the contract and to check modules against it.
    /// </summary>
    public Type[]? Imports { get; set; }

    /// <summary>
    /// Where the host writes an export's input, for <see cref="WasmAbi.FixedOffset"/> contracts (which
    /// must set it; setting it without <see cref="Abi"/> selects that ABI). Airlock refuses a module
    /// whose data, stack or heap covers this address.
    /// </summary>
    public int InputOffset { get; set; }

    /// <summary>
    /// The optional export that reports a result's length for <see cref="WasmAbi.FixedOffset"/>
    /// contracts: <c>(inputLen: i32) -&gt; resultLen: i32</c>. Without it a result is as long as the input.
    /// </summary>
    public string ResultLengthExport { get; set; } = "__hook_result_len";

    /// <summary>
    /// The guest's allocator export for <see cref="WasmAbi.PackedPtrLen"/> contracts:
    /// <c>(size: i32) -&gt; ptr: i32</c>, returning 0 when it cannot allocate. Default <c>alloc</c>; plugins
    /// built with TinyGo, or with C or Rust re-exporting wasi-libc's allocator, export <c>malloc</c>.
    /// Other ABIs have their own allocator and ignore it.
    /// </summary>
    public string AllocExport { get; set; } = "alloc";

    /// <summary>
    /// The guest's deallocator export for <see cref="WasmAbi.PackedPtrLen"/> contracts: either
    /// <c>(ptr: i32, len: i32) -&gt; ()</c> or <c>(ptr: i32) -&gt; ()</c> (libc's and TinyGo's <c>free</c>); the host
    /// reads which from the module. Default <c>dealloc</c>. Other ABIs ignore it.
    /// </summary>
    public string FreeExport { get; set; } = "dealloc";

    /// <summary>
    /// Whether a plugin module may import WASI (<c>wasi_snapshot_preview1</c>). Airlock links its own
    /// minimal WASI (stdout and stderr into the log, clocks, random bytes, empty arguments and
    /// environment, <c>proc_exit</c>, and sleeps bounded by the call's deadline; no files, sockets or
    /// processes), which a load can also turn off; a WASI function outside it is refused at load and
    /// reported as AIR105 at build time. Set this to <see langword="false"/> for plugin systems whose
    /// modules must be pure, and a module that imports WASI is refused at load and, when it is tied to
    /// the contract at build time, reported as AIR106.
    /// </summary>
    public bool AllowWasi { get; set; } = true;

    /// <summary>
    /// The <c>"status"</c> value of a successful <see cref="WasmResponseEnvelope.Status"/> response.
    /// Default <c>"ok"</c> (SocialScale); Driftless plugins answer <c>"success"</c>.
    /// </summary>
    public string SuccessStatus { get; set; } = "ok";

    /// <summary>
    /// Whether an error response of a <see cref="WasmResponseEnvelope.Status"/> export must carry a
    /// <c>code</c> (default <see langword="true"/>); when <see langword="false"/>, an error with only a
    /// <c>message</c> is raised as <see cref="PluginErrorException"/> with code <c>"error"</c>.
    /// </summary>
    public bool ErrorCodeRequired { get; set; } = true;

    /// <summary>
    /// A plugin module to check against this contract at build time: the path (or the end of the path)
    /// of a <c>.wasm</c> file that is an <c>AdditionalFiles</c> item of the project, such as
    /// <c>"plugins/chirp.wasm"</c>. Every mismatch between the module and the contract becomes a
    /// compile error (AIR101–AIR107); a check that cannot run is warning AIR109. A module can also be
    /// tied to a contract with the item's <c>AirlockContract</c> metadata.
    /// </summary>
    public string? Module { get; set; }
}
