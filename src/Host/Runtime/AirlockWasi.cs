using System.Buffers.Binary;
using System.Security.Cryptography;
using Airlock.Abi;
using Airlock.Wasm;
using Wasmtime;

namespace Airlock.Runtime;

/// <summary>The calling instance, as <see cref="AirlockWasi"/> sees it.</summary>
internal interface IWasiCall
{
    /// <summary>The instance's stdout and stderr.</summary>
    WasiOutput Output { get; }

    /// <summary>The clock of the call's deadline.</summary>
    TimeProvider Time { get; }

    /// <summary>How long the running call may still take.</summary>
    TimeSpan RemainingTime { get; }

    /// <summary>The running call's cancellation.</summary>
    CancellationToken CancellationToken { get; }

    /// <summary>
    /// Records that the call ends because its deadline passed or it was cancelled, exactly as when epoch
    /// interruption stops it, and returns the exception that unwinds the guest.
    /// </summary>
    /// <param name="cancelled">Cancelled rather than timed out.</param>
    Exception Interrupt(bool cancelled);
}

/// <summary>Whose table of file descriptors a level of Airlock's WASI uses.</summary>
internal enum DescriptorTable
{
    /// <summary>Airlock's own: the guest has stdin, stdout and stderr and nothing else.</summary>
    StdioOnly,

    /// <summary>Wasmtime's WASI's, which Airlock cannot see (preopened directories, open files).</summary>
    Wasmtime,
}

/// <summary>
/// Airlock's own minimal WASI (<see cref="WasiPolicy.Minimal"/>): the functions of
/// <see cref="AirlockWasiSurface"/>, implemented here rather than by Wasmtime's WASI so that each one is
/// bounded by the call's deadline and cancellation, writes only where Airlock routes it, and checks
/// every guest pointer and length in 64-bit arithmetic (a region outside memory is <c>EFAULT</c>).
/// The functions that wait or end the call (<see cref="DefineBounded"/>) are shared with the capability
/// level (<see cref="CapabilityWasi"/>), which shadows Wasmtime's with them.
/// </summary>
internal sealed class AirlockWasi : WasiPolicy
{
    /// <summary>The most bytes one <c>fd_write</c> takes; the guest's libc writes the rest in the next call.</summary>
    public const int MaxWriteBytes = 64 * 1024;

    /// <summary>The most bytes one <c>random_get</c> fills; a larger request is <c>EINVAL</c>.</summary>
    public const int MaxRandomBytes = 1024 * 1024;

    /// <summary>The most subscriptions one <c>poll_oneoff</c> takes; more is <c>EINVAL</c>.</summary>
    public const int MaxSubscriptions = 4096;

    /// <summary>The most iovecs one <c>fd_write</c> or <c>fd_read</c> takes (POSIX's IOV_MAX); more is <c>EINVAL</c>.</summary>
    public const int MaxIovecs = 1024;

    private const string Module = AirlockWasiSurface.Module;

    // errno values of wasi_snapshot_preview1.
    private const int Success = 0;
    private const int BadFileDescriptor = 8;
    private const int Fault = 21;
    private const int Invalid = 28;
    private const int NotSupported = 58;
    private const int IllegalSeek = 70;

    private const int RealtimeClock = 0;
    private const int MonotonicClock = 1;
    private const byte CharacterDevice = 2;
    private const ulong RightFdRead = 1UL << 1;
    private const ulong RightFdWrite = 1UL << 6;
    private const ulong RightPollFdReadWrite = 1UL << 27;

    private const int SubscriptionBytes = 48;
    private const int EventBytes = 32;
    private const byte ClockEvent = 0;
    private const ushort AbsoluteTime = 1;

    public override string Name => "Airlock's minimal WASI";

    internal override HostModuleShape Functions => AirlockWasiSurface.Shape;

