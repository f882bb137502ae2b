using System.Diagnostics.CodeAnalysis;

namespace Airlock.Abi;

/// <summary>
/// The host's pool of instances of one plugin. A <see cref="WasmPluginRuntime{TExports}"/> rents an
/// instance for each call and gives it back, or reports the failure that may discard it.
/// </summary>
/// <typeparam name="TExports">The generated class that holds the contract's typed exports.</typeparam>
public abstract class WasmInstancePool<TExports> : IAsyncDisposable
    where TExports : class
{
    /// <summary>The plugin the pool serves.</summary>
    public abstract WasmPluginInfo Plugin { get; }

    /// <summary>Rents an instance without waiting, when one is idle or may be created.</summary>
    /// <param name="instance">The rented instance.</param>
    public abstract bool TryRent([NotNullWhen(true)] out GuestCall<TExports>? instance);

    /// <summary>Rents an instance, waiting while the plugin is at its instance limit.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public abstract ValueTask<GuestCall<TExports>> RentAsync(CancellationToken cancellationToken);

    /// <summary>Rents an instance, blocking while the plugin is at its instance limit.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public abstract GuestCall<TExports> Rent(CancellationToken cancellationToken);

    /// <summary>Gives back an instance whose call completed.</summary>
    /// <param name="instance">The instance.</param>
    public abstract void Return(GuestCall<TExports> instance);

    /// <summary>
    /// Gives back an instance whose call failed: classifies the failure, discards the instance when it
    /// can no longer be trusted, and returns the exception the caller should see.
    /// </summary>
    /// <param name="instance">The instance.</param>
    /// <param name="exception">What the call threw.</param>
    public abstract Exception Fail(GuestCall<TExports> instance, Exception exception);

    /// <summary>Stops renting, waits for calls in flight and releases every instance.</summary>
    public abstract ValueTask DisposeAsync();
}
