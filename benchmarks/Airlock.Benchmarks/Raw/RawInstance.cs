using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Unicode;
using Wasmtime;

namespace Airlock.Benchmarks.Raw;

/// <summary>
/// One store and instance, as a Wasmtime expert would hold it by hand: the limits set once, the exports
/// bound once as typed delegates, and per call exactly the safety work <c>PluginInstance</c> does — a
/// fresh fuel budget when the limits set one, an epoch deadline of one tick, and the start time (on the
/// coarse monotonic millisecond clock) the deadline callback measures the wall-clock timeout from. Guest memory is read through one pointer-and-length view per access,
/// bounds-checked in 64-bit arithmetic.
/// </summary>
public abstract class RawInstance : IDisposable
{
    private readonly Store _store;
    private readonly ulong? _fuelPerCall;
    private readonly TimeSpan _timeout;
    private long _startedAt;
    private bool _inImport;

    /// <summary>Instantiates <paramref name="module"/> in a new store with <paramref name="limits"/>.</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="linker">The linker with the host functions.</param>
    /// <param name="module">The compiled module.</param>
    /// <param name="limits">The limits (the host's defaults in every benchmark).</param>
    /// <param name="configureStore">Configures the new store before the module is instantiated in it (WASI), if anything must be.</param>
    protected RawInstance(Engine engine, Linker linker, Module module, PluginLimits limits, Action<Store>? configureStore = null)
    {
        ArgumentNullException.ThrowIfNull(linker);
        ArgumentNullException.ThrowIfNull(limits);
        Limits = limits;
        _fuelPerCall = limits.FuelPerCall;
        _timeout = limits.Timeout;
        _store = new Store(engine, this);
        try
        {
            _store.SetLimits(memorySize: limits.MemoryBytes, tableElements: 1_000_000, instances: 1, tables: 16, memories: 1);
            _store.SetEpochDeadlineCallback(OnEpochDeadline);
            BeginCall();
            _store.SetEpochDeadline(1);
            configureStore?.Invoke(_store);
            Instance = linker.Instantiate(_store, module);
            Memory = Instance.GetMemory("memory") ?? throw new InvalidOperationException("The module exports no memory.");
            Instance.GetAction("_initialize")?.Invoke();
        }
        catch
        {
            _store.Dispose();
            throw;
        }
    }

    /// <summary>The limits.</summary>
    public PluginLimits Limits { get; }

    /// <summary>The instance.</summary>
    protected Instance Instance { get; }

    /// <summary>Its memory.</summary>
    protected Memory Memory { get; }

    /// <summary>The time since the current call began.</summary>
    public TimeSpan Elapsed => TimeSpan.FromMilliseconds(Environment.TickCount64 - _startedAt);

    /// <summary>The first failure of a host function during the current call, if any.</summary>
    public Exception? ImportFault { get; set; }

    /// <summary>Prepares a call: fuel, deadline, per-call state.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void BeginCall()
    {
        ImportFault = null;
        _inImport = false;
        if (_fuelPerCall is { } fuel)
        {
            _store.Fuel = fuel;
        }

        // As the host: the deadline stays at most one tick ahead (no native call), the start is the coarse clock.
        _startedAt = Environment.TickCount64;
    }

    /// <summary>Entered by a host function: refuses re-entrant host calls (from inside <c>alloc</c>).</summary>
    /// <param name="function">The host function, for the error.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void EnterImport(string function)
    {
        if (_inImport)
        {
            throw new InvalidOperationException($"Host function {function} was called while another host function was running.");
        }

        _inImport = true;
    }

    /// <summary>Left by a host function.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void ExitImport() => _inImport = false;

    /// <summary>
    /// The guest memory <c>[pointer, pointer + length)</c>, after checking in 64-bit arithmetic that it
    /// lies within the memory. Valid until the guest runs again.
    /// </summary>
    /// <param name="pointer">The region's start.</param>
    /// <param name="length">The region's length.</param>
    /// <param name="region">What the region holds, for the error.</param>
    public unsafe Span<byte> View(uint pointer, uint length, string region)
    {
        byte* data = (byte*)Memory.GetPointer();
        ulong size = (ulong)Memory.GetLength();
        if ((ulong)pointer + length > size || length > int.MaxValue)
        {
            throw new RawGuestException($"The {region} ({length} bytes at 0x{pointer:x8}) lies outside the guest's {size} bytes of memory.");
        }

        return new Span<byte>(data + pointer, (int)length);
    }