    internal override void Define(Linker linker)
    {
        DefineBounded(linker, DescriptorTable.StdioOnly);
        linker.DefineFunction(Module, "args_get", (CallerFunc<int, int, int>)((caller, _, _) => Success));
        linker.DefineFunction(Module, "args_sizes_get", (CallerFunc<int, int, int>)((caller, count, bytes) => WriteZeros(caller, count, bytes)));
        linker.DefineFunction(Module, "environ_get", (CallerFunc<int, int, int>)((caller, _, _) => Success));
        linker.DefineFunction(Module, "environ_sizes_get", (CallerFunc<int, int, int>)((caller, count, bytes) => WriteZeros(caller, count, bytes)));
        linker.DefineFunction(Module, "fd_write", (CallerFunc<int, int, int, int, int>)Write);
        linker.DefineFunction(Module, "fd_read", (CallerFunc<int, int, int, int, int>)Read);
        linker.DefineFunction(Module, "fd_seek", (CallerFunc<int, long, int, int, int>)((caller, fd, _, _, _) => IsStdio(fd) ? IllegalSeek : BadFileDescriptor));
        linker.DefineFunction(Module, "fd_close", (CallerFunc<int, int>)Close);
        linker.DefineFunction(Module, "fd_fdstat_get", (CallerFunc<int, int, int>)FdStat);
        // No preopened directories: wasi-libc asks from fd 3 up until EBADF.
        linker.DefineFunction(Module, "fd_prestat_get", (CallerFunc<int, int, int>)((caller, _, _) => BadFileDescriptor));
        linker.DefineFunction(Module, "fd_prestat_dir_name", (CallerFunc<int, int, int, int>)((caller, _, _, _) => BadFileDescriptor));
    }

    /// <summary>
    /// Defines the functions every level of Airlock's WASI takes from Airlock, never from Wasmtime's
    /// WASI: <c>poll_oneoff</c> (the only WASI function that waits, bounded by the call's deadline and
    /// cancellation), <c>proc_exit</c> (<see cref="PluginExitException"/>), the clocks on the host's
    /// <see cref="TimeProvider"/> (so that an absolute sleep and the time the guest reads agree),
    /// <c>random_get</c> (bounded per call) and <c>sched_yield</c>. A level built on Wasmtime's WASI
    /// defines these after it, shadowing Wasmtime's.
    /// </summary>
    /// <param name="linker">The plugin's linker.</param>
    /// <param name="descriptors">What the level knows of the guest's file descriptors, for <c>poll_oneoff</c>'s descriptor subscriptions.</param>
    internal static void DefineBounded(Linker linker, DescriptorTable descriptors)
    {
        linker.DefineFunction(Module, "clock_res_get", (CallerFunc<int, int, int>)ClockResolution);
        linker.DefineFunction(Module, "clock_time_get", (CallerFunc<int, long, int, int>)ClockTime);
        linker.DefineFunction(Module, "random_get", (CallerFunc<int, int, int>)Random);
        linker.DefineFunction(Module, "sched_yield", (CallerFunc<int>)(_ => Success));
        linker.DefineFunction(Module, "proc_exit", (CallerAction<int>)Exit);
        linker.DefineFunction(Module, "poll_oneoff", (CallerFunc<int, int, int, int, int>)((caller, subscriptions, events, count, eventCount) => Poll(caller, subscriptions, events, count, eventCount, descriptors)));
    }

