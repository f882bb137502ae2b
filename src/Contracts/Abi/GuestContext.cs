using System.Buffers;
using System.ComponentModel;
using System.Text.Encodings.Web;
using System.Text.Json;
using Wasmtime;

namespace Airlock.Abi;

/// <summary>
/// One instance of a plugin as bindings see it: its memory, its allocator and the call it is running.
/// Generated bindings use it to move payloads in and out; host functions may take it as their first
/// parameter to learn which plugin calls them and how long its call may still run.
/// </summary>
/// <remarks>
/// An instance runs one call at a time (a Wasmtime store is single-threaded), so nothing here is
/// synchronised. Spans over guest memory are valid only until the guest runs again: any call into
/// the guest, including <see cref="Allocate"/>, may grow and move its memory.
/// </remarks>
public abstract class GuestContext
{
    private const string MemoryExport = "memory";
    private string AllocName => Plugin.AllocExport;

    private string FreeName => Plugin.FreeExport;
    private const long WasmPageBytes = 65536;

    // Scratch buffers larger than this are dropped after use so one huge payload does not pin memory.
    private const int ScratchRetainBytes = 1024 * 1024;

    internal static readonly JsonWriterOptions ScratchWriterOptions = new()
    {
        // Payloads go to a plugin, not into HTML: keep non-ASCII as UTF-8 rather than \u escapes.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    private Memory? _memory;
    private Func<int, int>? _alloc;
    private Action<int, int>? _dealloc;
    private ArrayBufferWriter<byte>? _scratch;
    private Utf8JsonWriter? _scratchWriter;
    // The host function running now (module and name kept apart: joining them on every call would allocate).
    private string? _activeImportModule;
    private string? _activeImportFunction;
    private Exception? _importFault;
    private uint _returnSlot;

    /// <summary>Creates the context of one instance of <paramref name="plugin"/>.</summary>
    /// <param name="plugin">The plugin the instance belongs to.</param>
    protected GuestContext(WasmPluginInfo plugin)
    {
        ArgumentNullException.ThrowIfNull(plugin);
        Plugin = plugin;
    }

    /// <summary>The plugin this instance belongs to.</summary>
    public WasmPluginInfo Plugin { get; }

    /// <summary>The export running now, or a description of the phase (such as instantiation) outside calls.</summary>
    public abstract string Export { get; }

    /// <summary>Cancelled when the application cancels the running call.</summary>
    public abstract CancellationToken CancellationToken { get; }

    /// <summary>How long the running call may still take before it is interrupted.</summary>
    public abstract TimeSpan RemainingTime { get; }

    /// <summary>
    /// Ends the running call with <see cref="PluginTimeoutException"/> when its deadline has passed (or
    /// is less than <see cref="DeadlineTolerance"/> away: a timer bounded by the call's remaining time
    /// may fire a little early). A host function whose work the call's deadline cut short calls it after
    /// recording what happened, so the call ends as timed out whether or not the guest would have
    /// finished before the next deadline check.
    /// </summary>
    /// <exception cref="PluginTimeoutException">The call's deadline has passed.</exception>
    public void ThrowIfDeadlinePassed()
    {
        if (RemainingTime <= DeadlineTolerance)
        {
            throw new PluginTimeoutException(Plugin.Id, Export, Plugin.Limits.Timeout);
        }
    }

    /// <summary>How close to its deadline <see cref="ThrowIfDeadlinePassed"/> treats a call as past it: 50 ms.</summary>
    public static readonly TimeSpan DeadlineTolerance = TimeSpan.FromMilliseconds(50);

    /// <summary>The current size of the instance's linear memory in bytes.</summary>
    public ulong MemorySize => _memory is null ? 0 : (ulong)_memory.GetLength();

    /// <summary>
    /// Binds the instance's <c>memory</c>, <c>alloc</c> and <c>dealloc</c> exports. Called by the host
    /// once the instance exists.
    /// </summary>
    /// <param name="instance">The Wasmtime instance.</param>
    protected void BindExports(Instance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        _memory = instance.GetMemory(MemoryExport);
        BindAllocator(instance.GetFunction(AllocName), instance.GetFunction(FreeName));
    }

    // The allocator the contract's ABI calls: the contract's alloc/dealloc (dealloc with or without the
    // length: libc's and TinyGo's free take only the pointer), or wasm-bindgen's __wbindgen_malloc and
    // __wbindgen_free in either of their shapes (an alignment argument since wasm-bindgen 0.2.87; the
    // host's buffers are bytes, so it passes 1, as wasm-bindgen's own JavaScript glue does for strings).
    private void BindAllocator(Function? malloc, Function? free)
    {
        if (Plugin.Abi != WasmAbi.WasmBindgen)
        {
            _alloc = malloc?.WrapFunc<int, int>();
            if (free?.Parameters.Count == 1 && free.WrapAction<int>() is { } freePointer)
            {
                _dealloc = (pointer, _) => freePointer(pointer);
            }
            else
            {
                _dealloc = free?.WrapAction<int, int>();
            }

            return;
        }

        if (malloc?.Parameters.Count == 2 && malloc.WrapFunc<int, int, int>() is { } aligned)
        {
            _alloc = length => aligned(length, 1);
        }
        else
        {
            _alloc = malloc?.WrapFunc<int, int>();
        }

        if (free?.Parameters.Count == 3 && free.WrapAction<int, int, int>() is { } alignedFree)
        {
            _dealloc = (pointer, length) => alignedFree(pointer, length, 1);
        }
        else
        {
            _dealloc = free?.WrapAction<int, int>();
        }
    }

    /// <summary>
    /// Returns the span of guest memory <paramref name="buffer"/> describes, after checking in 64-bit
    /// arithmetic that it lies within the memory.
    /// </summary>
    /// <param name="buffer">The region.</param>
    /// <param name="region">What the region holds, for the error message (for example <c>result of plugin_init</c>).</param>
    /// <exception cref="GuestMemoryAccessException">The region does not lie within the guest's memory.</exception>
    public Span<byte> GetSpan(GuestBuffer buffer, string region)
    {
        if (!TryView(buffer, out Span<byte> span, out ulong size))
        {
            throw new GuestMemoryAccessException(Plugin.Id, Export, region, buffer.Pointer, buffer.Length, size);
        }

        return span;
    }

    /// <summary><see cref="GetSpan(GuestBuffer, string)"/> for a region named "<paramref name="prefix"/><paramref name="region"/>", joined only when the check fails.</summary>
    internal Span<byte> GetSpan(GuestBuffer buffer, string prefix, string region)
    {
        if (!TryView(buffer, out Span<byte> span, out ulong size))
        {
            throw new GuestMemoryAccessException(Plugin.Id, Export, prefix + region, buffer.Pointer, buffer.Length, size);
        }

        return span;
    }

    // One query for the memory's size and, for a non-empty region within it, one for its base: the
    // fewest calls into Wasmtime a checked view can make (Memory.GetSpan would ask for the size again).
    private unsafe bool TryView(GuestBuffer buffer, out Span<byte> span, out ulong size)
    {
        Memory memory = RequireMemory();
        size = (ulong)memory.GetLength();
        if ((ulong)buffer.Pointer + buffer.Length > size || buffer.Length > int.MaxValue)
        {
            span = default;
            return false;
        }

        span = buffer.Length == 0 ? Span<byte>.Empty : new Span<byte>((byte*)memory.GetPointer() + buffer.Pointer, (int)buffer.Length);
        return true;
    }

    /// <summary>
    /// The end of the free window of guest memory that starts at <paramref name="start"/>, for the
    /// fixed-offset ABI: the first address the guest owns above it, the memory's declared maximum, the
    /// plugin's memory limit or its payload limit, whichever comes first.
    /// </summary>
    /// <param name="start">The window's first address.</param>
    /// <param name="limit">What ends the window, for error messages.</param>
    public ulong FreeWindowEnd(ulong start, out string limit)
    {
        ulong end = FreeWindowEnd(start, describe: true, out string? description);
        limit = description!;
        return end;
    }

    /// <summary>
    /// <see cref="FreeWindowEnd(ulong, out string)"/> without the description: what every call checks,
    /// so it formats nothing.
    /// </summary>
    /// <param name="start">The window's first address.</param>
    public ulong FreeWindowEnd(ulong start) => FreeWindowEnd(start, describe: false, out _);

    private ulong FreeWindowEnd(ulong start, bool describe, out string? limit)
    {
        limit = null;
        ulong end = describe ? Plugin.MemoryLayout.WindowEnd(start, out limit) : Plugin.MemoryLayout.WindowEnd(start);
        Memory memory = RequireMemory();
        if (memory.Maximum is long maximumPages && (ulong)maximumPages * WasmPageBytes < end)
        {
            end = (ulong)maximumPages * WasmPageBytes;
            limit = describe ? $"the module's maximum memory of {end:N0} bytes" : null;
        }

        if ((ulong)Plugin.Limits.MemoryBytes < end)
        {
            end = (ulong)Plugin.Limits.MemoryBytes;
            limit = describe ? $"the plugin's memory limit of {end:N0} bytes" : null;
        }

        ulong payloadEnd = start + (ulong)Plugin.Limits.MaxPayloadBytes;
        if (payloadEnd < end)
        {
            end = payloadEnd;
            limit = describe ? $"the payload limit of {Plugin.Limits.MaxPayloadBytes:N0} bytes" : null;
        }

        return Math.Max(end, start);
    }

    /// <summary>
    /// Grows the guest's memory by whole pages until it reaches <paramref name="end"/>. Callers check
    /// <see cref="FreeWindowEnd(ulong)"/> first, so growth stays within the module's maximum and the limit.
    /// </summary>
    /// <param name="end">The address memory must reach.</param>
    /// <exception cref="PluginMemoryLimitException">The memory could not grow.</exception>
    public void EnsureMemory(ulong end)
    {
        Memory memory = RequireMemory();
        ulong size = (ulong)memory.GetLength();
        if (end <= size)
        {
            return;
        }

        long pages = (long)((end - size + WasmPageBytes - 1) / WasmPageBytes);
        try
        {
            memory.Grow(pages);
        }
        catch (WasmtimeException exception)
        {
            throw new PluginMemoryLimitException(Plugin.Id, Export, Plugin.Limits.MemoryBytes, (long)size, exception);
        }
    }

    /// <summary>
    /// Checks a region the guest handed the host: within memory and no larger than the plugin's payload limit.
    /// </summary>
    /// <param name="buffer">The region.</param>
    /// <param name="region">What the region holds, for the error message.</param>
    /// <returns>The guest memory of the region.</returns>
    /// <exception cref="GuestMemoryAccessException">The region is out of bounds or over the payload limit.</exception>
    public ReadOnlySpan<byte> ReadPayload(GuestBuffer buffer, string region)
    {
        int limit = Plugin.Limits.MaxPayloadBytes;
        if (buffer.Length > (uint)limit)
        {
            throw new GuestMemoryAccessException(Plugin.Id, Export, region, buffer.Pointer, buffer.Length, MemorySize, limit);
        }

        return GetSpan(buffer, region);
    }

    /// <summary>
    /// Asks the guest's <c>alloc</c> export for <paramref name="length"/> bytes. A zero length allocates
    /// nothing and returns the empty buffer.
    /// </summary>
    /// <param name="length">The number of bytes.</param>
    /// <param name="purpose">What the buffer is for, for error messages.</param>
    /// <exception cref="GuestAllocationException"><c>alloc</c> returned 0.</exception>
    /// <exception cref="PluginMemoryLimitException"><c>alloc</c> failed because the instance is at its memory limit.</exception>
    /// <exception cref="GuestMemoryAccessException"><c>alloc</c> returned a region outside memory.</exception>
    public GuestBuffer Allocate(int length, string purpose)
    {
        _ = AllocateSpan(length, purpose, out GuestBuffer buffer);
        return buffer;
    }

    /// <summary>
    /// <see cref="Allocate"/>, also returning the buffer's memory (checked once, valid until the guest
    /// runs again) so a writer does not look it up a second time.
    /// </summary>
    internal Span<byte> AllocateSpan(int length, string purpose, out GuestBuffer buffer)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length == 0)
        {
            buffer = default;
            return Span<byte>.Empty;
        }

