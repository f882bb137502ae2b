using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Airlock.Benchmarks.Plugins;
using Airlock.Contracts.Driftless;
using Wasmtime;

namespace Airlock.Benchmarks.Raw;

/// <summary>
/// The hand-written baseline for a Driftless <c>execute_task</c> on the Rust <c>#[wasm_bindgen]</c>
/// plugin <c>confkit</c>, written from its <c>ABI-NOTES.md</c>: each <c>&amp;str</c> argument allocated
/// with <c>__wbindgen_malloc</c>, written as UTF-8 and handed to the callee (which frees it); an 8-byte
/// return slot allocated once per instance; the result read as <c>(ptr, len)</c> from the slot,
/// checked (bounds, payload limit, strict UTF-8), parsed in one <see cref="Utf8JsonReader"/> pass over
/// guest memory into the same <see cref="DriftlessTaskResult"/> the generated client returns, and freed
/// with <c>__wbindgen_free</c>. The host functions <c>env.host_log</c> and <c>env.host_get_timestamp</c>
/// and the three wasm-bindgen glue imports the module carries are defined by hand. Per call the same
/// safety work as the host: fuel and deadline, a trapped instance discarded (see <see cref="RawInstance"/>).
/// </summary>
public sealed class RawDriftlessPlugin : RawPlugin<RawDriftlessInstance>
{
    /// <summary>Compiles the module, defines its imports, and creates the first instance.</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="module">The module's bytes.</param>
    /// <param name="host">The host functions the imports call.</param>
    /// <param name="limits">The limits (the host's defaults).</param>
    public RawDriftlessPlugin(RawEngine engine, byte[] module, BenchDriftlessHost host, PluginLimits limits)
        : base(engine, "confkit", module, limits, linker => DefineImports(linker, host), (e, linker, m) => new RawDriftlessInstance(e, linker, m, limits))
    {
    }

    /// <summary><c>execute_task(name, config_json)</c>, its result read in one pass.</summary>
    /// <param name="name">The task's name.</param>
    /// <param name="config">The task's configuration.</param>
    /// <exception cref="RawPluginErrorException">The plugin answered <c>{"status":"error",...}</c>.</exception>
    public DriftlessTaskResult ExecuteTask(string name, JsonElement config)
        => Call((name, config), static (instance, call) => instance.ExecuteTask(call.name, call.config, onePass: true));

    /// <summary>
    /// <c>execute_task(name, config_json)</c>, its result read the way Airlock's status envelope reads
    /// it: one pass for <c>"status"</c>, then System.Text.Json with the contract's metadata. Not a
    /// baseline: it tells how much of the difference is the reading.
    /// </summary>
    /// <param name="name">The task's name.</param>
    /// <param name="config">The task's configuration.</param>
    /// <exception cref="RawPluginErrorException">The plugin answered <c>{"status":"error",...}</c>.</exception>
    public DriftlessTaskResult ExecuteTaskReadLikeAirlock(string name, JsonElement config)
        => Call((name, config), static (instance, call) => instance.ExecuteTask(call.name, call.config, onePass: false));

    private static void DefineImports(Linker linker, BenchDriftlessHost host)
    {
        linker.DefineFunction("env", "host_log", (CallerAction<int, int, int, int>)((caller, levelPointer, levelLength, messagePointer, messageLength) =>
        {
            var guest = (RawDriftlessInstance)caller.GetData()!;
            guest.EnterImport("env.host_log");
            try
            {
                string level = ReadArgument(guest, levelPointer, levelLength, "level of env.host_log");
                string message = ReadArgument(guest, messagePointer, messageLength, "message of env.host_log");
                host.LogCore(level, message);
            }
            catch (Exception exception)
            {
                guest.ImportFault ??= exception;
                throw;
            }
            finally
            {
                guest.ExitImport();
            }
        }));

        linker.DefineFunction("env", "host_get_timestamp", (CallerFunc<long>)(caller =>
        {
            var guest = (RawDriftlessInstance)caller.GetData()!;
            guest.EnterImport("env.host_get_timestamp");
            try
            {
                return unchecked((long)host.TimestampCore());
            }
            finally
            {
                guest.ExitImport();
            }
        }));

        // wasm-bindgen's glue, present in every module built without its CLI: the describe import is
        // called only by the __wbindgen_describe_* exports (never by a Driftless export), the externref
        // intrinsics only by JavaScript glue, so they end the call if ever reached.
        linker.DefineFunction("__wbindgen_placeholder__", "__wbindgen_describe", (int _) => { });
        linker.DefineFunction("__wbindgen_externref_xform__", "__wbindgen_externref_table_grow", (Func<int, int>)(_ => throw new RawGuestException("The plugin called wasm-bindgen's externref glue.")));
        linker.DefineFunction("__wbindgen_externref_xform__", "__wbindgen_externref_table_set_null", (Action<int>)(_ => throw new RawGuestException("The plugin called wasm-bindgen's externref glue.")));
    }

