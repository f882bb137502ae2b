using System.Text;
using System.Text.Json;
using Airlock.Contracts.SocialScale;
using Wasmtime;

namespace Airlock.Cli.Tests.GuestBindings;

/// <summary>
/// The generated AssemblyScript JSON codec against System.Text.Json on generated payloads of the SocialScale contract's
/// types (the values and the malformed inputs of <see cref="CodecPropertyTests"/>), all in one instance of one module
/// (codec-harness.ts); and the typed host-function wrappers against imports that answer values, statuses and garbage.
/// </summary>
public sealed class AssemblyScriptCodecPropertyTests(AssemblyScriptCodecHarness harness) : IClassFixture<AssemblyScriptCodecHarness>
{
    private readonly AssemblyScriptCodecHarness _ = harness;

    [AssemblyScriptFact]
    public void The_assemblyscript_codec_round_trips_generated_values_of_every_tested_type_as_system_text_json_reads_them()
    {
        var random = new Random(19);
        for (int i = 0; i < 150; i++)
        {
            foreach ((string type, object value) in CodecPropertyTests.Payloads(random))
            {
                CodecPropertyTests.AgreesOn(type, value, input => _.RoundTrip(type, input), "AssemblyScript");
            }
        }
    }

    [AssemblyScriptFact]
    public void A_missing_member_with_a_default_takes_the_default_system_text_json_gives_it()
    {
        Assert.Equal("""{"deleted":true}""", _.RoundTrip("delete_post_result", "{}"u8.ToArray()));
        Assert.Equal("""{"text":"t","media_urls":[],"hashtags":[]}""", _.RoundTrip("publish_request", """{"text":"t"}"""u8.ToArray()));
    }

    [AssemblyScriptTheory]
    [MemberData(nameof(CodecPropertyTests.Rejected), MemberType = typeof(CodecPropertyTests))]
    public void The_assemblyscript_reader_rejects_what_system_text_json_rejects(string type, string json)
        => Rejects(type, Encoding.UTF8.GetBytes(json));

    [AssemblyScriptTheory]
    [MemberData(nameof(CodecPropertyTests.BadUtf8), MemberType = typeof(CodecPropertyTests))]
    public void The_assemblyscript_reader_rejects_invalid_utf8_and_raw_control_characters_as_system_text_json_does(string hex)
    {
        byte[] bad = Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal));
        byte[] input = [.. "{\"id\":\"a"u8.ToArray(), .. bad, .. "\",\"name\":\"b\",\"version\":\"c\"}"u8.ToArray()];
        Rejects("plugin_metadata", input);
    }

    [AssemblyScriptFact]
    public void Nesting_is_read_to_64_levels_and_refused_beyond_as_system_text_json_does()
    {
        static byte[] Nested(int depth)
            => Encoding.UTF8.GetBytes("{\"text\":\"t\",\"metadata\":" + string.Concat(Enumerable.Repeat("{\"a\":", depth - 2)) + "{}" + new string('}', depth - 2) + "}");

        JsonSerializer.Deserialize(Nested(64), SocialScaleJsonContext.Default.GetTypeInfo(typeof(PublishRequest))!);
        Assert.NotNull(_.RoundTrip("publish_request", Nested(64)));
        Rejects("publish_request", Nested(65));
    }

    [AssemblyScriptFact]
    public void Text_with_a_lone_surrogate_is_refused_by_the_writer_never_written_as_invalid_utf8()
        => Assert.Equal(-2, _.Instance.GetFunction<long>("lone_surrogate")!());

    [AssemblyScriptFact]
    public void Host_functions_answer_typed_values_and_statuses_and_malformed_answers_as_malformed()
    {
        Func<int> storeGet = _.Instance.GetFunction<int>("host_store_get")!;
        Func<int> http = _.Instance.GetFunction<int>("host_http")!;
        Func<int> credential = _.Instance.GetFunction<int>("host_credential")!;

        _.HostText = "abc";
        Assert.Equal(3, storeGet());
        Assert.Equal("key", _.HostRequest);
        _.HostText = string.Empty;
        Assert.Equal(0, storeGet()); // a present empty value (host status codes)
        _.HostText = null;
        _.HostAnswer = -3;
        Assert.Equal(-3, storeGet()); // RateLimited
        _.HostAnswer = -77;
        Assert.Equal(-100, storeGet()); // an unknown negative answer is Malformed

        _.HostText = """{"status":201,"headers":{"a":"b"},"body":"x"}""";
        Assert.Equal(201, http());
        Assert.Equal("""{"url":"https://example.test/é"}""", _.HostRequest);
        _.HostText = """{"status":"201"}""";
        Assert.Equal(-100, http());
        _.HostText = """{"status":201} trailing""";
        Assert.Equal(-100, http());
        _.HostText = null;
        _.HostAnswer = -2;
        Assert.Equal(-2, http());

        _.HostText = """{"access_token":"tok\u00e9n"}""";
        Assert.Equal(5, credential());
        _.HostText = """{"refresh_token":"r"}""";
        Assert.Equal(-100, credential());

        _.HostText = "cfg";
        Assert.Equal(3, _.Instance.GetFunction<int>("host_void")!());
        Assert.Equal("""{"a":1}""", _.HostRequest);
    }

    private void Rejects(string type, byte[] input)
    {
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize(input, SocialScaleJsonContext.Default.GetTypeInfo(CodecPropertyTests.ClrType(type))!));
        Assert.Null(_.RoundTrip(type, input));
    }
}

