using Airlock.Abi;
using Wasmtime;

namespace Airlock.Runtime;

/// <summary>
/// One Wasmtime store and instance of a plugin. Runs one call at a time under the plugin's fuel,
/// deadline and memory limits, and classifies what went wrong when a call fails.
/// </summary>
internal sealed class PluginInstance<TExports> : GuestCall<TExports>, IWasiCall, IDisposable
    where TExports : class
{
    private const string Instantiation = "instantiation";

    private readonly LoadedPlugin _plugin;
    private readonly Store _store;
    private WasiOutput? _output;
    private string _export = Instantiation;
    private CancellationToken _cancellationToken;
    // When the call started on the plugin's clock.
    private long _startedAt;
    private bool _timedOut;
    private bool _cancelled;

    public PluginInstance(LoadedPlugin plugin, Func<Instance, TExports> bindExports)
        : base(plugin.Info)
    {
        _plugin = plugin;
        _store = new Store(plugin.Engine, this);
        try
        {
            PluginLimits limits = plugin.Info.Limits;
            _store.SetLimits(memorySize: limits.MemoryBytes, tableElements: 1_000_000, instances: 1, tables: 16, memories: 1);
            _store.SetEpochDeadlineCallback(OnEpochDeadline);
            BeginCall(Instantiation, CancellationToken.None);
            _store.SetEpochDeadline(1);
            plugin.Wasi?.Configure(_store, this);
            Instance instance = plugin.Instantiate(_store);
            BindExports(instance);
            SetExports(bindExports(instance));
            instance.GetAction("_initialize")?.Invoke();
        }
        catch (Exception exception)
        {
            Exception failure = Classify(exception).Failure;
            _output?.Flush();
            _store.Dispose();
            if (ReferenceEquals(failure, exception))
            {
                throw;
            }

            throw failure;
        }
    }

    public override string Export => _export;

    public override CancellationToken CancellationToken => _cancellationToken;

    /// <inheritdoc/>
    public WasiOutput Output => _output ??= new WasiOutput(_plugin.Logger, _plugin.LogLimiter, Plugin.Id);

    /// <inheritdoc/>
    public TimeProvider Time => _plugin.Time;

    public override TimeSpan RemainingTime
    {
        get
        {
            TimeSpan remaining = Plugin.Limits.Timeout - _plugin.Clock.Since(_startedAt);
            return remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
        }
    }

    protected override void BeginCall(string export, CancellationToken cancellationToken)
    {
        ResetCallState();
        _export = export;
        _cancellationToken = cancellationToken;
        _timedOut = false;
        _cancelled = false;
        if (Plugin.Limits.FuelPerCall is { } fuel)
        {
            _store.Fuel = fuel;
        }

        // No native call per call: the epoch deadline is never more than one tick ahead (the constructor sets
        // it, the callback renews it by one tick), so the call is checked at its first tick at the latest. The
        // start is the coarse monotonic clock (a few nanoseconds on the system clock).
        _startedAt = _plugin.Clock.Now;
    }

    /// <summary>Marks the instance idle between calls.</summary>
    public void EndCall()
    {
        // An unfinished line of output is logged with the call that wrote it.
        _output?.Flush();
        if (_plugin.CallObserver is { } observer)
        {
            ulong? fuel = Plugin.Limits.FuelPerCall is { } budget ? budget - Math.Min(budget, _store.Fuel) : null;
            observer(new PluginCallCost(_export, fuel, (long)MemorySize));
        }

        _export = "idle";
        _cancellationToken = CancellationToken.None;
    }

    /// <summary>
    /// Turns what a call threw into what the application sees, and decides whether the instance can
    /// serve again. Only a clean error response keeps it; anything else may have left it inconsistent.
    /// </summary>
    public (Exception Failure, bool Discard) Classify(Exception exception)
    {
        Exception? importFault = TakeImportFault();
        string id = Plugin.Id;
        if (exception is PluginErrorException)
        {
            return (exception, false);
        }

        // Cancellation wins: the epoch callback saw the token, or a host function stopped because of it.
        if (_cancelled || (importFault is OperationCanceledException && _cancellationToken.IsCancellationRequested))
        {
            return (new OperationCanceledException($"The call to '{_export}' of plugin '{id}' was cancelled.", exception, _cancellationToken), true);
        }

        if (_timedOut)
        {
            return (new PluginTimeoutException(id, _export, Plugin.Limits.Timeout, exception), true);
        }

        if (importFault is WasmtimeException guestFault)
        {
            // The guest's own code failed while a host function had called into it (alloc for a
            // result): that is the call's failure, classified as if the export itself had failed.
            exception = guestFault;
        }
        else if (importFault is not null)
        {
            return (importFault, true);
        }

        if (exception is TrapException trap)
        {
            if (trap.Type == TrapCode.OutOfFuel)
            {
                return (new PluginFuelExhaustedException(id, _export, Plugin.Limits.FuelPerCall ?? 0, trap), true);
            }

            if (trap.Type != TrapCode.StackOverflow && IsAtMemoryLimit(65536))
            {
                // The guest could not grow its memory any further and gave up (typically an abort in its allocator).
                return (new PluginMemoryLimitException(id, _export, Plugin.Limits.MemoryBytes, (long)MemorySize, trap), true);
            }

            WasmFrame[] frames = [.. trap.Frames?.Select(f => new WasmFrame(f.FunctionName, null, (ulong)f.ModuleOffset)) ?? []];
            return (new PluginTrapException(id, _export, trap.Type, frames, trap), true);
        }

        return exception switch
        {
            AirlockException => (exception, true),
            WasmtimeException wasmtime => (new PluginTrapException(id, _export, null, [], wasmtime), true),
            _ => (exception, true),
        };
    }

    public void Dispose() => _store.Dispose();

    private ulong OnEpochDeadline(Store store)
    {
        if (_cancellationToken.IsCancellationRequested)
        {
            throw Interrupt(cancelled: true);
        }

        if (_plugin.Clock.Since(_startedAt) >= Plugin.Limits.Timeout)
        {
            throw Interrupt(cancelled: false);
        }

        return 1;
    }

    /// <summary>
    /// Marks the call as ended by its cancellation or its deadline — from the epoch callback, or from a
    /// host function that waited (WASI <c>poll_oneoff</c>) — so that <see cref="Classify"/> reports it as
    /// such, and returns the exception that unwinds the guest.
    /// </summary>
    public Exception Interrupt(bool cancelled)
    {
        if (cancelled)
        {
            _cancelled = true;
            return new OperationCanceledException(_cancellationToken);
        }

        _timedOut = true;
        return new TimeoutException($"The call to '{_export}' ran past its {Plugin.Limits.Timeout.TotalMilliseconds} ms deadline.");
    }
}
