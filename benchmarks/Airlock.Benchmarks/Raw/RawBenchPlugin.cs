using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Airlock.Benchmarks.Plugins;
using Airlock.Contracts.SocialScale;
using Wasmtime;

namespace Airlock.Benchmarks.Raw;

/// <summary>
/// The hand-written baseline for <c>bench-c</c>: what a Wasmtime expert would write to call the same
/// exports and serve the same imports without Airlock — cached typed delegates from
/// <see cref="Function.WrapFunc{T1, T2, TResult}"/>, a lock-free instance pool, one pooled buffer and
/// <see cref="Utf8JsonWriter"/> per instance, a single <see cref="Utf8JsonReader"/> pass over the
/// response in guest memory — with the same per-call safety work as the host: fuel and deadline per
/// call, 64-bit bounds checks, the payload limit, strict UTF-8, the response envelope, buffers freed
/// per the ABI, and a trapped instance discarded.
/// </summary>
public sealed class RawBenchPlugin : RawPlugin<RawBenchInstance>
{

    /// <summary>Compiles the module, defines the two imports it uses, and creates the first instance.</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="module">The module's bytes.</param>
    /// <param name="host">The host services the imports call.</param>
    /// <param name="limits">The limits (the host's defaults).</param>
    public RawBenchPlugin(RawEngine engine, byte[] module, BenchHostServices host, PluginLimits limits)
        : base(engine, BenchModules.BenchId, module, limits, linker => DefineImports(linker, host), (e, linker, m) => new RawBenchInstance(e, linker, m, limits))
    {
    }

    // The calls are written out rather than going through Call: the scalar call is ~130 ns, where a
    // delegate invocation would show.

    /// <summary><c>add(a, b)</c>.</summary>
    /// <param name="a">The first addend.</param>
    /// <param name="b">The second addend.</param>
    public int Add(int a, int b)
    {
        RawBenchInstance instance = Pool.Rent();
        int result;
        try
        {
            instance.BeginCall();
            result = instance.AddExport(a, b);
        }
        catch
        {
            Pool.Discard(instance);
            throw;
        }

        Pool.Return(instance);
        return result;
    }

    /// <summary><c>bench_log(n)</c>.</summary>
    /// <param name="count">How many <c>host_log</c> calls.</param>
    public int Log(int count)
    {
        RawBenchInstance instance = Pool.Rent();
        int result;
        try
        {
            instance.BeginCall();
            result = instance.BenchLog(count);
        }
        catch
        {
            Pool.Discard(instance);
            throw;
        }

        Pool.Return(instance);
        return result;
    }

    /// <summary><c>bench_store_get(n)</c>.</summary>
    /// <param name="count">How many <c>host_store_get</c> calls.</param>
    public int StoreGet(int count)
    {
        RawBenchInstance instance = Pool.Rent();
        int result;
        try
        {
            instance.BeginCall();
            result = instance.BenchStoreGet(count);
        }
        catch
        {
            Pool.Discard(instance);
            throw;
        }

        Pool.Return(instance);
        return result;
    }