/// <summary>codec-harness.ts on freshly generated SocialScale bindings, built and instantiated once for all the codec tests.</summary>
public sealed class AssemblyScriptCodecHarness : IDisposable
{
    private readonly CliHarness _cli = new();
    private readonly Engine _engine = new();
    private readonly Store _store;
    private readonly Instance _instance;

    /// <summary>The harness instance.</summary>
    public Instance Instance => _instance;
    private readonly Memory _memory;
    private readonly Func<int, int> _alloc;

    /// <summary>What the next data-returning host function answers when <see cref="HostText"/> is null: a status.</summary>
    public long HostAnswer { get; set; }

    /// <summary>What the next data-returning host function answers, copied in with the plugin's alloc; null for <see cref="HostAnswer"/>.</summary>
    public string? HostText { get; set; }

    /// <summary>The last argument a host function received, as text.</summary>
    public string HostRequest { get; private set; } = string.Empty;

    public AssemblyScriptCodecHarness()
    {
        _store = new Store(_engine);
        if (AssemblyScriptToolchain.Folder is null)
        {
            _instance = null!;
            _memory = null!;
            _alloc = null!;
            return;
        }

        string folder = Path.Combine(_cli.Root, "codec");
        CliResult generated = _cli.RunAsync("bindings", "--profile", "socialscale", "--lang", "assemblyscript", "--out", Path.Combine(folder, "bindings")).GetAwaiter().GetResult();
        Assert.True(generated.ExitCode == 0, generated.ToString());
        File.Copy(Path.Combine(CliHarness.RepositoryRoot, "tests", "Airlock.Cli.Tests", "GuestBindings", "codec-harness.ts"), Path.Combine(folder, "codec-harness.ts"));
        (int code, string log) = AssemblyScriptToolchain.Asc(folder, "codec-harness.ts", "-O3", "--use", "abort=", "--noColors", "-o", "codec.wasm");
        Assert.True(code == 0, log);
        using var module = Module.FromFile(_engine, Path.Combine(folder, "codec.wasm"));
        using var linker = new Linker(_engine);
        linker.Define("env", "host_log", Function.FromCallback(_store, (Caller caller, int level, int ptr, int len) => { HostRequest = Text(caller, ptr, len); }));
        linker.Define("env", "host_store_set", Function.FromCallback(_store, (int keyPtr, int keyLen, int valuePtr, int valueLen) => { }));
        linker.Define("env", "host_emit_event", Function.FromCallback(_store, (Caller caller, int ptr, int len) => { HostRequest = Text(caller, ptr, len); }));
        linker.Define("env", "host_store_get", Function.FromCallback(_store, (Caller caller, int ptr, int len) => Answer(caller, Text(caller, ptr, len))));
        linker.Define("env", "host_http_request", Function.FromCallback(_store, (Caller caller, int ptr, int len) => Answer(caller, Text(caller, ptr, len))));
        linker.Define("env", "host_credential_get", Function.FromCallback(_store, (Caller caller) => Answer(caller, null)));
        linker.Define("env", "host_config_get", Function.FromCallback(_store, (Caller caller) => Answer(caller, null)));
        _instance = linker.Instantiate(_store, module);
        _memory = _instance.GetMemory("memory")!;
        _alloc = _instance.GetFunction<int, int>("alloc")!;
    }

    public void Dispose()
    {
        _store.Dispose();
        _engine.Dispose();
        _cli.Dispose();
    }

    private static string Text(Caller caller, int ptr, int len) => Encoding.UTF8.GetString(caller.GetMemory("memory")!.GetSpan(ptr, len));

    private long Answer(Caller caller, string? request)
    {
        HostRequest = request ?? HostRequest;
        if (HostText is null)
        {
            return HostAnswer;
        }

        byte[] bytes = Encoding.UTF8.GetBytes(HostText);
        if (bytes.Length == 0)
        {
            return 0;
        }

        int ptr = caller.GetFunction("alloc")!.WrapFunc<int, int>()!(bytes.Length);
        bytes.CopyTo(caller.GetMemory("memory")!.GetSpan(ptr, bytes.Length));
        return ((long)ptr << 32) | (uint)bytes.Length;
    }

    /// <summary>The AssemblyScript round trip of one value: its JSON text, or null when the reader rejected it.</summary>
    public string? RoundTrip(string type, byte[] input)
    {
        Func<int, int, long> export = _instance.GetFunction<int, int, long>("rt_" + type) ?? throw new InvalidOperationException("no rt_" + type);
        int ptr = input.Length == 0 ? 0 : _alloc(input.Length);
        input.CopyTo(_memory.GetSpan(ptr, input.Length));
        long packed = export(ptr, input.Length);
        Assert.NotEqual(-2, packed);
        if (packed == -1)
        {
            return null;
        }

        int outPtr = (int)((ulong)packed >> 32);
        int outLen = (int)(packed & 0xFFFFFFFF);
        return new UTF8Encoding(false, true).GetString(_memory.GetSpan(outPtr, outLen));
    }
}
