using System.Diagnostics.CodeAnalysis;
using Airlock.Abi;

namespace Airlock.Runtime;

/// <summary>
/// The bounded pool of instances of one plugin: idle instances are reused, at most
/// <see cref="PluginLimits.MaxInstances"/> exist at once, and an instance whose call failed in any way
/// other than a clean error response is discarded.
/// </summary>
/// <remarks>
/// <para>
/// Idle instances sit in an array of slots. A call takes one with a single exchange and parks it again
/// with a single compare-and-swap: no lock and no allocation. Only when no instance is idle does a call
/// count a new instance against the limit (a compare-and-swap on <c>_live</c>) and create one.
/// </para>
/// <para>
/// Each slot has a cache line pair of its own (the first pair after the array's header is left empty, so
/// that parking in the first slot does not invalidate the line holding the array's length, which every
/// search reads). A thread starts its search at the slot it last parked an instance in (at first, the slot
/// its managed thread id picks), so a caller takes back the instance it gave back, whose store and state
/// are still in its core's cache: two callers on two cores each keep one instance instead of passing
/// instances, and the cache lines of their stores, back and forth on every call.
/// </para>
/// <para>
/// A call that finds no idle instance and the limit reached registers as a waiter, looks again, and
/// only then blocks on a semaphore. A returning call parks its instance before it looks for waiters,
/// so either the waiter sees the instance or the returning call sees the waiter and signals it.
/// </para>
/// </remarks>
internal sealed class InstancePool<TExports> : WasmInstancePool<TExports>, Diagnostics.IInstanceCounts
    where TExports : class
{
    private readonly LoadedPlugin _plugin;
    private readonly Func<Wasmtime.Instance, TExports> _bindExports;
    // Array elements between two slots: 16 references are 128 bytes, a cache line pair on x64 and Arm64.
    private const int SlotStride = 16;

    // Per thread, one more than the slot it last parked an instance of a pool of this type in (0: none yet).
    // A hint, checked against the pool's capacity: a thread calling plugins of several pools starts from a
    // slot another pool left, which costs nothing but the affinity.
    [ThreadStatic]
    private static int t_lastSlot;

    private readonly PluginInstance<TExports>?[] _idle;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly int _capacity;
    private int _live;
    private int _waiters;
    private int _disposed;

    public InstancePool(LoadedPlugin plugin, Func<Wasmtime.Instance, TExports> bindExports)
    {
        _plugin = plugin;
        _bindExports = bindExports;
        _capacity = plugin.Info.Limits.MaxInstances;
        _idle = new PluginInstance<TExports>?[(_capacity + 1) * SlotStride];
        plugin.Instruments.Track(this);
    }

    /// <inheritdoc/>
    public string PluginId => _plugin.Info.Id;

    /// <summary>The number of instances that exist (idle or in a call), for diagnostics.</summary>
    public int LiveCount => Volatile.Read(ref _live);

    public override WasmPluginInfo Plugin => _plugin.Info;

    /// <summary>The number of idle instances, for tests and diagnostics.</summary>
    public int IdleCount
    {
        get
        {
            int count = 0;
            for (int i = 0; i < _capacity; i++)
            {
                count += Volatile.Read(ref Slot(i)) is null ? 0 : 1;
            }

            return count;
        }
    }

    public override bool TryRent([NotNullWhen(true)] out GuestCall<TExports>? instance)
    {
        ThrowIfDisposed();
        instance = TryTakeOrCreate();
        return instance is not null;
    }

    public override async ValueTask<GuestCall<TExports>> RentAsync(CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        if (TryTakeOrCreate() is { } instance)
        {
            return instance;
        }

        Interlocked.Increment(ref _waiters);
        try
        {
            while (true)
            {
                ThrowIfDisposed();
                if (TryTakeOrCreate() is { } woken)
                {
                    return woken;
                }

                await _wake.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _waiters);
        }
    }

    public override GuestCall<TExports> Rent(CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        if (TryTakeOrCreate() is { } instance)
        {
            return instance;
        }

        Interlocked.Increment(ref _waiters);
        try
        {
            while (true)
            {
                ThrowIfDisposed();
                if (TryTakeOrCreate() is { } woken)
                {
                    return woken;
                }

                _wake.Wait(cancellationToken);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _waiters);
        }
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

        owned.EndCall(failure);
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

        _plugin.Instruments.Untrack(this);

        // Dispose the idle instances, then wait for every call in flight: each disposes its own
        // instance when it ends and signals.
        Interlocked.Increment(ref _waiters);
        try
        {
            while (true)
            {
                for (int i = 0; i < _capacity; i++)
                {
                    if (Interlocked.Exchange(ref Slot(i), null) is { } idle)
                    {
                        idle.Dispose();
                        Interlocked.Decrement(ref _live);
                    }
                }

                if (Volatile.Read(ref _live) == 0)
                {
                    break;
                }

                await _wake.WaitAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _waiters);
        }

        // Callers still waiting for an instance wake up and find the pool disposed.
        if (Volatile.Read(ref _waiters) is > 0 and int pending)
        {
            _wake.Release(pending);
        }

        _plugin.Dispose();
    }

    // An idle instance, searching from this thread's slot; else a new instance if the limit allows
    // (only when none is idle, so a light load keeps using the same few warm instances); else null.
    private PluginInstance<TExports>? TryTakeOrCreate()
    {
        int start = StartSlot();
        for (int n = 0, i = start; n < _capacity; n++, i = i + 1 == _capacity ? 0 : i + 1)
        {
            ref PluginInstance<TExports>? slot = ref Slot(i);
            if (Volatile.Read(ref slot) is not null && Interlocked.Exchange(ref slot, null) is { } taken)
            {
                return taken;
            }
        }

        int live = Volatile.Read(ref _live);
        while (live < _capacity)
        {
            int seen = Interlocked.CompareExchange(ref _live, live + 1, live);
            if (seen == live)
            {
                try
                {
                    return new PluginInstance<TExports>(_plugin, _bindExports);
                }
                catch
                {
                    Interlocked.Decrement(ref _live);
                    Signal();
                    throw;
                }
            }

            live = seen;
        }

        return null;
    }

    private void Release(PluginInstance<TExports> instance, bool discard)
    {
        if (discard || Volatile.Read(ref _disposed) != 0 || !TryPark(instance))
        {
            instance.Dispose();
            Interlocked.Decrement(ref _live);
        }

        // After parking (a full fence): a waiter registered before looking, so it either saw the
        // parked instance or is seen here.
        Signal();
    }

    private void Signal()
    {
        if (Volatile.Read(ref _waiters) > 0)
        {
            _wake.Release();
        }
    }

    // Live instances never outnumber slots, so a returning instance always finds an empty one.
    private bool TryPark(PluginInstance<TExports> instance)
    {
        int start = StartSlot();
        for (int n = 0, i = start; n < _capacity; n++, i = i + 1 == _capacity ? 0 : i + 1)
        {
            ref PluginInstance<TExports>? slot = ref Slot(i);
            if (Volatile.Read(ref slot) is null && Interlocked.CompareExchange(ref slot, instance, null) is null)
            {
                t_lastSlot = i + 1;
                return true;
            }
        }

        return false;
    }

    // Slot 0 is the second cache line pair of the array: the first holds the array's header.
    private ref PluginInstance<TExports>? Slot(int index) => ref _idle[(index + 1) * SlotStride];

    // Where this thread's searches start: a hint, not ownership (async callers move between threads).
    // The slot this thread last parked in; before its first park, its home slot: Fibonacci hashing
    // spreads consecutive thread ids, and the multiply-shift maps the hash onto [0, capacity) without a
    // division on the call path.
    private int StartSlot()
    {
        int last = t_lastSlot - 1;
        if ((uint)last < (uint)_capacity)
        {
            return last;
        }

        uint hash = unchecked((uint)Environment.CurrentManagedThreadId * 0x9E3779B9u);
        return (int)(((ulong)hash * (uint)_capacity) >> 32);
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
