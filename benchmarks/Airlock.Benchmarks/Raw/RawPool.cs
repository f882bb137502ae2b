namespace Airlock.Benchmarks.Raw;

/// <summary>
/// A hand-written, lock-free pool of at most <c>capacity</c> instances: one slot per instance,
/// claimed and released with a single interlocked operation, nothing allocated per rent. It gives the
/// same guarantees the host's pool does — an instance serves one call at a time, the count never
/// passes the limit, a failed instance is replaced — with the least work a hand-written host can do.
/// </summary>
/// <typeparam name="T">The instance type.</typeparam>
public sealed class RawPool<T> : IDisposable
    where T : class, IDisposable
{
    private readonly T?[] _idle;
    private readonly Func<T> _create;
    private int _count;

    /// <summary>Creates an empty pool.</summary>
    /// <param name="capacity">The most instances that may exist at once.</param>
    /// <param name="create">Creates an instance.</param>
    public RawPool(int capacity, Func<T> create)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _idle = new T?[capacity];
        _create = create;
    }

    /// <summary>Takes an idle instance, creates one while under the limit, or spins until one comes back.</summary>
    public T Rent()
    {
        T?[] idle = _idle;
        for (int i = 0; i < idle.Length; i++)
        {
            if (Volatile.Read(ref idle[i]) is not null && Interlocked.Exchange(ref idle[i], null) is { } instance)
            {
                return instance;
            }
        }

        return CreateOrWait();
    }

    /// <summary>Gives back an instance whose call completed.</summary>
    /// <param name="instance">The instance.</param>
    public void Return(T instance)
    {
        T?[] idle = _idle;
        for (int i = 0; i < idle.Length; i++)
        {
            if (Interlocked.CompareExchange(ref idle[i], instance, null) is null)
            {
                return;
            }
        }

        Discard(instance);
    }

    /// <summary>Disposes an instance whose call failed; the next rent creates a fresh one.</summary>
    /// <param name="instance">The instance.</param>
    public void Discard(T instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        instance.Dispose();
        Interlocked.Decrement(ref _count);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        for (int i = 0; i < _idle.Length; i++)
        {
            Interlocked.Exchange(ref _idle[i], null)?.Dispose();
        }
    }

    private T CreateOrWait()
    {
        var spin = default(SpinWait);
        while (true)
        {
            int count = Volatile.Read(ref _count);
            if (count < _idle.Length)
            {
                if (Interlocked.CompareExchange(ref _count, count + 1, count) == count)
                {
                    try
                    {
                        return _create();
                    }
                    catch
                    {
                        Interlocked.Decrement(ref _count);
                        throw;
                    }
                }

                continue;
            }

            for (int i = 0; i < _idle.Length; i++)
            {
                if (Interlocked.Exchange(ref _idle[i], null) is { } instance)
                {
                    return instance;
                }
            }

            spin.SpinOnce();
        }
    }
}