    /// <summary>Nanoseconds on <paramref name="clock"/> (realtime or monotonic) now; false for other clocks.</summary>
    internal static bool TryNow(TimeProvider time, int clock, out ulong nanoseconds)
    {
        switch (clock)
        {
            case RealtimeClock:
                long ticks = (time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks;
                nanoseconds = ticks <= 0 ? 0 : (ulong)ticks * 100;
                return true;
            case MonotonicClock:
                nanoseconds = (ulong)((Int128)time.GetTimestamp() * 1_000_000_000 / time.TimestampFrequency);
                return true;
            default:
                nanoseconds = 0;
                return false;
        }
    }

    private static IWasiCall Call(Caller caller)
        => caller.GetData() as IWasiCall ?? throw new InvalidOperationException("A WASI function was called by an instance that an Airlock host did not create.");

    private static bool IsStdio(int fd) => fd is >= 0 and <= 2;

    private static int WriteZeros(Caller caller, int first, int second)
    {
        var memory = new GuestMemory(caller);
        return memory.TryWrite(first, 0u) && memory.TryWrite(second, 0u) ? Success : Fault;
    }

    private static int ClockResolution(Caller caller, int clock, int result)
    {
        IWasiCall call = Call(caller);
        ulong resolution = clock switch
        {
            RealtimeClock => 100,
            MonotonicClock => (ulong)Math.Max(1, 1_000_000_000 / call.Time.TimestampFrequency),
            _ => 0,
        };
        return resolution == 0 ? Invalid : new GuestMemory(caller).TryWrite(result, resolution) ? Success : Fault;
    }

    private static int ClockTime(Caller caller, int clock, long precision, int result)
        => !TryNow(Call(caller).Time, clock, out ulong now) ? Invalid : new GuestMemory(caller).TryWrite(result, now) ? Success : Fault;

    private static int Random(Caller caller, int buffer, int length)
    {
        if ((uint)length > MaxRandomBytes)
        {
            return Invalid;
        }

        if (!new GuestMemory(caller).TryGetSpan(buffer, (uint)length, out Span<byte> span))
        {
            return Fault;
        }

        RandomNumberGenerator.Fill(span);
        return Success;
    }

    private static void Exit(Caller caller, int code)
    {
        IWasiCall call = Call(caller);
        var guest = (GuestContext)call;
        throw guest.ImportFailed(Module, "proc_exit", new PluginExitException(guest.Plugin.Id, guest.Export, code));
    }

    private static int Close(Caller caller, int fd)
    {
        if (!IsStdio(fd))
        {
            return BadFileDescriptor;
        }

        // The streams belong to the host: closing one flushes its last line and leaves it open.
        Call(caller).Output.Flush();
        return Success;
    }

    private static int FdStat(Caller caller, int fd, int result)
    {
        if (!IsStdio(fd))
        {
            return BadFileDescriptor;
        }

        if (!new GuestMemory(caller).TryGetSpan(result, 24, out Span<byte> stat))
        {
            return Fault;
        }

        // fdstat: filetype u8 @0, flags u16 @2, rights_base u64 @8, rights_inheriting u64 @16.
        stat.Clear();
        stat[0] = CharacterDevice;
        BinaryPrimitives.WriteUInt64LittleEndian(stat[8..], (fd == 0 ? RightFdRead : RightFdWrite) | RightPollFdReadWrite);
        return Success;
    }

    private static int Write(Caller caller, int fd, int iovecs, int count, int written)
    {
        if (fd is not (1 or 2))
        {
            return BadFileDescriptor;
        }

        var memory = new GuestMemory(caller);
        if ((uint)count > MaxIovecs)
        {
            return Invalid;
        }

        if (!memory.TryGetSpan(iovecs, (uint)count * 8, out Span<byte> vectors) || !memory.TryGetSpan(written, 4, out _))
        {
            return Fault;
        }

        // Check every buffer before any byte is taken: a bad one fails the whole write.
        for (int i = 0; i < count; i++)
        {
            if (!memory.TryGetSpan(Pointer(vectors, i), Length(vectors, i), out _))
            {
                return Fault;
            }
        }

        WasiOutput output = Call(caller).Output;
        uint taken = 0;
        for (int i = 0; i < count && taken < MaxWriteBytes; i++)
        {
            uint length = Math.Min(Length(vectors, i), MaxWriteBytes - taken);
            memory.TryGetSpan(Pointer(vectors, i), length, out Span<byte> bytes);
            output.Write(fd, bytes);
            taken += length;
        }

        return memory.TryWrite(written, taken) ? Success : Fault;
    }

    private static int Read(Caller caller, int fd, int iovecs, int count, int read)
    {
        if (fd != 0)
        {
            return BadFileDescriptor;
        }

        var memory = new GuestMemory(caller);
        if ((uint)count > MaxIovecs)
        {
            return Invalid;
        }

        if (!memory.TryGetSpan(iovecs, (uint)count * 8, out _))
        {
            return Fault;
        }

        // stdin is empty: every read is at end of file.
        return memory.TryWrite(read, 0u) ? Success : Fault;
    }

    private static int Pointer(Span<byte> vectors, int index) => BinaryPrimitives.ReadInt32LittleEndian(vectors[(index * 8)..]);

    private static uint Length(Span<byte> vectors, int index) => BinaryPrimitives.ReadUInt32LittleEndian(vectors[((index * 8) + 4)..]);

    // Clock subscriptions sleep until the earliest is due, but never past the call's deadline and never
    // through its cancellation: those end the call as epoch interruption would. File descriptor
    // subscriptions are answered at once with an error event (Airlock polls no streams).
    private static int Poll(Caller caller, int subscriptions, int events, int count, int eventCount, DescriptorTable descriptors)
    {
        IWasiCall call = Call(caller);
        var memory = new GuestMemory(caller);
        if (count <= 0 || count > MaxSubscriptions)
        {
            return Invalid;
        }

        if (!memory.TryGetSpan(subscriptions, (uint)(count * SubscriptionBytes), out Span<byte> input)
            || !memory.TryGetSpan(events, (uint)(count * EventBytes), out _)
            || !memory.TryGetSpan(eventCount, 4, out _))
        {
            return Fault;
        }

        // Read every subscription before waiting: the output may overlap the input.
        var pending = new Subscription[count];
        ulong? earliest = null;
        bool ready = false;
        for (int i = 0; i < count; i++)
        {
            pending[i] = Subscription.Read(input.Slice(i * SubscriptionBytes, SubscriptionBytes), call.Time, descriptors);
            if (pending[i].Due is { } due)
            {
                earliest = earliest is { } other ? Math.Min(other, due) : due;
                ready |= due == 0;
            }
            else
            {
                ready = true;
            }
        }

        if (call.CancellationToken.IsCancellationRequested)
        {
            throw call.Interrupt(cancelled: true);
        }

        ulong slept = 0;
        if (!ready && earliest is { } wait)
        {
            TimeSpan remaining = call.RemainingTime;
            bool deadlineFirst = remaining <= TimeSpan.Zero || wait / 100 >= (ulong)remaining.Ticks;
            TimeSpan sleep = deadlineFirst ? remaining : TimeSpan.FromTicks((long)(wait / 100));
            if (Sleep(call.Time, sleep, call.CancellationToken))
            {
                throw call.Interrupt(cancelled: true);
            }

            if (deadlineFirst)
            {
                throw call.Interrupt(cancelled: false);
            }

            slept = wait;
        }

        memory = new GuestMemory(caller);
        if (!memory.TryGetSpan(events, (uint)(count * EventBytes), out Span<byte> output) || !memory.TryGetSpan(eventCount, 4, out _))
        {
            return Fault;
        }

        uint written = 0;
        foreach (Subscription subscription in pending)
        {
            if (subscription.Due is { } due && due > slept)
            {
                continue;
            }

            subscription.WriteEvent(output.Slice((int)written * EventBytes, EventBytes));
            written++;
        }

        return memory.TryWrite(eventCount, written) ? Success : Fault;
    }

    // Waits on the call's clock; true if the call was cancelled first. On the system clock this is the
    // operating system's timed wait on the token's handle, which needs no thread-pool thread to wake
    // (a starved pool would otherwise make the sleep overrun); another clock's timer signals a task.
    private static bool Sleep(TimeProvider time, TimeSpan duration, CancellationToken cancellationToken)
    {
        // Waits take at most about 24 days at a time.
        TimeSpan step = TimeSpan.FromDays(1);
        while (duration > TimeSpan.Zero)
        {
            TimeSpan wait = duration < step ? duration : step;
            if (time == TimeProvider.System ? cancellationToken.WaitHandle.WaitOne(wait) : WaitOnTimer(time, wait, cancellationToken))
            {
                return true;
            }

            duration -= wait;
        }

        return cancellationToken.IsCancellationRequested;
    }

    private static bool WaitOnTimer(TimeProvider time, TimeSpan wait, CancellationToken cancellationToken)
    {
        var elapsed = new TaskCompletionSource();
        using ITimer timer = time.CreateTimer(static state => ((TaskCompletionSource)state!).TrySetResult(), elapsed, wait, Timeout.InfiniteTimeSpan);
        try
        {
            elapsed.Task.Wait(cancellationToken);
            return false;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return true;
        }
    }

    /// <summary>One subscription of <c>poll_oneoff</c>, read from guest memory.</summary>
    /// <param name="UserData">What the guest gets back in the event.</param>
    /// <param name="Type">0 clock, 1 fd_read, 2 fd_write (others are answered with an error).</param>
    /// <param name="Due">For a clock that can be waited on: nanoseconds from now until it is due (0 when due); otherwise null.</param>
    /// <param name="Error">The errno of the event when the subscription cannot be waited on.</param>
    private readonly record struct Subscription(ulong UserData, byte Type, ulong? Due, ushort Error)
    {
        // subscription: userdata u64 @0, tag u8 @8; clock: id u32 @16, timeout u64 @24, precision u64 @32, flags u16 @40; fd: fd u32 @16.
        public static Subscription Read(ReadOnlySpan<byte> bytes, TimeProvider time, DescriptorTable descriptors)
        {
            ulong userData = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
            byte type = bytes[8];
            if (type != ClockEvent)
            {
                // EBADF only for a descriptor Airlock knows is not open: when Wasmtime's WASI keeps the
                // table, Airlock cannot tell, and every descriptor is ENOTSUP.
                int fd = BinaryPrimitives.ReadInt32LittleEndian(bytes[16..]);
                bool mayBeOpen = descriptors == DescriptorTable.Wasmtime || IsStdio(fd);
                return new(userData, type, null, type is 1 or 2 ? (mayBeOpen ? (ushort)NotSupported : (ushort)BadFileDescriptor) : (ushort)Invalid);
            }

            int clock = BinaryPrimitives.ReadInt32LittleEndian(bytes[16..]);
            ulong timeout = BinaryPrimitives.ReadUInt64LittleEndian(bytes[24..]);
            ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(bytes[40..]);
            if (!TryNow(time, clock, out ulong now))
            {
                return new(userData, type, null, Invalid);
            }

            ulong due = (flags & AbsoluteTime) == 0 ? timeout : timeout > now ? timeout - now : 0;
            return new(userData, type, due, Success);
        }

        // event: userdata u64 @0, error u16 @8, type u8 @10, fd_readwrite { nbytes u64 @16, flags u16 @24 }.
        public void WriteEvent(Span<byte> bytes)
        {
            bytes.Clear();
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, UserData);
            BinaryPrimitives.WriteUInt16LittleEndian(bytes[8..], Error);
            bytes[10] = Type;
        }
    }

    /// <summary>The guest's exported memory, with every region checked in 64-bit arithmetic.</summary>
    private readonly ref struct GuestMemory
    {
        private readonly Memory? _memory;
        private readonly ulong _size;

        public GuestMemory(Caller caller)
        {
            _memory = caller.GetMemory("memory");
            _size = _memory is null ? 0 : (ulong)_memory.GetLength();
        }

        public bool TryGetSpan(int pointer, uint length, out Span<byte> span)
        {
            ulong start = unchecked((uint)pointer);
            if (_memory is null || start + length > _size || length > int.MaxValue)
            {
                span = default;
                return false;
            }

            span = length == 0 ? Span<byte>.Empty : _memory.GetSpan((long)start, (int)length);
            return true;
        }

        public bool TryWrite(int pointer, uint value)
        {
            if (!TryGetSpan(pointer, 4, out Span<byte> span))
            {
                return false;
            }

            BinaryPrimitives.WriteUInt32LittleEndian(span, value);
            return true;
        }

        public bool TryWrite(int pointer, ulong value)
        {
            if (!TryGetSpan(pointer, 8, out Span<byte> span))
            {
                return false;
            }

            BinaryPrimitives.WriteUInt64LittleEndian(span, value);
            return true;
        }
    }
}
