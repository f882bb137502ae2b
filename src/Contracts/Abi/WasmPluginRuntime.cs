namespace Airlock.Abi;

/// <summary>
/// Runs generated operations on a plugin's instances: rent, prepare, run, give back. Generated clients
/// hold one and call <see cref="InvokeAsync{TOperation, TResult}"/> or
/// <see cref="Invoke{TOperation, TResult}"/> per method.
/// </summary>
/// <remarks>
/// The call itself runs on the calling thread. When an instance is free the asynchronous path
/// completes synchronously and allocates nothing.
/// </remarks>
/// <typeparam name="TExports">The generated class that holds the contract's typed exports.</typeparam>
public sealed class WasmPluginRuntime<TExports> : IAsyncDisposable
    where TExports : class
{
    private readonly WasmInstancePool<TExports> _pool;

    /// <summary>Creates the runtime over a pool of instances.</summary>
    /// <param name="pool">The host's pool for the plugin.</param>
    public WasmPluginRuntime(WasmInstancePool<TExports> pool)
    {
        ArgumentNullException.ThrowIfNull(pool);
        _pool = pool;
    }

    /// <summary>The plugin the runtime calls.</summary>
    public WasmPluginInfo Info => _pool.Plugin;

    /// <summary>Runs <paramref name="operation"/> on an instance, waiting asynchronously for one if all are busy.</summary>
    /// <typeparam name="TOperation">The generated operation.</typeparam>
    /// <typeparam name="TResult">What it returns.</typeparam>
    /// <param name="operation">The operation.</param>
    /// <param name="cancellationToken">Cancels the wait and interrupts the running call.</param>
    public ValueTask<TResult> InvokeAsync<TOperation, TResult>(TOperation operation, CancellationToken cancellationToken)
        where TOperation : IWasmOperation<TExports, TResult>
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<TResult>(cancellationToken);
        }

        if (!_pool.TryRent(out GuestCall<TExports>? instance))
        {
            return InvokeWhenAvailableAsync<TOperation, TResult>(operation, cancellationToken);
        }

        try
        {
            return new ValueTask<TResult>(Run<TOperation, TResult>(instance, operation, cancellationToken));
        }
        catch (Exception exception)
        {
            return ValueTask.FromException<TResult>(exception);
        }
    }

    /// <summary>Runs an operation that returns nothing, waiting asynchronously for an instance if all are busy.</summary>
    /// <typeparam name="TOperation">The generated operation.</typeparam>
    /// <param name="operation">The operation.</param>
    /// <param name="cancellationToken">Cancels the wait and interrupts the running call.</param>
    public ValueTask InvokeVoidAsync<TOperation>(TOperation operation, CancellationToken cancellationToken)
        where TOperation : IWasmOperation<TExports, WasmVoid>
    {
        ValueTask<WasmVoid> pending = InvokeAsync<TOperation, WasmVoid>(operation, cancellationToken);
        return pending.IsCompletedSuccessfully ? ValueTask.CompletedTask : AwaitVoidAsync(pending);
    }

    /// <summary>Runs <paramref name="operation"/> on an instance, blocking for one if all are busy.</summary>
    /// <typeparam name="TOperation">The generated operation.</typeparam>
    /// <typeparam name="TResult">What it returns.</typeparam>
    /// <param name="operation">The operation.</param>
    /// <param name="cancellationToken">Cancels the wait and interrupts the running call.</param>
    public TResult Invoke<TOperation, TResult>(TOperation operation, CancellationToken cancellationToken)
        where TOperation : IWasmOperation<TExports, TResult>
    {
        cancellationToken.ThrowIfCancellationRequested();
        GuestCall<TExports> instance = _pool.TryRent(out GuestCall<TExports>? idle) ? idle : _pool.Rent(cancellationToken);
        return Run<TOperation, TResult>(instance, operation, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _pool.DisposeAsync();

    private static async ValueTask AwaitVoidAsync(ValueTask<WasmVoid> pending) => await pending.ConfigureAwait(false);

    private async ValueTask<TResult> InvokeWhenAvailableAsync<TOperation, TResult>(TOperation operation, CancellationToken cancellationToken)
        where TOperation : IWasmOperation<TExports, TResult>
    {
        GuestCall<TExports> instance = await _pool.RentAsync(cancellationToken).ConfigureAwait(false);
        return Run<TOperation, TResult>(instance, operation, cancellationToken);
    }

    private TResult Run<TOperation, TResult>(GuestCall<TExports> instance, TOperation operation, CancellationToken cancellationToken)
        where TOperation : IWasmOperation<TExports, TResult>
    {
        TResult result;
        try
        {
            instance.BeginCall(operation.Export, cancellationToken);
            result = operation.Invoke(instance);
        }
        catch (Exception exception)
        {
            Exception failure = _pool.Fail(instance, exception);
            if (ReferenceEquals(failure, exception))
            {
                throw;
            }

            throw failure;
        }

        _pool.Return(instance);
        return result;
    }
}
