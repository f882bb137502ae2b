namespace Airlock.Contracts.Driftless;

/// <summary>
/// A Driftless plugin written in Rust with <c>#[wasm_bindgen]</c> exports, as the Driftless plugin guide
/// shows: strings cross by wasm-bindgen's convention (<see cref="WasmAbi.WasmBindgen"/>). Its host
/// functions are <see cref="IDriftlessHost"/>'s, imported from module <c>env</c>.
/// </summary>
[WasmPlugin(Abi = WasmAbi.WasmBindgen, JsonContext = typeof(DriftlessJsonContext), Imports = [typeof(IDriftlessHost)], SuccessStatus = "success", ErrorCodeRequired = false)]
public partial interface IDriftlessPlugin : IDriftlessExports;

/// <summary>
/// A Driftless plugin that exports plain functions: each string argument is <c>(ptr, len)</c> allocated
/// with the plugin's <c>alloc</c> (and freed by the host after the call), and each result a packed
/// <c>i64</c> <c>(ptr &lt;&lt; 32) | len</c> the host frees with <c>dealloc</c> (<see cref="WasmAbi.PackedPtrLen"/>).
/// For plugins in C, AssemblyScript or any language without wasm-bindgen.
/// </summary>
[WasmPlugin(Abi = WasmAbi.PackedPtrLen, JsonContext = typeof(DriftlessJsonContext), Imports = [typeof(IDriftlessHost)], SuccessStatus = "success", ErrorCodeRequired = false)]
public partial interface IDriftlessPackedPlugin : IDriftlessExports;
