using System.Text;
using Airlock.Abi;
using Microsoft.Extensions.Logging;
using Wasmtime;

namespace Airlock.Runtime;

/// <summary>
/// One Wasmtime store and instance of a plugin. Runs one call at a time under the plugin's fuel,
/// deadline and memory limits, and classifies what went wrong when a call fails.
/// </summary>
internal sealed class PluginInstance<TExports> : GuestCall<TExports>, IDisposable
    where TExports : class
{
    private const string Instantiation = "instantiation";

    private readonly LoadedPlugin _plugin;
    private readonly Store _store;
    private string _export = Instantiation;
    private CancellationToken _cancellationToken;
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
            if (plugin.UsesWasi)
            {
                // No arguments, no environment, no files: only stdout and stderr, into the logger.
                _store.SetWasiConfiguration(new WasiConfiguration()
                    .WithStandardOutputCallback(output => LogOutput(output, LogLevel.Information, "stdout"))
                    .WithStandardErrorCallback(output => LogOutput(output, LogLevel.Warning, "stderr")));
            }

            _store.SetEpochDeadlineCallback(OnEpochDeadline);
            BeginCall(Instantiation, CancellationToken.None);
            Instance instance = plugin.Instantiate(_store);
            BindExports(instance);
            SetExports(bindExports(instance));
            instance.GetAction("_initialize")?.Invoke();
        }
        catch (Exception exception)
        {
            Exception failure = Classify(exception).Failure;
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

    public override TimeSpan RemainingTime
    {
        get
        {
            TimeSpan remaining = Plugin.Limits.Timeout - _plugin.Time.GetElapsedTime(_startedAt);
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
        _store.Fuel = Plugin.Limits.FuelPerCall;
        _startedAt = _plugin.Time.GetTimestamp();
        _store.SetEpochDeadline(1);
    }

    /// <summary>Marks the instance idle between calls.</summary>
    public void EndCall()
    {
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

        if (importFault is not null)
        {
            return (importFault, true);
        }

        if (exception is TrapException trap)
        {
            if (trap.Type == TrapCode.OutOfFuel)
            {
                return (new PluginFuelExhaustedException(id, _export, Plugin.Limits.FuelPerCall, trap), true);
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
            _cancelled = true;
            throw new OperationCanceledException(_cancellationToken);
        }

        if (_plugin.Time.GetElapsedTime(_startedAt) >= Plugin.Limits.Timeout)
        {
            _timedOut = true;
            throw new TimeoutException($"The call to '{_export}' ran past its {Plugin.Limits.Timeout.TotalMilliseconds} ms deadline.");
        }

        return 1;
    }

    private void LogOutput(ReadOnlySpan<byte> output, LogLevel level, string stream)
    {
        if (!_plugin.Logger.IsEnabled(level) || output.IsEmpty)
        {
            return;
        }

        string text = Encoding.UTF8.GetString(output).TrimEnd('\n', '\r');
        HostLog.PluginOutput(_plugin.Logger, level, Plugin.Id, stream, text);
    }
}