        Func<int, int> alloc = _alloc ?? throw MissingExport(AllocName);
        uint pointer = unchecked((uint)alloc(length));
        if (pointer == 0)
        {
            if (IsAtMemoryLimit((ulong)length))
            {
                throw new PluginMemoryLimitException(Plugin.Id, Export, Plugin.Limits.MemoryBytes, (long)MemorySize);
            }

            throw new GuestAllocationException(Plugin.Id, Export, purpose, length);
        }

        buffer = new GuestBuffer(pointer, (uint)length);
        if (!TryView(buffer, out Span<byte> span, out ulong size))
        {
            throw new GuestMemoryAccessException(Plugin.Id, Export, $"buffer alloc({length}) returned for the {purpose}", pointer, (uint)length, size);
        }

        return span;
    }

    /// <summary>
    /// Returns a buffer to the guest with <c>dealloc(ptr, len)</c>. Empty buffers were never allocated
    /// and are not freed.
    /// </summary>
    /// <param name="buffer">A buffer from <see cref="Allocate"/> or one an export returned.</param>
    public void Free(GuestBuffer buffer)
    {
        if (buffer.Length == 0)
        {
            return;
        }

        Action<int, int> dealloc = _dealloc ?? throw MissingExport(FreeName);
        dealloc(buffer.WasmPointer, buffer.WasmLength);
    }

    /// <summary>The wasm-bindgen return slot of this instance, allocated on first use (see <see cref="WasmBindgen.ReturnSlot"/>).</summary>
    internal int WasmBindgenReturnSlot()
    {
        if (_returnSlot == 0)
        {
            _returnSlot = Allocate(8, "wasm-bindgen return slot").Pointer;
        }

        return unchecked((int)_returnSlot);
    }

    /// <summary>Whether growing memory by <paramref name="additionalBytes"/> would pass the plugin's memory limit.</summary>
    /// <param name="additionalBytes">The bytes the guest needed.</param>
    public bool IsAtMemoryLimit(ulong additionalBytes)
    {
        ulong pages = (additionalBytes + WasmPageBytes - 1) / WasmPageBytes;
        return MemorySize + (Math.Max(pages, 1) * WasmPageBytes) > (ulong)Plugin.Limits.MemoryBytes;
    }

    /// <summary>
    /// Called by generated host-function wiring on entry: finds the context of the calling instance
    /// and refuses re-entrant host calls (a host function called from inside <c>alloc</c> while the
    /// host is allocating a result).
    /// </summary>
    /// <param name="caller">The Wasmtime caller.</param>
    /// <param name="module">The import module.</param>
    /// <param name="function">The host function.</param>
    /// <returns>The calling instance's context.</returns>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static GuestContext EnterImport(Caller caller, string module, string function)
    {
        if (caller.GetData() is not GuestContext guest)
        {
            throw new InvalidOperationException($"Host function {module}.{function} was called by an instance that an Airlock host did not create.");
        }

        guest.BindFromCaller(caller);
        if (guest._activeImportFunction is { } active)
        {
            var fault = new HostFunctionException(guest.Plugin.Id, guest.Export, module, function, $"it was called while host function {guest._activeImportModule}.{active} was still running (from inside alloc); host functions are not re-entrant.");
            guest._importFault ??= fault;
            throw fault;
        }

        guest._activeImportModule = module;
        guest._activeImportFunction = function;
        if (guest.ObservesHostFunctions)
        {
            guest.OnHostFunctionStarting(module, function);
        }

        return guest;
    }

    /// <summary>Called by generated host-function wiring on exit.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public void ExitImport()
    {
        if (ObservesHostFunctions && _activeImportFunction is { } function)
        {
            OnHostFunctionEnded(_activeImportModule!, function, _importFault);
        }

        _activeImportFunction = _activeImportModule = null;
    }

    /// <summary>
    /// Whether <see cref="OnHostFunctionStarting"/> and <see cref="OnHostFunctionEnded"/> are called around
    /// each host function: the host sets it as a call begins (when something traces calls), so that a call
    /// nobody observes pays one field read per host function.
    /// </summary>
    protected bool ObservesHostFunctions { get; set; }

    /// <summary>Called as a host function begins, when <see cref="ObservesHostFunctions"/> is set.</summary>
    /// <param name="module">The import module.</param>
    /// <param name="function">The host function.</param>
    protected virtual void OnHostFunctionStarting(string module, string function)
    {
    }

    /// <summary>Called as a host function ends, when <see cref="ObservesHostFunctions"/> is set.</summary>
    /// <param name="module">The import module.</param>
    /// <param name="function">The host function.</param>
    /// <param name="fault">The failure that ends the plugin's call, if the host function failed (or an earlier one did).</param>
    protected virtual void OnHostFunctionEnded(string module, string function, Exception? fault)
    {
    }

    /// <summary>
    /// Called by generated host-function wiring when a host function fails: records the failure so
    /// the plugin's call reports it, and returns the exception that ends the call. An
    /// <see cref="OperationCanceledException"/> thrown because the call's <see cref="CancellationToken"/>
    /// was cancelled is kept as it is, so the call ends as cancelled rather than as a host-function failure.
    /// </summary>
    /// <param name="module">The import module.</param>
    /// <param name="function">The host function.</param>
    /// <param name="exception">What the wiring or the implementation threw.</param>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public Exception ImportFailed(string module, string function, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        Exception fault = exception switch
        {
            AirlockException or WasmtimeException => exception,
            OperationCanceledException when CancellationToken.IsCancellationRequested => exception,
            HostCallException declined => new HostFunctionException(Plugin.Id, Export, module, function, $"{declined.Status}: {declined.Message}", declined),
            _ => new HostFunctionException(Plugin.Id, Export, module, function, $"the implementation threw {exception.GetType().Name}: {exception.Message}", exception),
        };
        _importFault ??= fault;
        return fault;
    }

    /// <summary>
    /// Called by generated wiring of a host function that returns a value when the implementation
    /// declines with a <see cref="HostCallException"/>. With <see cref="HostResultEncoding.StatusCodes"/>
    /// the guest receives the negative status code; with <see cref="HostResultEncoding.Plain"/> it
    /// receives <c>0</c> for <see cref="HostCallStatus.NotFound"/>, and any other refusal ends its call
    /// (the exception returned by <see cref="ImportFailed"/> is thrown).
    /// </summary>
    /// <param name="module">The import module.</param>
    /// <param name="function">The host function.</param>
    /// <param name="exception">The implementation's answer.</param>
    /// <returns>The value to return to the guest.</returns>
    /// <exception cref="HostFunctionException">The plugin uses the plain encoding and the refusal is not "not found".</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public long ImportDeclined(string module, string function, HostCallException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        OnImportDeclined(module, function, exception);
        if (Plugin.HostResults == HostResultEncoding.StatusCodes)
        {
            return (long)exception.Status;
        }

        return exception.Status == HostCallStatus.NotFound ? 0 : throw ImportFailed(module, function, exception);
    }

    /// <summary>
    /// What a host function returns for <paramref name="status"/> when it answers without calling its
    /// implementation (no value, a result over the payload limit), in the plugin's
    /// <see cref="WasmPluginInfo.HostResults"/> encoding: see <see cref="ImportDeclined"/>.
    /// </summary>
    /// <param name="status">The answer.</param>
    /// <param name="purpose">What the result was, for the error message.</param>
    /// <returns>The value to return to the guest.</returns>
    /// <exception cref="HostFunctionException">The plugin uses the plain encoding and the refusal is not "not found".</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public long StatusResult(HostCallStatus status, string purpose)
    {
        if (Plugin.HostResults == HostResultEncoding.StatusCodes)
        {
            return (long)status;
        }

        if (status == HostCallStatus.NotFound)
        {
            return 0;
        }

        string detail = status == HostCallStatus.TooLarge
            ? $"the {purpose} is larger than the plugin's payload limit of {Plugin.Limits.MaxPayloadBytes} bytes"
            : $"the {purpose} could not be returned";
        throw ImportFailed(_activeImportModule ?? "host", _activeImportFunction ?? purpose, new HostCallException(status, detail + "."));
    }

    /// <summary>
    /// Called by generated wiring of a host function that returns <c>i64</c> when the guest's argument
    /// cannot be decoded (malformed JSON, invalid UTF-8): the guest receives
    /// <see cref="HostCallStatus.InvalidArgument"/> instead of a trap.
    /// </summary>
    /// <param name="module">The import module.</param>
    /// <param name="function">The host function.</param>
    /// <param name="exception">Why the argument could not be decoded.</param>
    /// <returns>The negative code to return to the guest.</returns>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public long ImportRejected(string module, string function, MalformedResponseException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return ImportDeclined(module, function, new HostCallException(HostCallStatus.InvalidArgument, exception.Message, exception));
    }

    /// <summary>Called when a host function answers the guest with a status code instead of a result.</summary>
    /// <param name="module">The import module.</param>
    /// <param name="function">The host function.</param>
    /// <param name="exception">The implementation's answer.</param>
    protected virtual void OnImportDeclined(string module, string function, HostCallException exception)
    {
    }

    /// <summary>Takes the first host-function failure recorded since the last call began, if any.</summary>
    protected Exception? TakeImportFault()
    {
        Exception? fault = _importFault;
        _importFault = null;
        return fault;
    }

    /// <summary>Clears per-call state before a call begins.</summary>
    protected void ResetCallState()
    {
        _importFault = null;
        _activeImportFunction = _activeImportModule = null;
    }

    /// <summary>Rents the instance's scratch buffer and a JSON writer over it, both empty.</summary>
    internal Utf8JsonWriter RentJsonWriter(out ArrayBufferWriter<byte> buffer)
    {
        buffer = _scratch ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        if (_scratchWriter is null)
        {
            _scratchWriter = new Utf8JsonWriter(buffer, ScratchWriterOptions);
        }
        else
        {
            _scratchWriter.Reset(buffer);
        }

        return _scratchWriter;
    }

    /// <summary>Drops the scratch buffer if one payload made it large.</summary>
    internal void TrimScratch()
    {
        if (_scratch is { Capacity: > ScratchRetainBytes })
        {
            _scratch = null;
            _scratchWriter?.Dispose();
            _scratchWriter = null;
        }
    }

    private void BindFromCaller(Caller caller)
    {
        // A start function may call host functions during instantiation, before the host has the
        // instance to bind from: bind from the caller instead.
        if (_memory is not null)
        {
            return;
        }

        _memory = caller.GetMemory(MemoryExport);
        BindAllocator(caller.GetFunction(AllocName), caller.GetFunction(FreeName));
    }

    private Memory RequireMemory() => _memory ?? throw MissingExport(MemoryExport);

    private PluginContractException MissingExport(string name)
        => new(Plugin.Id, Plugin.Contract, [$"the module has no '{name}' export, which the ABI needs."]);
}
