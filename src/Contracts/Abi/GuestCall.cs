namespace Airlock.Abi;

/// <summary>
/// An instance of a plugin together with the typed exports of its contract: what a generated
/// operation receives when it runs.
/// </summary>
/// <typeparam name="TExports">The generated class that holds the contract's typed exports.</typeparam>
public abstract class GuestCall<TExports> : GuestContext
    where TExports : class
{
    private TExports? _exports;

    /// <summary>Creates the call surface of one instance of <paramref name="plugin"/>.</summary>
    /// <param name="plugin">The plugin the instance belongs to.</param>
    protected GuestCall(WasmPluginInfo plugin)
        : base(plugin)
    {
    }

    /// <summary>The contract's exports, bound to this instance.</summary>
    public TExports Exports => _exports ?? throw new InvalidOperationException($"The instance of plugin '{Plugin.Id}' has not been bound to its exports yet.");

    /// <summary>Binds the contract's exports; called by the host once the instance exists.</summary>
    /// <param name="exports">The bound exports.</param>
    protected void SetExports(TExports exports)
    {
        ArgumentNullException.ThrowIfNull(exports);
        _exports = exports;
    }

    /// <summary>Prepares the instance for a call to <paramref name="export"/>: fuel, deadline, cancellation.</summary>
    /// <param name="export">The export about to run.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    protected internal abstract void BeginCall(string export, CancellationToken cancellationToken);
}
