using System.Diagnostics.CodeAnalysis;
using Airlock.Abi;

namespace Airlock.Runtime;

/// <summary>
/// The bounded pool of instances of one plugin: idle instances are reused, at most
/// <see cref="PluginLimits.MaxInstances"/> exist at once, and an instance whose call failed in any way
/// other than a clean error response is discarded.
/// </summary>
/// <remarks>
/// A call that finds a free slot takes it with one compare-and-swap and an idle instance with one
/// exchange, and gives both back the same way: no lock and no allocation. Only a call that finds
/// every slot taken registers as a waiter and blocks on a semaphore, which a returning call signals.
/// </remarks>
internal sealed class InstancePool<TExports> : WasmInstancePool<TExports>
    where TExports : class
{
    private readonly LoadedPlugin _plugin;
    private readonly Func<Wasmtime.Instance, TExports> _bindExports;
    private readonly PluginInstance<TExports>?[] _idle;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly int _capacity;
    private int _free;
    private int _waiters;
    private int _disposed;

    public InstancePool(LoadedPlugin plugin, Func<Wasmtime.Instance, TExports> bindExports)
    {
        _plugin = plugin;
        _bindExports = bindExports;
        _capacity = plugin.Info.Limits.MaxInstances;
        _free = _capacity;
        _idle = new PluginInstance<TExports>?[_capacity];
    }

    public override WasmPluginInfo Plugin => _plugin.Info;

    /// <summary>The number of idle instances, for tests and diagnostics.</summary>
    public int IdleCount
    {
        get
        {
            int count = 0;
            for (int i = 0; i < _idle.Length; i++)
            {
                count += Volatile.Read(ref _idle[i]) is null ? 0 : 1;
            }

            return count;
        }
    }

    public override bool TryRent([NotNullWhen(true)] out GuestCall<TExports>? instance)
    {
        ThrowIfDisposed();
        if (!TryTakeSlot())
        {
            instance = null;
            return false;
        }

        instance = TakeOrCreate();
        return true;
    }

    public override async ValueTask<GuestCall<TExports>> RentAsync(CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        if (!TryTakeSlot())
        {
            await WaitForSlotAsync(cancellationToken).ConfigureAwait(false);
        }

        return TakeOrCreate();
    }

    public override GuestCall<TExports> Rent(CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        if (!TryTakeSlot())
        {
            WaitForSlot(cancellationToken);
        }

        return TakeOrCreate();
    }

    public override void Return(GuestCall<TExports> instance)
    {
        var owned = (PluginInstance<TExports>)instance;
        owned.EndCall();
        Release(owned, discard: false);
    }

    public override Exception Fail(GuestCall<TExports> instance, Exception exception)
    {
        var owned = (PluginInstance<TExports>)instance;
        (Exception failure, bool discard) = owned.Classify(exception);
        if (discard)
        {
            HostLog.Discarded(_plugin.Logger, _plugin.Info.Id, owned.Export, failure.GetType().Name);
        }

        owned.EndCall();
        Release(owned, discard);
        return failure;
    }

    /// <summary>Creates one instance ahead of the first call, so that link and start-up errors surface at load.</summary>
    public void Warm()
    {
        if (TryRent(out GuestCall<TExports>? instance))
        {
            Return(instance);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Wait for every call in flight to give its instance back.
        for (int i = 0; i < _capacity; i++)
        {
            if (!TryTakeSlot())
            {
                await WaitForSlotAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }

        for (int i = 0; i < _idle.Length; i++)
        {
            Interlocked.Exchange(ref _idle[i], null)?.Dispose();
        }

        _wake.Dispose();
        _plugin.Dispose();
    }

    // A slot is a permit to hold one instance: at most _capacity are out at once.
    private bool TryTakeSlot()
    {
        int free = Volatile.Read(ref _free);
        while (free > 0)
        {
            int seen = Interlocked.CompareExchange(ref _free, free - 1, free);
            if (seen == free)
            {
                return true;
            }

            free = seen;
        }

        return false;
    }

    private void ReleaseSlot()
    {
        Interlocked.Increment(ref _free);

        // A waiter registers before it checks for a slot, so either it sees this slot or this sees it.
        if (Volatile.Read(ref _waiters) > 0)
        {
            _wake.Release();
        }
    }

    private void WaitForSlot(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _waiters);
        try
        {
            while (!TryTakeSlot())
            {
                _wake.Wait(cancellationToken);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _waiters);
        }
    }

    private async ValueTask WaitForSlotAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _waiters);
        try
        {
            while (!TryTakeSlot())
            {
                await _wake.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _waiters);
        }
    }

    // Lowest slot first, so the same few warm instances serve a light load.
    private PluginInstance<TExports> TakeOrCreate()
    {
        for (int i = 0; i < _idle.Length; i++)
        {
            if (Volatile.Read(ref _idle[i]) is not null && Interlocked.Exchange(ref _idle[i], null) is { } idle)
            {
                return idle;
            }
        }

        try
        {
            return new PluginInstance<TExports>(_plugin, _bindExports);
        }
        catch
        {
            ReleaseSlot();
            throw;
        }
    }

    private void Release(PluginInstance<TExports> instance, bool discard)
    {
        if (discard || Volatile.Read(ref _disposed) != 0 || !TryPark(instance))
        {
            instance.Dispose();
        }

        ReleaseSlot();
    }

    // Holders never outnumber slots, so a returning instance always finds an empty one.
    private bool TryPark(PluginInstance<TExports> instance)
    {
        for (int i = 0; i < _idle.Length; i++)
        {
            if (Interlocked.CompareExchange(ref _idle[i], instance, null) is null)
            {
                return true;
            }
        }

        return false;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
