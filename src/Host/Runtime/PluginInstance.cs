using System.Diagnostics;
using Airlock.Abi;
using Airlock.Diagnostics;
using Wasmtime;

namespace Airlock.Runtime;

/// <summary>
/// One Wasmtime store and instance of a plugin. Runs one call at a time under the plugin's fuel,
/// deadline and memory limits, and classifies what went wrong when a call fails.
/// </summary>
internal sealed class PluginInstance<TExports> : GuestCall<TExports>, IWasiCall, IInstrumented, IDisposable
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
    // Telemetry of the running call: whether anything observes it, when it started (Stopwatch ticks, 0
    // when its duration is not measured), and its span and the running host function's.
    private bool _observed;
    private long _observedSince;
    private Activity? _callSpan;
    private Activity? _hostSpan;

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
            Prepare(Instantiation, CancellationToken.None);
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

    /// <inheritdoc/>
    public AirlockInstruments Instruments => _plugin.Instruments;

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
        Prepare(export, cancellationToken);

        // One check of the instruments per call; with nothing listening the call records nothing.
        if (_plugin.Instruments.ObservesCalls)
        {
            StartObserving();
        }
    }

    private void Prepare(string export, CancellationToken cancellationToken)
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
    /// <param name="failure">What the call ended with, as the application sees it; <see langword="null"/> when it returned.</param>
    public void EndCall(Exception? failure = null)
    {
        // An unfinished line of output is logged with the call that wrote it.
        _output?.Flush();
        if (failure is not null)
        {
            RecordFailure(failure);
        }

        if (_observed)
        {
            StopObserving(failure);
        }

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

    /// <inheritdoc/>
    protected override void OnHostFunctionStarting(string module, string function)
    {
        Activity? span = AirlockInstruments.Source.StartActivity(AirlockTelemetry.Spans.HostFunction, ActivityKind.Internal);
        if (span is not null && span.IsAllDataRequested)
        {
            span.SetTag(AirlockTelemetry.Tags.Plugin, Plugin.Id);
            span.SetTag(AirlockTelemetry.Tags.Export, _export);
            span.SetTag(AirlockTelemetry.Tags.HostModule, module);
            span.SetTag(AirlockTelemetry.Tags.HostFunction, function);
        }

        _hostSpan = span;
    }

    /// <inheritdoc/>
    protected override void OnHostFunctionEnded(string module, string function, Exception? fault)
    {
        if (_hostSpan is not { } span)
        {
            return;
        }

        _hostSpan = null;
        if (fault is not null)
        {
            MarkFailed(span, fault);
        }

        span.Stop();
    }

    // What the outcome tag says of a failure the application sees (after Classify).
    internal static string OutcomeOf(Exception failure) => failure switch
    {
        PluginErrorException => AirlockTelemetry.Outcomes.PluginError,
        PluginTimeoutException => AirlockTelemetry.Outcomes.Timeout,
        OperationCanceledException => AirlockTelemetry.Outcomes.Cancelled,
        PluginTrapException or PluginFuelExhaustedException or PluginMemoryLimitException or PluginExitException => AirlockTelemetry.Outcomes.Trap,
        PluginInputTooLargeException => AirlockTelemetry.Outcomes.Refused,
        MalformedResponseException or GuestMemoryAccessException or GuestAllocationException or PluginContractException => AirlockTelemetry.Outcomes.ContractViolation,
        _ => AirlockTelemetry.Outcomes.HostError,
    };

    // The trap-kind tag of a trap: Wasmtime's code, or what the host made of it.
    internal static string? TrapKindOf(Exception failure) => failure switch
    {
        PluginFuelExhaustedException => "out_of_fuel",
        PluginMemoryLimitException => "memory_limit",
        PluginExitException => "exit",
        PluginTrapException trap => AirlockInstruments.TrapKind(trap.TrapCode),
        _ => null,
    };

    private static void MarkFailed(Activity span, Exception failure)
    {
        string type = failure.GetType().FullName ?? failure.GetType().Name;
        span.SetStatus(ActivityStatusCode.Error, type);
        span.SetTag(AirlockTelemetry.Tags.ErrorType, type);
    }

    private void StartObserving()
    {
        AirlockInstruments instruments = _plugin.Instruments;
        _observed = true;
        _observedSince = instruments.CallDuration.Enabled ? Stopwatch.GetTimestamp() : 0;
        Activity? span = AirlockInstruments.Source.StartActivity(AirlockTelemetry.Spans.Call, ActivityKind.Internal);
        if (span is not null && span.IsAllDataRequested)
        {
            span.SetTag(AirlockTelemetry.Tags.Plugin, Plugin.Id);
            span.SetTag(AirlockTelemetry.Tags.Export, _export);
        }

        _callSpan = span;
        ObservesHostFunctions = span is not null;
    }

    private void StopObserving(Exception? failure)
    {
        AirlockInstruments instruments = _plugin.Instruments;
        string outcome = failure is null ? AirlockTelemetry.Outcomes.Ok : OutcomeOf(failure);
        var tags = new TagList
        {
            { AirlockTelemetry.Tags.Plugin, Plugin.Id },
            { AirlockTelemetry.Tags.Export, _export },
            { AirlockTelemetry.Tags.Outcome, outcome },
        };
        if (instruments.Calls.Enabled)
        {
            instruments.Calls.Add(1, tags);
        }

        if (_observedSince != 0 && instruments.CallDuration.Enabled)
        {
            instruments.CallDuration.Record(Stopwatch.GetElapsedTime(_observedSince).TotalSeconds, tags);
        }

        if (instruments.FuelConsumed.Enabled && Plugin.Limits.FuelPerCall is { } budget)
        {
            instruments.FuelConsumed.Record((long)(budget - Math.Min(budget, _store.Fuel)), new TagList { { AirlockTelemetry.Tags.Plugin, Plugin.Id }, { AirlockTelemetry.Tags.Export, _export } });
        }

        if (instruments.MemoryHighWater.Enabled)
        {
            instruments.MemoryHighWater.Record((long)MemorySize, new KeyValuePair<string, object?>(AirlockTelemetry.Tags.Plugin, Plugin.Id));
        }

        if (_hostSpan is { } host)
        {
            // A host function that never returned (the call trapped inside it).
            _hostSpan = null;
            host.Stop();
        }

        if (_callSpan is { } span)
        {
            _callSpan = null;
            if (span.IsAllDataRequested)
            {
                span.SetTag(AirlockTelemetry.Tags.Outcome, outcome);
            }

            if (failure is not null)
            {
                MarkFailed(span, failure);
            }

            span.Stop();
        }

        _observed = false;
        ObservesHostFunctions = false;
    }

    // Traps and timeouts are counted whether or not the call was observed from its start: a failure is rare,
    // and these counters are what alerting watches.
    private void RecordFailure(Exception failure)
    {
        AirlockInstruments instruments = _plugin.Instruments;
        if (failure is PluginTimeoutException)
        {
            if (instruments.Timeouts.Enabled)
            {
                instruments.Timeouts.Add(1, new KeyValuePair<string, object?>(AirlockTelemetry.Tags.Plugin, Plugin.Id), new KeyValuePair<string, object?>(AirlockTelemetry.Tags.Export, _export));
            }
        }
        else if (instruments.Traps.Enabled && TrapKindOf(failure) is { } kind)
        {
            instruments.Traps.Add(1, new KeyValuePair<string, object?>(AirlockTelemetry.Tags.Plugin, Plugin.Id), new KeyValuePair<string, object?>(AirlockTelemetry.Tags.Export, _export), new KeyValuePair<string, object?>(AirlockTelemetry.Tags.TrapKind, kind));
        }
    }

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
