using System.Text;
using System.Text.Json;
using Airlock.Benchmarks.Plugins;
using Samples.SamuelHello;
using Wasmtime;

namespace Airlock.Benchmarks.Raw;

/// <summary>
/// What the hand-written baseline is told about a Samuel plugin (a hand-written host knows it; it does not read
/// <c>samuel-plugin.toml</c>): the module, its exports, the environment and read-only mounts its WASI gets, its soft
/// timeout and its limits. Also where its stdout and stderr go: counted, the callbacks held here so they live as long as
/// every store that calls them.
/// </summary>
/// <param name="name">The plugin's name.</param>
/// <param name="modulePath">The <c>.wasm</c> file.</param>
/// <param name="exports">The exports, each <c>(ptr: i32, len: i32) -> i64</c>.</param>
/// <param name="environment">The variables <c>environ_get</c> shows.</param>
/// <param name="readOnlyMounts">Guest path → host directory, each preopened read-only.</param>
/// <param name="softTimeout">What <c>samuel.soft_deadline_ms</c> counts down from.</param>
/// <param name="limits">Memory, fuel, hard timeout, payload and instance limits.</param>
public sealed class RawSamuelSetup(
    string name,
    string modulePath,
    IReadOnlyList<string> exports,
    IReadOnlyList<KeyValuePair<string, string>> environment,
    IReadOnlyList<KeyValuePair<string, string>> readOnlyMounts,
    TimeSpan softTimeout,
    PluginLimits limits)
{
    private long _outputBytes;
    private long _logLines;
    private long _logChars;

    /// <summary>The plugin's name.</summary>
    public string Name { get; } = name;

    /// <summary>The <c>.wasm</c> file.</summary>
    public string ModulePath { get; } = modulePath;

    /// <summary>The exports, each <c>(ptr: i32, len: i32) -> i64</c>.</summary>
    public IReadOnlyList<string> Exports { get; } = exports;

    /// <summary>The variables <c>environ_get</c> shows.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Environment { get; } = environment;

    /// <summary>Guest path → host directory, each preopened read-only.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ReadOnlyMounts { get; } = readOnlyMounts;

    /// <summary>What <c>samuel.soft_deadline_ms</c> counts down from.</summary>
    public TimeSpan SoftTimeout { get; } = softTimeout;

    /// <summary>Memory, fuel, hard timeout, payload and instance limits.</summary>
    public PluginLimits Limits { get; } = limits;

    /// <summary>The stdout and stderr callback (one delegate, so every store that holds it holds the same).</summary>
    public WasiOutputCallback Output => field ??= bytes => Interlocked.Add(ref _outputBytes, bytes.Length);

    /// <summary>Bytes the plugin's instances wrote to stdout and stderr.</summary>
    public long OutputBytes => Interlocked.Read(ref _outputBytes);

    /// <summary>Lines the plugin's instances logged through <c>samuel.log</c>.</summary>
    public long LogLines => Interlocked.Read(ref _logLines);

    /// <summary>The sum of the lengths of the lines logged through <c>samuel.log</c>.</summary>
    public long LogChars => Interlocked.Read(ref _logChars);

    /// <summary>What <c>samuel.log</c> does with a line (at any level): counts it and its length.</summary>
    /// <param name="message">The message.</param>
    public void Log(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Interlocked.Increment(ref _logLines);
        Interlocked.Add(ref _logChars, message.Length);
    }

    /// <summary>Gives a new store its WASI: the environment, the mounts, stdout and stderr into <see cref="Output"/>, nothing else.</summary>
    /// <param name="store">The store, before instantiation.</param>
    public void ConfigureWasi(Store store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var configuration = new WasiConfiguration()
            .WithEnvironmentVariables(Environment.Select(v => (v.Key, v.Value)))
            .WithStandardOutputCallback(Output)
            .WithStandardErrorCallback(Output);
        foreach (KeyValuePair<string, string> mount in ReadOnlyMounts)
        {
            configuration.WithPreopenedDirectory(mount.Value, mount.Key, false);
        }

        store.SetWasiConfiguration(configuration);
    }
}