    /// <summary>A <c>publish</c> request through <c>plugin_handle_request</c>.</summary>
    /// <param name="text">The post's text.</param>
    /// <param name="mediaUrls">Media URLs.</param>
    /// <param name="hashtags">Hashtags.</param>
    /// <exception cref="RawPluginErrorException">The plugin answered with an error response.</exception>
    public PublishResult Publish(string text, IReadOnlyList<string> mediaUrls, IReadOnlyList<string> hashtags)
    {
        RawBenchInstance instance = Pool.Rent();
        PublishResult result;
        try
        {
            instance.BeginCall();
            result = instance.Publish(text, mediaUrls, hashtags);
        }
        catch (RawPluginErrorException)
        {
            // A clean error response leaves the instance consistent.
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

    internal static void DefineImports(Linker linker, BenchHostServices host)
    {
        linker.DefineFunction("env", "host_log", (CallerAction<int, int, int>)((caller, level, pointer, length) =>
        {
            var guest = (RawBenchInstance)caller.GetData()!;
            guest.EnterImport("env.host_log");
            try
            {
                ReadOnlySpan<byte> message = guest.ViewPayload((uint)pointer, (uint)length, "message of env.host_log");
                if (!Utf8.IsValid(message))
                {
                    throw new RawGuestException("The message of env.host_log is not valid UTF-8.");
                }

                host.LogCore((PluginLogLevel)level, Encoding.UTF8.GetString(message));
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

        linker.DefineFunction("env", "host_store_get", (CallerFunc<int, int, long>)((caller, pointer, length) =>
        {
            var guest = (RawBenchInstance)caller.GetData()!;
            guest.EnterImport("env.host_store_get");
            try
            {
                ReadOnlySpan<byte> key = guest.ViewPayload((uint)pointer, (uint)length, "key of env.host_store_get");
                if (!Utf8.IsValid(key))
                {
                    return (long)HostCallStatus.InvalidArgument;
                }

                byte[]? value = host.StoreGetCore(Encoding.UTF8.GetString(key));
                if (value is null)
                {
                    return (long)HostCallStatus.NotFound;
                }

                if (value.Length > guest.Limits.MaxPayloadBytes)
                {
                    return (long)HostCallStatus.TooLarge;
                }

                if (value.Length == 0)
                {
                    return 0;
                }

                uint buffer = unchecked((uint)guest.Alloc(value.Length));
                if (buffer == 0)
                {
                    throw new RawGuestException($"alloc({value.Length}) failed for the result of env.host_store_get.");
                }

                value.CopyTo(guest.View(buffer, (uint)value.Length, "result of env.host_store_get"));
                return unchecked((long)(((ulong)buffer << 32) | (uint)value.Length));
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
    }
}

/// <summary>One instance of <c>bench-c</c> with its exports bound and its JSON buffer.</summary>
public sealed class RawBenchInstance : RawInstance
{
    private readonly Action<int, int> _dealloc;
    private readonly Func<int, int, long> _handle;
    private readonly RawJsonScratch _scratch = new(512);

    /// <summary>Instantiates the module and binds its exports.</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="linker">The linker with the imports.</param>
    /// <param name="module">The module.</param>
    /// <param name="limits">The limits.</param>
    public RawBenchInstance(Engine engine, Linker linker, Module module, PluginLimits limits)
        : base(engine, linker, module, limits)
    {
        AddExport = Bind<Func<int, int, int>>("add", f => f.WrapFunc<int, int, int>());
        Alloc = Bind<Func<int, int>>("alloc", f => f.WrapFunc<int, int>());
        _dealloc = Bind<Action<int, int>>("dealloc", f => f.WrapAction<int, int>());
        _handle = Bind<Func<int, int, long>>("plugin_handle_request", f => f.WrapFunc<int, int, long>());
        BenchLog = Bind<Func<int, int>>("bench_log", f => f.WrapFunc<int, int>());
        BenchStoreGet = Bind<Func<int, int>>("bench_store_get", f => f.WrapFunc<int, int>());
    }

    /// <summary><c>add</c>.</summary>
    public Func<int, int, int> AddExport { get; }

    /// <summary><c>alloc</c>.</summary>
    public Func<int, int> Alloc { get; }

    /// <summary><c>bench_log</c>.</summary>
    public Func<int, int> BenchLog { get; }

    /// <summary><c>bench_store_get</c>.</summary>
    public Func<int, int> BenchStoreGet { get; }

    /// <summary>One <c>publish</c> round trip on this instance; the caller has begun the call.</summary>
    /// <param name="text">The post's text.</param>
    /// <param name="mediaUrls">Media URLs.</param>
    /// <param name="hashtags">Hashtags.</param>
    public PublishResult Publish(string text, IReadOnlyList<string> mediaUrls, IReadOnlyList<string> hashtags)
    {
        ReadOnlySpan<byte> request = WritePublishRequest(text, mediaUrls, hashtags);
        int length = request.Length;
        uint input = unchecked((uint)Alloc(length));
        if (input == 0)
        {
            throw new RawGuestException($"alloc({length}) failed for the request of plugin_handle_request.");
        }

        request.CopyTo(View(input, (uint)length, "request of plugin_handle_request"));
        _scratch.Trim();
        long packed = _handle(unchecked((int)input), length);
        _dealloc(unchecked((int)input), length);

        uint pointer = unchecked((uint)((ulong)packed >> 32));
        uint size = unchecked((uint)packed);
        PublishResult? result = ReadPublishResult(ViewPayload(pointer, size, "result of plugin_handle_request"), out RawPluginErrorException? error);
        if (size != 0)
        {
            _dealloc(unchecked((int)pointer), unchecked((int)size));
        }

        return result ?? throw error!;
    }

    // {"type":"publish","text":...,"media_urls":[...],"hashtags":[...]}: the bytes the generated client sends.
    private ReadOnlySpan<byte> WritePublishRequest(string text, IReadOnlyList<string> mediaUrls, IReadOnlyList<string> hashtags)
    {
        Utf8JsonWriter writer = _scratch.Begin();
        writer.WriteStartObject();
        writer.WriteString("type"u8, "publish"u8);
        writer.WriteString("text"u8, text);
        writer.WriteStartArray("media_urls"u8);
        for (int i = 0; i < mediaUrls.Count; i++)
        {
            writer.WriteStringValue(mediaUrls[i]);
        }

        writer.WriteEndArray();
        writer.WriteStartArray("hashtags"u8);
        for (int i = 0; i < hashtags.Count; i++)
        {
            writer.WriteStringValue(hashtags[i]);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        return _scratch.End();
    }

    // One pass: {"status":"ok","post_id":...,"url":...} or {"status":"error","code":...,"message":...,"retryable":...},
    // members in any order, unknown members skipped, nothing after the object.
    private static PublishResult? ReadPublishResult(ReadOnlySpan<byte> json, out RawPluginErrorException? error)
    {
        error = null;
        try
        {
            Utf8JsonReader reader = OpenObject(json, "result of plugin_handle_request");
            bool? ok = null;
            bool retryable = false;
            string? postId = null;
            string? url = null;
            string? code = null;
            string? message = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("status"u8))
                {
                    ok = ReadStatus(ref reader, "ok"u8, ok);
                }
                else if (reader.ValueTextEquals("post_id"u8))
                {
                    reader.Read();
                    postId = reader.TokenType == JsonTokenType.String ? reader.GetString() : throw new RawGuestException("\"post_id\" is not a string.");
                }
                else if (reader.ValueTextEquals("url"u8))
                {
                    url = ReadOptionalString(ref reader, "url");
                }
                else if (reader.ValueTextEquals("code"u8))
                {
                    code = ReadOptionalString(ref reader, "code");
                }
                else if (reader.ValueTextEquals("message"u8))
                {
                    message = ReadOptionalString(ref reader, "message");
                }
                else if (reader.ValueTextEquals("retryable"u8))
                {
                    reader.Read();
                    retryable = reader.TokenType == JsonTokenType.True;
                }
                else
                {
                    reader.Skip();
                }
            }

            // Reading on to the end rejects anything after the object.
            while (reader.Read())
            {
            }

            if (ok is true)
            {
                return new PublishResult(postId ?? throw new RawGuestException("The ok response has no \"post_id\"."), url);
            }

            if (ok is false)
            {
                error = new RawPluginErrorException(code ?? throw new RawGuestException("The error response has no \"code\"."), message ?? string.Empty, retryable);
                return null;
            }

            throw new RawGuestException("The response has no \"status\".");
        }
        catch (JsonException exception)
        {
            throw new RawGuestException("The result of plugin_handle_request is not valid JSON: " + exception.Message, exception);
        }
    }
}

/// <summary>The plugin answered with <c>{"status":"error",...}</c>.</summary>
public sealed class RawPluginErrorException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RawPluginErrorException()
    {
        Code = string.Empty;
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public RawPluginErrorException(string message)
        : base(message)
    {
        Code = string.Empty;
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public RawPluginErrorException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = string.Empty;
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="code">The plugin's error code.</param>
    /// <param name="message">The plugin's message.</param>
    /// <param name="retryable">Whether the plugin says to retry.</param>
    public RawPluginErrorException(string code, string message, bool retryable)
        : base(message)
    {
        Code = code;
        Retryable = retryable;
    }

    /// <summary>The plugin's error code.</summary>
    public string Code { get; }

    /// <summary>Whether the plugin says to retry.</summary>
    public bool Retryable { get; }
}