    private static string ReadArgument(RawDriftlessInstance guest, int pointer, int length, string region)
    {
        ReadOnlySpan<byte> bytes = guest.ViewPayload(unchecked((uint)pointer), unchecked((uint)length), region);
        if (!Utf8.IsValid(bytes))
        {
            throw new RawGuestException($"The {region} is not valid UTF-8.");
        }

        return Encoding.UTF8.GetString(bytes);
    }
}

/// <summary>One instance of <c>confkit</c> with its exports bound, its return slot and its JSON buffer.</summary>
public sealed class RawDriftlessInstance : RawInstance
{
    // What wasm-bindgen's __wbindgen_malloc(0) answers: an empty argument is passed with it, never with 0.
    private const uint EmptyPointer = 4;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Func<int, int> _malloc;
    private readonly Action<int, int> _free;
    private readonly Action<int, int, int, int, int> _executeTask;
    private readonly uint _slot;
    private readonly RawJsonScratch _scratch = new(1024);

    /// <summary>Instantiates the module, binds its exports and allocates the return slot.</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="linker">The linker with the imports.</param>
    /// <param name="module">The module.</param>
    /// <param name="limits">The limits.</param>
    public RawDriftlessInstance(Engine engine, Linker linker, Module module, PluginLimits limits)
        : base(engine, linker, module, limits)
    {
        // wasm-bindgen 0.2.83's allocator, the one confkit is built with: malloc(size), free(ptr, size).
        _malloc = Bind<Func<int, int>>("__wbindgen_malloc", f => f.WrapFunc<int, int>());
        _free = Bind<Action<int, int>>("__wbindgen_free", f => f.WrapAction<int, int>());
        _executeTask = Bind<Action<int, int, int, int, int>>("execute_task", f => f.WrapAction<int, int, int, int, int>());

        // The slot is the host's for the instance's lifetime: every call reuses it.
        BeginCall();
        _slot = Allocate(8, "return slot");
    }

    /// <summary>One <c>execute_task</c> on this instance; the caller has begun the call.</summary>
    /// <param name="name">The task's name.</param>
    /// <param name="config">The task's configuration.</param>
    /// <param name="onePass">Whether the result is read in one pass (else as Airlock reads it: a status pass, then System.Text.Json).</param>
    public DriftlessTaskResult ExecuteTask(string name, JsonElement config, bool onePass)
    {
        config.WriteTo(_scratch.Begin());
        ReadOnlySpan<byte> configJson = _scratch.End();

        // Both arguments belong to the callee once passed: it frees them, the host must not.
        int nameLength = StrictUtf8.GetByteCount(name);
        uint namePointer = Allocate(nameLength, "name of execute_task");
        StrictUtf8.GetBytes(name, View(namePointer, (uint)nameLength, "name of execute_task"));
        uint configPointer = Allocate(configJson.Length, "config of execute_task");
        configJson.CopyTo(View(configPointer, (uint)configJson.Length, "config of execute_task"));
        int configLength = configJson.Length;
        _scratch.Trim();

        _executeTask(unchecked((int)_slot), unchecked((int)namePointer), nameLength, unchecked((int)configPointer), configLength);

        ReadOnlySpan<byte> slot = View(_slot, 8, "return slot of execute_task");
        uint pointer = BinaryPrimitives.ReadUInt32LittleEndian(slot);
        uint length = BinaryPrimitives.ReadUInt32LittleEndian(slot[4..]);
        ReadOnlySpan<byte> json = ViewPayload(pointer, length, "result of execute_task");
        RawPluginErrorException? error;
        DriftlessTaskResult? result = onePass ? ReadTaskResult(json, out error) : ReadTaskResultInTwoPasses(json, out error);
        if (length != 0)
        {
            _free(unchecked((int)pointer), unchecked((int)length));
        }

        return result ?? throw error!;
    }