/// <summary>
/// The hand-written baseline for a Samuel plugin, written from the Samuel convention (<c>docs/abi/samuel.md</c>) as a
/// Wasmtime expert would write it without Airlock: Wasmtime's WASI (<see cref="Linker.DefineWasi"/>) with the plugin's
/// environment and read-only mounts, the three <c>samuel</c> host functions as <see cref="Linker.DefineFunction"/>
/// callbacks, a store per instance with the plugin's limits, <c>_initialize</c> called once; <c>malloc</c>, <c>free</c>
/// and every export bound once as typed delegates. A call mallocs the input, copies the JSON in, calls the export,
/// frees the input, checks the packed result (64-bit bounds, payload limit, strict UTF-8), reads it — a top-level
/// non-null <c>"error"</c> is the plugin's error — and frees it. Per call the same safety work as the host: fuel and
/// deadline, a trapped instance discarded.
/// </summary>
/// <remarks>
/// <c>samuel.net_outbound</c> answers -2 (permission denied): the baseline grants no network, and no call the
/// benchmarks make reaches it. <c>samuel.log</c> decodes and counts its line, without Airlock's rate limit and
/// sanitiser. WASI is Wasmtime's own, without Airlock's deadline-bounded <c>poll_oneoff</c> and clocks.
/// </remarks>
public sealed class RawSamuelPlugin : RawPlugin<RawSamuelInstance>
{
    // samuel.net_outbound's "permission denied".
    private const long PermissionDenied = -2;

    private readonly RawSamuelSetup _setup;

    /// <summary>Takes a compiled module, links WASI and the <c>samuel</c> functions, and creates the first instance.</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="module">The compiled module; the plugin owns it.</param>
    /// <param name="setup">What the plugin is given.</param>
    public RawSamuelPlugin(RawEngine engine, Module module, RawSamuelSetup setup)
        : base(engine, module, setup?.Limits!, linker => DefineImports(linker, setup!), (e, linker, m) => new RawSamuelInstance(e, linker, m, setup!))
    {
        _setup = setup!;
    }

    /// <summary>
    /// A cold start from an empty cache: reads the module file, compiles it, writes the serialized module to
    /// <paramref name="cacheFile"/> (as a host caching compiled modules does), and starts the plugin.
    /// </summary>
    /// <param name="engine">The engine.</param>
    /// <param name="setup">What the plugin is given.</param>
    /// <param name="cacheFile">Where the compiled module goes.</param>
    public static RawSamuelPlugin Compile(RawEngine engine, RawSamuelSetup setup, string cacheFile)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(setup);
        byte[] bytes = File.ReadAllBytes(setup.ModulePath);
        Module module = Module.FromBytes(engine.Engine, setup.Name, bytes);
        try
        {
            File.WriteAllBytes(cacheFile, module.Serialize());
        }
        catch
        {
            module.Dispose();
            throw;
        }

