namespace Airlock.Abi;

/// <summary>Errors generated bindings raise while binding an instance's exports.</summary>
public static class WasmBinding
{
    /// <summary>
    /// The exception for an export that is missing or has another signature. The host checks exports
    /// before it instantiates a module, so this surfaces only if a module changes under a loaded contract.
    /// </summary>
    /// <param name="contract">The contract's name.</param>
    /// <param name="export">The export's name.</param>
    /// <param name="signature">The signature the contract needs, e.g. <c>(i32, i32) -&gt; i64</c>.</param>
    public static PluginContractException MissingExport(string contract, string export, string signature)
        => new(null, contract, [$"the module has no export '{export}' of type {signature}."]);

    /// <summary>The error a generated client raises for a missing optional export declared <see cref="WasmMissingExport.Throw"/>.</summary>
    /// <param name="plugin">The plugin called.</param>
    /// <param name="export">The export it lacks.</param>
    public static PluginExportMissingException ExportNotPresent(WasmPluginInfo plugin, string export)
    {
        ArgumentNullException.ThrowIfNull(plugin);
        return new PluginExportMissingException(plugin.Id, export);
    }
}