    private uint Allocate(int length, string purpose)
    {
        if (length == 0)
        {
            return EmptyPointer;
        }

        uint pointer = unchecked((uint)_malloc(length));
        if (pointer == 0)
        {
            throw new RawGuestException($"__wbindgen_malloc({length}) failed for the {purpose}.");
        }

        return pointer;
    }

    // Airlock's way: the whole envelope read once for "status", then System.Text.Json with the
    // contract's source-generated metadata (which keeps "status" in the extension data) on success,
    // or a second pass for the message on error.
    private static DriftlessTaskResult? ReadTaskResultInTwoPasses(ReadOnlySpan<byte> json, out RawPluginErrorException? error)
    {
        error = null;
        bool? success = null;
        try
        {
            Utf8JsonReader reader = OpenObject(json, "result of execute_task");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("status"u8))
                {
                    success = ReadStatus(ref reader, "success"u8, success);
                }
                else
                {
                    reader.Skip();
                }
            }

            while (reader.Read())
            {
            }

            if (success is true)
            {
                return JsonSerializer.Deserialize(json, DriftlessJsonContext.Default.DriftlessTaskResult)
                    ?? throw new RawGuestException("The result of execute_task is null.");
            }

        }
        catch (JsonException exception)
        {
            throw new RawGuestException("The result of execute_task is not valid JSON: " + exception.Message, exception);
        }

        // The error's message, in a second pass.
        return success is false ? ReadTaskResult(json, out error) : throw new RawGuestException("The result of execute_task has no \"status\".");
    }

    // One pass: {"status":"success","changed":...,"message":...,<other members>} or
    // {"status":"error","message":...}, members in any order, nothing after the object. The members
    // other than status, changed and message are the result's extension data, as the contract's
    // DriftlessTaskResult reads them.
    private static DriftlessTaskResult? ReadTaskResult(ReadOnlySpan<byte> json, out RawPluginErrorException? error)
    {
        error = null;
        try
        {
            Utf8JsonReader reader = OpenObject(json, "result of execute_task");
            bool? success = null;
            bool? changed = null;
            string? message = null;
            Dictionary<string, JsonElement>? extra = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("status"u8))
                {
                    success = ReadStatus(ref reader, "success"u8, success);
                }
                else if (reader.ValueTextEquals("changed"u8))
                {
                    reader.Read();
                    changed = reader.TokenType switch
                    {
                        JsonTokenType.True => true,
                        JsonTokenType.False => false,
                        JsonTokenType.Null => null,
                        _ => throw new RawGuestException("\"changed\" is not a boolean."),
                    };
                }
                else if (reader.ValueTextEquals("message"u8))
                {
                    message = ReadOptionalString(ref reader, "message");
                }
                else
                {
                    string member = reader.GetString()!;
                    reader.Read();
                    extra ??= [];
                    extra[member] = JsonElement.ParseValue(ref reader);
                }
            }

            // Reading on to the end rejects anything after the object.
            while (reader.Read())
            {
            }

            if (success is true)
            {
                return new DriftlessTaskResult(changed, message) { Extra = extra };
            }

            if (success is false)
            {
                // Driftless errors carry a message and no code.
                error = new RawPluginErrorException("error", message ?? string.Empty, retryable: false);
                return null;
            }

            throw new RawGuestException("The result of execute_task has no \"status\".");
        }
        catch (JsonException exception)
        {
            throw new RawGuestException("The result of execute_task is not valid JSON: " + exception.Message, exception);
        }
    }
}
