namespace Airlock;

/// <summary>
/// Binds a method of a <see cref="WasmPluginAttribute"/> contract to a function the plugin exports.
/// </summary>
/// <remarks>
/// The method may be synchronous (<c>T Name(...)</c>) or asynchronous
/// (<c>ValueTask&lt;T&gt; NameAsync(..., CancellationToken cancellationToken = default)</c>). When its single
/// payload parameter is a polymorphic JSON type (<c>[JsonPolymorphic]</c> with <c>[JsonDerivedType]</c>
/// cases), the generator also adds one method per case to the interface, named after the case's
/// discriminator (<c>"delete_post"</c> becomes <c>DeletePostAsync</c>), taking the case's
/// constructor parameters and returning the case's result type (see
/// <see cref="IWasmRequest{TResult}"/>).
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class WasmExportAttribute : Attribute
{
    /// <summary>Creates the attribute for the export called <paramref name="name"/>.</summary>
    /// <param name="name">The export's name in the module, for example <c>plugin_handle_request</c>.</param>
    public WasmExportAttribute(string name) => Name = name;

    /// <summary>The export's name in the module.</summary>
    public string Name { get; }

    /// <summary>The envelope that wraps the export's result.</summary>
    public WasmResponseEnvelope Envelope { get; set; } = WasmResponseEnvelope.None;

    /// <summary>
    /// What happens when the module does not export the function. By default the module is refused
    /// at load; an optional export gets a <c>Has…</c> property on the generated client.
    /// </summary>
    public WasmMissingExport WhenMissing { get; set; } = WasmMissingExport.RefuseModule;
}
