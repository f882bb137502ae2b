using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Airlock.Abi;

namespace Airlock.Runtime;

/// <summary>
/// The bounded pool of instances of one plugin: idle instances are reused, at most
/// <see cref="PluginLimits.MaxInstances"/> exist at once, and an instance whose call failed in any way
/// other than a clean error response is discarded.
/// </summary>
internal sealed class InstancePool<TExports> : WasmInstancePool<TExports>
    where TExports : class
{
    private readonly LoadedPlugin _plugin;
    private readonly Func<Wasmtime.Instance, TExports> _bindExports;
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentStack<PluginInstance<TExports>> _idle = new();
    private readonly int _capacity;
    private int _disposed;

    public InstancePool(LoadedPlugin plugin, Func<Wasmtime.Instance, TExports> bindExports)
    {
        _plugin = plugin;
        _bindExports = bindExports;
        _capacity = plugin.Info.Limits.MaxInstances;
        _slots = new SemaphoreSlim(_capacity, _capacity);
    }

    public override WasmPluginInfo Plugin => _plugin.Info;

    /// <summary>The number of idle instances, for tests and diagnostics.</summary>
    public int IdleCount => _idle.Count;

    public override bool TryRent([NotNullWhen(true)] out GuestCall<TExports>? instance)
    {
        ThrowIfDisposed();
        if (!_slots.Wait(0))
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
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        return TakeOrCreate();
    }

    public override GuestCall<TExports> Rent(CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        _slots.Wait(cancellationToken);
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
            await _slots.WaitAsync().ConfigureAwait(false);
        }

        while (_idle.TryPop(out PluginInstance<TExports>? instance))
        {
            instance.Dispose();
        }

        _plugin.Dispose();
    }

    private PluginInstance<TExports> TakeOrCreate()
    {
        if (_idle.TryPop(out PluginInstance<TExports>? idle))
        {
            return idle;
        }

        try
        {
            return new PluginInstance<TExports>(_plugin, _bindExports);
        }
        catch
        {
            _slots.Release();
            throw;
        }
    }

    private void Release(PluginInstance<TExports> instance, bool discard)
    {
        if (discard || Volatile.Read(ref _disposed) != 0)
        {
            instance.Dispose();
        }
        else
        {
            _idle.Push(instance);
        }

        _slots.Release();
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