        return new RawSamuelPlugin(engine, module, setup);
    }

    /// <summary>A cold start from a warm cache: deserializes the compiled module <see cref="Compile"/> wrote, and starts the plugin.</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="setup">What the plugin is given.</param>
    /// <param name="cacheFile">The compiled module.</param>
    public static RawSamuelPlugin FromCache(RawEngine engine, RawSamuelSetup setup, string cacheFile)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(setup);
        return new RawSamuelPlugin(engine, Module.DeserializeFile(engine.Engine, setup.Name, cacheFile), setup);
    }

    /// <summary>Calls an export with a JSON input and returns its JSON result (<c>null</c> for an empty one).</summary>
    /// <param name="export">The export, one of <see cref="RawSamuelSetup.Exports"/>.</param>
    /// <param name="input">The input.</param>
    /// <exception cref="RawPluginErrorException">The plugin answered with a top-level <c>"error"</c>.</exception>
    public JsonElement Invoke(string export, JsonElement input)
    {
        int index = IndexOf(export);
        return Call((index, input), static (instance, call) => instance.Invoke(call.index, call.input));
    }

    /// <summary><c>greet({"name": name})</c>, its answer read in one pass into a <see cref="GreetReply"/>.</summary>
    /// <param name="request">Whom to greet.</param>
    /// <exception cref="RawPluginErrorException">The plugin answered with a top-level <c>"error"</c>.</exception>
    public GreetReply Greet(GreetRequest request)
    {
        int index = IndexOf("greet");
        return Call((index, request), static (instance, call) => instance.Greet(call.index, call.request));
    }

    private int IndexOf(string export)
    {
        for (int i = 0; i < _setup.Exports.Count; i++)
        {
            if (string.Equals(_setup.Exports[i], export, StringComparison.Ordinal))
            {
                return i;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(export), export, $"{_setup.Name} has no export '{export}'.");
    }

    /// <summary>Defines what a Samuel plugin imports: Wasmtime's WASI and the three <c>samuel</c> functions.</summary>
    /// <param name="linker">The linker.</param>
    /// <param name="setup">What the plugin is given.</param>
    public static void DefineImports(Linker linker, RawSamuelSetup setup)
    {
        ArgumentNullException.ThrowIfNull(linker);
        ArgumentNullException.ThrowIfNull(setup);
        linker.DefineWasi();
        linker.DefineFunction("samuel", "log", (CallerAction<int, int, int>)((caller, _, pointer, length) =>
        {
            var guest = (RawSamuelInstance)caller.GetData()!;
            guest.EnterImport("samuel.log");
            try
            {
                // Invalid bytes become U+FFFD, as the convention says.
                ReadOnlySpan<byte> bytes = guest.ViewPayload(unchecked((uint)pointer), unchecked((uint)length), "message of samuel.log");
                setup.Log(Encoding.UTF8.GetString(bytes));
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
        linker.DefineFunction("samuel", "net_outbound", (Func<int, int, long>)((_, _) => PermissionDenied));
        linker.DefineFunction("samuel", "soft_deadline_ms", (CallerFunc<long>)(caller =>
        {
            var guest = (RawSamuelInstance)caller.GetData()!;
            return (long)Math.Floor((setup.SoftTimeout - guest.Elapsed).TotalMilliseconds);
        }));
    }
}

/// <summary>One instance of a Samuel plugin with <c>malloc</c>, <c>free</c> and its exports bound, and its JSON buffer.</summary>
public sealed class RawSamuelInstance : RawInstance
{
    private readonly Func<int, int> _malloc;
    private readonly Action<int> _free;
    private readonly Func<int, int, long>[] _exports;
    private readonly string[] _inputRegions;
    private readonly string[] _resultRegions;
    private readonly RawJsonScratch _scratch = new(256);

    /// <summary>Creates a store with the plugin's WASI, instantiates the module (running <c>_initialize</c>) and binds its exports.</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="linker">The linker with WASI and the <c>samuel</c> functions.</param>
    /// <param name="module">The module.</param>
    /// <param name="setup">What the plugin is given.</param>
    public RawSamuelInstance(Engine engine, Linker linker, Module module, RawSamuelSetup setup)
        : base(engine, linker, module, setup?.Limits!, setup!.ConfigureWasi)
    {
        _malloc = Bind<Func<int, int>>("malloc", f => f.WrapFunc<int, int>());
        _free = Bind<Action<int>>("free", f => f.WrapAction<int>());
        _exports = [.. setup.Exports.Select(name => Bind<Func<int, int, long>>(name, f => f.WrapFunc<int, int, long>()))];
        _inputRegions = [.. setup.Exports.Select(name => "input of " + name)];
        _resultRegions = [.. setup.Exports.Select(name => "result of " + name)];
    }

    /// <summary>One call with a JSON input, its result read as a <see cref="JsonElement"/>; the caller has begun the call.</summary>
    /// <param name="index">The export's index.</param>
    /// <param name="input">The input.</param>
    public JsonElement Invoke(int index, JsonElement input)
    {
        input.WriteTo(_scratch.Begin());
        long packed = CallExport(index, _scratch.End());
        _scratch.Trim();
        return TakeResult(index, packed, static json => ReadElement(json));
    }

    /// <summary>One <c>greet</c>; the caller has begun the call.</summary>
    /// <param name="index">The index of <c>greet</c>.</param>
    /// <param name="request">Whom to greet.</param>
    public GreetReply Greet(int index, GreetRequest request)
    {
        Utf8JsonWriter writer = _scratch.Begin();
        writer.WriteStartObject();
        writer.WriteString("name"u8, request.Name);
        writer.WriteEndObject();
        long packed = CallExport(index, _scratch.End());
        _scratch.Trim();
        return TakeResult(index, packed, static json => ReadGreeting(json));
    }

    // malloc, copy in, call, free the input: the input belongs to the host.
    private long CallExport(int index, ReadOnlySpan<byte> input)
    {
        int length = input.Length;
        uint pointer = unchecked((uint)_malloc(length));
        if (pointer == 0)
        {
            throw new RawGuestException($"malloc({length}) failed for the {_inputRegions[index]}.");
        }

        input.CopyTo(View(pointer, (uint)length, _inputRegions[index]));
        long packed = _exports[index](unchecked((int)pointer), length);
        _free(unchecked((int)pointer));
        return packed;
    }

    // (ptr << 32) | len of a buffer the guest malloc'd: checked, read, freed (also when it holds the plugin's error).
    private T TakeResult<T>(int index, long packed, ReadResult<T> read)
    {
        uint pointer = unchecked((uint)((ulong)packed >> 32));
        uint length = unchecked((uint)packed);
        if (length == 0)
        {
            return read(ReadOnlySpan<byte>.Empty);
        }

        try
        {
            return read(ViewPayload(pointer, length, _resultRegions[index]));
        }
        finally
        {
            _free(unchecked((int)pointer));
        }
    }

    private delegate T ReadResult<T>(ReadOnlySpan<byte> json);

    // The whole result as a JsonElement of its own (a copy: the guest's buffer is freed next); empty is null.
    private static JsonElement ReadElement(ReadOnlySpan<byte> json)
    {
        if (json.IsEmpty)
        {
            return JsonElement.Parse("null"u8);
        }

        if (!System.Text.Unicode.Utf8.IsValid(json))
        {
            throw new RawGuestException("The result is not valid UTF-8.");
        }

        JsonElement element;
        try
        {
            element = JsonElement.Parse(json, new JsonDocumentOptions { MaxDepth = RawJsonScratch.ReaderOptions.MaxDepth });
        }
        catch (JsonException exception)
        {
            throw new RawGuestException("The result is not valid JSON: " + exception.Message, exception);
        }

        if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty("error"u8, out JsonElement error) && error.ValueKind != JsonValueKind.Null)
        {
            throw Error(error);
        }

        return element;
    }

    // One pass: {"greeting": "..."} or {"error": ...}, members in any order, unknown members skipped, nothing after the object.
    private static GreetReply ReadGreeting(ReadOnlySpan<byte> json)
    {
        if (json.IsEmpty)
        {
            throw new RawGuestException("greet answered nothing.");
        }

        string? greeting = null;
        try
        {
            Utf8JsonReader reader = OpenObject(json, "result of greet");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("greeting"u8))
                {
                    reader.Read();
                    greeting = reader.TokenType == JsonTokenType.String ? reader.GetString() : throw new RawGuestException("\"greeting\" is not a string.");
                }
                else if (reader.ValueTextEquals("error"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.Null)
                    {
                        throw Error(JsonElement.ParseValue(ref reader));
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            while (reader.Read())
            {
            }
        }
        catch (JsonException exception)
        {
            throw new RawGuestException("The result of greet is not valid JSON: " + exception.Message, exception);
        }

        return new GreetReply(greeting ?? throw new RawGuestException("The result of greet has no \"greeting\"."));
    }

    // "error": "message" or {"code": "...", "message": "..."}.
    private static RawPluginErrorException Error(JsonElement error) => error.ValueKind switch
    {
        JsonValueKind.String => new RawPluginErrorException("plugin_error", error.GetString()!, retryable: false),
        JsonValueKind.Object => new RawPluginErrorException(
            error.TryGetProperty("code"u8, out JsonElement code) && code.ValueKind == JsonValueKind.String ? code.GetString()! : "plugin_error",
            error.TryGetProperty("message"u8, out JsonElement message) && message.ValueKind == JsonValueKind.String ? message.GetString()! : string.Empty,
            retryable: false),
        _ => throw new RawGuestException($"\"error\" is a {error.ValueKind}; expected a message or an object."),
    };
}
