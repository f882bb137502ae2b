namespace Airlock;

/// <summary>What a contract expects when a module does not export one of its functions.</summary>
public enum WasmMissingExport
{
    /// <summary>The export is required: a module without it is refused at load.</summary>
    RefuseModule = 0,

    /// <summary>
    /// The export is optional and calling it when it is missing does nothing: the method returns its
    /// result type's default (<see langword="null"/> for a reference result) without running the plugin.
    /// </summary>
    Skip = 1,

    /// <summary>
    /// The export is optional, but calling it when it is missing fails with
    /// <see cref="PluginContractException"/>.
    /// </summary>
    Throw = 2,
}
