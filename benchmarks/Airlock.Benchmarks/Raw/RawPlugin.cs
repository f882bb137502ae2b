using Wasmtime;

namespace Airlock.Benchmarks.Raw;

/// <summary>
/// What every hand-written plugin holds: the compiled module, a linker with its host functions, and
/// the lock-free pool of instances (the first one created at once, instantiation serialised).
/// </summary>
/// <typeparam name="TInstance">The plugin's instance type.</typeparam>
public abstract class RawPlugin<TInstance> : IDisposable
    where TInstance : RawInstance
{
    private readonly Module _module;
    private readonly Linker _linker;
    private readonly Lock _instantiation = new();

    /// <summary>Compiles the module, defines its imports, and creates the first instance.</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="name">The module's name.</param>
    /// <param name="module">The module's bytes.</param>
    /// <param name="limits">The limits (the host's defaults).</param>
    /// <param name="defineImports">Defines the host functions the module imports.</param>
    /// <param name="create">Instantiates the module.</param>
    protected RawPlugin(RawEngine engine, string name, byte[] module, PluginLimits limits, Action<Linker> defineImports, Func<Engine, Linker, Module, TInstance> create)
        : this(engine, engine?.Compile(name, module)!, limits, defineImports, create)
    {
    }

    /// <summary>Takes a compiled module, defines its imports, and creates the first instance.</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="module">The compiled module; the plugin owns it from here on (disposes it, also when this constructor fails).</param>
    /// <param name="limits">The limits (the host's defaults).</param>
    /// <param name="defineImports">Defines the host functions the module imports.</param>
    /// <param name="create">Instantiates the module.</param>
    protected RawPlugin(RawEngine engine, Module module, PluginLimits limits, Action<Linker> defineImports, Func<Engine, Linker, Module, TInstance> create)
    {
        ArgumentNullException.ThrowIfNull(module);
        _module = module;
        try
        {
            ArgumentNullException.ThrowIfNull(engine);
            ArgumentNullException.ThrowIfNull(limits);
            ArgumentNullException.ThrowIfNull(defineImports);
            ArgumentNullException.ThrowIfNull(create);
            _linker = new Linker(engine.Engine);
            defineImports(_linker);
            Pool = new RawPool<TInstance>(limits.MaxInstances, () =>
            {
                lock (_instantiation)
                {
                    return create(engine.Engine, _linker, _module);
                }
            });
            Pool.Return(Pool.Rent());
        }
        catch
        {
            _linker?.Dispose();
            _module.Dispose();
            throw;
        }
    }

    /// <summary>The instances.</summary>
    protected RawPool<TInstance> Pool { get; }

    /// <inheritdoc/>
    public void Dispose()
    {
        Pool.Dispose();
        _linker.Dispose();
        _module.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// One call on a pooled instance: rents it, begins the call (fuel, deadline), runs
    /// <paramref name="call"/>, and returns the instance, or discards it when the call failed other
    /// than with a clean error answer (<see cref="RawPluginErrorException"/>).
    /// </summary>
    /// <typeparam name="TState">The call's arguments.</typeparam>
    /// <typeparam name="TResult">The call's result.</typeparam>
    /// <param name="state">The call's arguments.</param>
    /// <param name="call">The call (a static lambda, so nothing is allocated).</param>
    protected TResult Call<TState, TResult>(TState state, Func<TInstance, TState, TResult> call)
    {
        ArgumentNullException.ThrowIfNull(call);
        TInstance instance = Pool.Rent();
        TResult result;
        try
        {
            instance.BeginCall();
            result = call(instance, state);
        }
        catch (RawPluginErrorException)
        {
            // A clean error answer leaves the instance consistent.
            Pool.Return(instance);
            throw;
        }
        catch
        {
            Pool.Discard(instance);
            throw;
        }

        Pool.Return(instance);
        return result;
    }
}
