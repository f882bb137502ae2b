namespace Airlock;

/// <summary>
/// Declares a <c>partial interface</c> of functions the host provides to plugins under one import
/// module. The application implements the interface; Airlock's source generator emits the linker
/// wiring that reads arguments from the guest's memory, calls the implementation and writes results
/// back through the guest's allocator.
/// </summary>
[AttributeUsage(AttributeTargets.Interface, AllowMultiple = false, Inherited = false)]
public sealed class WasmHostAttribute : Attribute
{
    /// <summary>Creates the attribute for the import module <paramref name="module"/>.</summary>
    /// <param name="module">The module name plugins import from, for example <c>env</c>.</param>
    public WasmHostAttribute(string module) => Module = module;

    /// <summary>The module name plugins import from.</summary>
    public string Module { get; }

    /// <summary>How payloads cross into and out of the plugin's memory.</summary>
    public WasmAbi Abi { get; set; } = WasmAbi.PackedPtrLen;

    /// <summary>
    /// A source-generated <see cref="System.Text.Json.Serialization.JsonSerializerContext"/> that
    /// covers every JSON payload type of the interface.
    /// </summary>
    public Type? JsonContext { get; set; }

    /// <summary>
    /// Where results are written for <see cref="WasmAbi.FixedOffset"/> host modules (which must set it;
    /// setting it without <see cref="Abi"/> selects that ABI):
    /// a little-endian <c>u32</c> length, the bytes, then a 0 byte. Every function of the module writes
    /// to the same place, so each call overwrites the previous result.
    /// </summary>
    public int ResultOffset { get; set; }
}