    /// <summary>Like <see cref="View"/>, for a region the guest hands the host: also at most the payload limit.</summary>
    /// <param name="pointer">The region's start.</param>
    /// <param name="length">The region's length.</param>
    /// <param name="region">What the region holds, for the error.</param>
    public ReadOnlySpan<byte> ViewPayload(uint pointer, uint length, string region)
    {
        if (length > (uint)Limits.MaxPayloadBytes)
        {
            throw new RawGuestException($"The {region} is {length} bytes, over the payload limit of {Limits.MaxPayloadBytes} bytes.");
        }

        return View(pointer, length, region);
    }

    /// <summary>Binds an export as a typed delegate, or fails naming it.</summary>
    /// <typeparam name="TDelegate">The delegate type.</typeparam>
    /// <param name="name">The export.</param>
    /// <param name="wrap">Wraps the function (<see cref="Function.WrapFunc{TResult}"/> and the like; null when the type differs).</param>
    protected TDelegate Bind<TDelegate>(string name, Func<Function, TDelegate?> wrap)
        where TDelegate : Delegate
    {
        ArgumentNullException.ThrowIfNull(wrap);
        return (Instance.GetFunction(name) is { } function ? wrap(function) : null)
            ?? throw new InvalidOperationException($"The module has no export '{name}' of the expected type.");
    }

    /// <summary>
    /// Starts a one-pass read of a response in guest memory: checks it is valid UTF-8 and reads its
    /// opening brace. Call inside the <c>try</c> that turns <see cref="JsonException"/> into a guest error.
    /// </summary>
    /// <param name="json">The response.</param>
    /// <param name="region">What the response is, for the error.</param>
    protected static Utf8JsonReader OpenObject(ReadOnlySpan<byte> json, string region)
    {
        if (!Utf8.IsValid(json))
        {
            throw new RawGuestException($"The {region} is not valid UTF-8.");
        }

        var reader = new Utf8JsonReader(json, RawJsonScratch.ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new RawGuestException($"The {region} is not a JSON object.");
        }

        return reader;
    }

    /// <summary>
    /// Reads the value of a <c>"status"</c> member: <see langword="true"/> for
    /// <paramref name="success"/>, <see langword="false"/> for <c>"error"</c>.
    /// </summary>
    /// <param name="reader">The reader, on the member's name.</param>
    /// <param name="success">The success word (<c>ok</c>, <c>success</c>).</param>
    /// <param name="seen">What an earlier <c>"status"</c> member said: a second one is an error.</param>
    protected static bool ReadStatus(ref Utf8JsonReader reader, ReadOnlySpan<byte> success, bool? seen)
    {
        if (seen is not null)
        {
            throw new RawGuestException("\"status\" appears more than once.");
        }

        reader.Read();
        return reader.TokenType == JsonTokenType.String && reader.ValueTextEquals(success) ? true
            : reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("error"u8) ? false
            : throw new RawGuestException("\"status\" is neither the success word nor \"error\".");
    }

    /// <summary>Reads the value of the member <paramref name="member"/>: a string or <c>null</c>.</summary>
    /// <param name="reader">The reader, on the member's name.</param>
    /// <param name="member">The member, for the error.</param>
    protected static string? ReadOptionalString(ref Utf8JsonReader reader, string member)
    {
        reader.Read();
        return reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.Null => null,
            _ => throw new RawGuestException($"\"{member}\" is not a string."),
        };
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _store.Dispose();
        GC.SuppressFinalize(this);
    }

    private ulong OnEpochDeadline(Store store)
    {
        if (Elapsed >= _timeout)
        {
            throw new TimeoutException($"The call ran past its {_timeout.TotalMilliseconds} ms deadline.");
        }

        return 1;
    }
}

/// <summary>A guest broke the ABI (a region out of bounds, bytes that are not UTF-8, a malformed response).</summary>
public sealed class RawGuestException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RawGuestException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    public RawGuestException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public RawGuestException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
