namespace Airlock.Abi;

/// <summary>
/// One call into a plugin, as generated for a contract method: marshal in, call the export, marshal out.
/// Implemented by generated structs so that the runtime runs it without allocating or boxing.
/// </summary>
/// <typeparam name="TExports">The generated class that holds the contract's typed exports.</typeparam>
/// <typeparam name="TResult">What the call returns.</typeparam>
public interface IWasmOperation<TExports, out TResult>
    where TExports : class
{
    /// <summary>The export the operation calls, for limits, errors and logs.</summary>
    string Export { get; }

    /// <summary>Runs the operation on an instance the runtime has prepared.</summary>
    /// <param name="call">The instance, exclusively the operation's until it returns.</param>
    TResult Invoke(GuestCall<TExports> call);
}
