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
    public string? RoundTrip(string type, byte[] input) => CodecPropertyTests.HarnessRoundTrip(_instance, _memory, _alloc, type, input);
}

/// <summary>
/// The generated AssemblyScript JSON codecs of the Lesstruct (fixed-offset ABI) and Driftless (wasm-bindgen convention)
/// contracts against System.Text.Json on generated payloads of every one of their payload types, and the fixed-offset
/// host-function wrappers against frames the host writes at 4096: values, statuses and garbage (codec-harness-abis.ts).
/// </summary>
public sealed class AssemblyScriptAbiCodecPropertyTests(AssemblyScriptAbiCodecHarness harness) : IClassFixture<AssemblyScriptAbiCodecHarness>
{
    private readonly AssemblyScriptAbiCodecHarness _ = harness;

    private static JsonElement Element(Random random) => JsonDocument.Parse(random.Next(4) switch
    {
        0 => "\"" + JsonEncodedText.Encode(CodecPropertyTests.Text(random)) + "\"",
        1 => CodecPropertyTests.Big(random).ToString(System.Globalization.CultureInfo.InvariantCulture),
        2 => """[1,"x",null,true,{"a":[]},-0.5e-3]""",
        _ => "{\"" + JsonEncodedText.Encode(CodecPropertyTests.Text(random)) + "\":{\"n\":" + CodecPropertyTests.Big(random).ToString(System.Globalization.CultureInfo.InvariantCulture) + "}}",
    }).RootElement.Clone();

    private static Dictionary<string, JsonElement> Elements(Random random, string prefix = "")
        => Enumerable.Range(0, random.Next(0, 4)).ToDictionary(i => prefix + CodecPropertyTests.Text(random) + i, _ => Element(random));

    private static Airlock.Contracts.Driftless.DriftlessLogEntry Entry(Random random)
        => new(CodecPropertyTests.Text(random), CodecPropertyTests.Maybe(random), CodecPropertyTests.Maybe(random), random.Next(3) == 0 ? null : Elements(random));

    /// <summary>
    /// Generated values of every Lesstruct payload type, by the harness's name of the type. HttpResponseData.BodyEncoding is
    /// left null: the shared contract model drops a member marked [JsonIgnore(Condition = WhenWritingNull)] in every language.
    /// </summary>
    internal static IEnumerable<(string Type, object Value)> LesstructPayloads(Random random)
    {
        yield return ("content_item", new Airlock.Contracts.Lesstruct.ContentItem
        {
            ContentId = CodecPropertyTests.Big(random),
            UserId = CodecPropertyTests.Big(random),
            Title = CodecPropertyTests.Text(random),
            Content = CodecPropertyTests.Text(random),
            Tags = CodecPropertyTests.Texts(random),
            Status = CodecPropertyTests.Text(random),
            PostType = CodecPropertyTests.Text(random),
            CustomFields = Elements(random),
        });
        yield return ("plugin_loaded_info", new Airlock.Contracts.Lesstruct.PluginLoadedInfo(CodecPropertyTests.Text(random), CodecPropertyTests.Text(random), CodecPropertyTests.Headers(random) ?? []));
        yield return ("content_hook_result", new Airlock.Contracts.Lesstruct.ContentHookResult { CustomFields = random.Next(3) == 0 ? null : Elements(random) });
        yield return ("host_result_http_response_data", random.Next(3) == 0
            ? Airlock.Contracts.Lesstruct.HostResult<Airlock.Contracts.Lesstruct.HttpResponseData>.Failure(CodecPropertyTests.Text(random), CodecPropertyTests.Text(random))
            : Airlock.Contracts.Lesstruct.HostResult<Airlock.Contracts.Lesstruct.HttpResponseData>.Success(new(random.Next(100, 600), CodecPropertyTests.Headers(random) ?? [], CodecPropertyTests.Text(random))));
        yield return ("host_result_db_query_data", random.Next(3) == 0
            ? Airlock.Contracts.Lesstruct.HostResult<Airlock.Contracts.Lesstruct.DbQueryData>.Failure(CodecPropertyTests.Text(random), CodecPropertyTests.Text(random))
            : Airlock.Contracts.Lesstruct.HostResult<Airlock.Contracts.Lesstruct.DbQueryData>.Success(new(CodecPropertyTests.Texts(random), [.. Enumerable.Range(0, random.Next(0, 3)).Select(i => new System.Text.Json.Nodes.JsonObject { ["c" + i] = CodecPropertyTests.Text(random), ["n"] = CodecPropertyTests.Big(random) })])));
        yield return ("host_result_db_exec_data", random.Next(3) == 0
            ? Airlock.Contracts.Lesstruct.HostResult<Airlock.Contracts.Lesstruct.DbExecData>.Failure(CodecPropertyTests.Text(random), CodecPropertyTests.Text(random))
            : Airlock.Contracts.Lesstruct.HostResult<Airlock.Contracts.Lesstruct.DbExecData>.Success(new(CodecPropertyTests.Big(random), CodecPropertyTests.Big(random))));
    }

    /// <summary>Generated values of every Driftless payload type, by the harness's name of the type (extension data included).</summary>
    internal static IEnumerable<(string Type, object Value)> DriftlessPayloads(Random random)
    {
        yield return ("driftless_definition_list", Enumerable.Range(0, random.Next(0, 4)).Select(_ => new Airlock.Contracts.Driftless.DriftlessDefinition(
            CodecPropertyTests.Text(random), CodecPropertyTests.Maybe(random), CodecPropertyTests.Maybe(random), random.Next(2) == 0 ? null : Element(random))
        { Extra = random.Next(2) == 0 ? null : Elements(random, "x_") }).ToList());
        yield return ("driftless_task_result", new Airlock.Contracts.Driftless.DriftlessTaskResult(random.Next(3) switch { 0 => null, 1 => true, _ => false }, CodecPropertyTests.Maybe(random)) { Extra = random.Next(2) == 0 ? null : Elements(random, "x_") });
        yield return ("driftless_facts_result", new Airlock.Contracts.Driftless.DriftlessFactsResult(Element(random)));
        yield return ("driftless_value_result", new Airlock.Contracts.Driftless.DriftlessValueResult(Element(random)));
        yield return ("driftless_log_source_result", new Airlock.Contracts.Driftless.DriftlessLogSourceResult(CodecPropertyTests.Texts(random)));
        yield return ("driftless_log_parse_result", new Airlock.Contracts.Driftless.DriftlessLogParseResult(Entry(random)));
        yield return ("driftless_log_filter_result", new Airlock.Contracts.Driftless.DriftlessLogFilterResult(random.Next(2) == 0));
        yield return ("driftless_log_output_result", new Airlock.Contracts.Driftless.DriftlessLogOutputResult(CodecPropertyTests.Text(random)));
        yield return ("driftless_log_entry", Entry(random));
    }

    [AssemblyScriptFact]
    public void The_codecs_round_trip_generated_values_of_every_lesstruct_and_driftless_type_as_system_text_json_reads_them()
    {
        var random = new Random(1919);
        for (int i = 0; i < 100; i++)
        {
            foreach ((string type, object value) in LesstructPayloads(random))
            {
                CodecPropertyTests.AgreesOn(type, value, input => _.RoundTrip(type, input), "AssemblyScript (Lesstruct)", Airlock.Contracts.Lesstruct.LesstructJsonContext.Default);
            }

            foreach ((string type, object value) in DriftlessPayloads(random))
            {
                CodecPropertyTests.AgreesOn(type, value, input => _.RoundTrip(type, input), "AssemblyScript (Driftless)", Airlock.Contracts.Driftless.DriftlessJsonContext.Default);
            }
        }
    }

    [AssemblyScriptFact]
    public void Extension_data_is_read_and_written_after_the_members_as_system_text_json_does()
        => Assert.Equal("""{"name":"n","x_a":[1,{"b":"é"}],"x_\"q":null}""", _.RoundTrip("driftless_definition_list", """[{"x_a":[1,{"b":"é"}],"name":"n","x_\"q":null}]"""u8.ToArray())!.TrimStart('[').TrimEnd(']'));

    public static TheoryData<string, string> Rejected => new()
    {
        { "content_item", """{"contentId":1.5}""" },
        { "content_item", """{"contentId":"1"}""" },
        { "content_item", """{"title":null}""" },
        { "content_item", """{"customFields":[]}""" },
        { "content_item", """{"tags":"a"}""" },
        { "content_hook_result", """{"customFields":{"a":}}""" },
        { "host_result_db_exec_data", """{"ok":true,"data":{"rowsAffected":9223372036854775808}}""" },
        { "host_result_db_query_data", """{"ok":true,"data":{"columns":[],"rows":{}}}""" },
        { "driftless_definition_list", """[{"name":"a"},]""" },
        { "driftless_definition_list", """{"name":"a"}""" },
        { "driftless_log_filter_result", """{"keep":"yes"}""" },
        { "driftless_log_source_result", """{"lines":"x"}""" },
        { "driftless_log_entry", """{"message":"m","fields":[]}""" },
        { "driftless_log_entry", """{"message":"m\ud800"}""" },
    };

    [AssemblyScriptTheory]
    [MemberData(nameof(Rejected))]
    public void The_readers_reject_what_system_text_json_rejects(string type, string json)
    {
        byte[] input = Encoding.UTF8.GetBytes(json);
        System.Text.Json.Serialization.Metadata.JsonTypeInfo info = type.StartsWith("driftless", StringComparison.Ordinal)
            ? Airlock.Contracts.Driftless.DriftlessJsonContext.Default.GetTypeInfo(DriftlessPayloads(new Random(1)).First(p => p.Type == type).Value.GetType())!
            : Airlock.Contracts.Lesstruct.LesstructJsonContext.Default.GetTypeInfo(LesstructPayloads(new Random(1)).First(p => p.Type == type).Value.GetType())!;
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize(input, info));
        Assert.Null(_.RoundTrip(type, input));
    }

    [AssemblyScriptFact]
    public void Fixed_offset_host_functions_read_the_frame_at_the_result_offset_and_answer_statuses_and_garbage_as_malformed()
    {
        Func<long> dbExec = _.Instance.GetFunction<long>("host_db_exec")!;
        _.Frame = """{"ok":true,"data":{"rowsAffected":3,"lastInsertId":7}}""";
        Assert.Equal(3, dbExec());
        Assert.Equal("DELETE FROM \"t\" -- é|[1,\"x\"]", _.HostRequest);
        _.Frame = """{"ok":false,"error":{"code":"denied","message":"m"}}""";
        Assert.Equal(1006, dbExec());

        _.Frame = null;
        _.Answer = -2;
        Assert.Equal(-2, dbExec()); // PermissionDenied
        _.Answer = -77;
        Assert.Equal(-100, dbExec()); // an unknown negative answer is Malformed
        _.Answer = 0;
        Assert.Equal(-1, dbExec()); // no value: NotFound

        _.Frame = """{"ok":true,"data":{"rowsAffected":3,"lastInsertId":7}}""";
        _.Answer = 4100;
        Assert.Equal(-100, dbExec()); // a frame anywhere but the contract's result offset
        _.Answer = 4096;
        _.FrameLength = 0xFFFFFFF0;
        Assert.Equal(-100, dbExec()); // a length beyond memory
        _.FrameLength = null;
        _.Frame = """{"ok":true,"data":{"rowsAffected":"3"}}""";
        Assert.Equal(-100, dbExec());
        _.Frame = """{"ok":true} x""";
        Assert.Equal(-100, dbExec());

        _.Frame = """{"ok":true,"data":{"status":201,"headers":{},"body":"é😀"}}""";
        Assert.Equal(3201, _.Instance.GetFunction<long>("host_http_get")!());
        Assert.Equal("https://example.test/é|{\"a\":\"b \\\"c\\\"\"}", _.HostRequest);
    }
}

/// <summary>codec-harness-abis.ts on freshly generated Lesstruct and Driftless bindings, built once (at --memoryBase 1114112) for the tests.</summary>
public sealed class AssemblyScriptAbiCodecHarness : IDisposable
{
    private const int ResultOffset = 4096;
    private readonly CliHarness _cli = new();
    private readonly Engine _engine = new();
    private readonly Store _store;
    private readonly Instance _instance;
    private readonly Memory _memory;
    private readonly Func<int, int> _alloc;

    /// <summary>The harness instance.</summary>
    public Instance Instance => _instance;

    /// <summary>The frame the next fixed-offset host function writes at 4096, or null for none.</summary>
    public string? Frame { get; set; }

    /// <summary>The length the frame claims, when not the frame's own.</summary>
    public uint? FrameLength { get; set; }

    /// <summary>What the next host function answers (4096 for a frame, 0 for no value, a negative status).</summary>
    public int Answer { get; set; } = ResultOffset;

    /// <summary>The last arguments a host function received, as text joined by '|'.</summary>
    public string HostRequest { get; private set; } = string.Empty;

    public AssemblyScriptAbiCodecHarness()
    {
        _store = new Store(_engine);
        if (AssemblyScriptToolchain.Folder is null)
        {
            _instance = null!;
            _memory = null!;
            _alloc = null!;
            return;
        }

        string folder = Path.Combine(_cli.Root, "codec-abis");
        foreach (string profile in new[] { "lesstruct", "driftless" })
        {
            CliResult generated = _cli.RunAsync("bindings", "--profile", profile, "--lang", "assemblyscript", "--out", Path.Combine(folder, profile)).GetAwaiter().GetResult();
            Assert.True(generated.ExitCode == 0, generated.ToString());
        }

        File.Copy(Path.Combine(CliHarness.RepositoryRoot, "tests", "Airlock.Cli.Tests", "GuestBindings", "codec-harness-abis.ts"), Path.Combine(folder, "codec-harness-abis.ts"));
        (int code, string log) = AssemblyScriptToolchain.Asc(folder, "codec-harness-abis.ts", "-O3", "--use", "abort=", "--noColors", "--memoryBase", "1114112", "-o", "codec.wasm");
        Assert.True(code == 0, log);
        using var module = Module.FromFile(_engine, Path.Combine(folder, "codec.wasm"));
        using var linker = new Linker(_engine);
        linker.Define("lesstruct", "db_exec", Function.FromCallback(_store, (Caller caller, int sqlPtr, int sqlLen, int paramsPtr, int paramsLen) => Write(caller, Text(caller, sqlPtr, sqlLen) + "|" + Text(caller, paramsPtr, paramsLen))));
        linker.Define("lesstruct", "http_get", Function.FromCallback(_store, (Caller caller, int urlPtr, int urlLen, int headersPtr, int headersLen) => Write(caller, Text(caller, urlPtr, urlLen) + "|" + Text(caller, headersPtr, headersLen))));
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

    // As the Lesstruct host does: the frame (u32 length, the bytes, a 0 byte) at the result offset, and its address.
    private int Write(Caller caller, string request)
    {
        HostRequest = request;
        if (Frame is not null)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(Frame);
            Span<byte> at = caller.GetMemory("memory")!.GetSpan(ResultOffset, 4 + bytes.Length + 1);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(at, FrameLength ?? (uint)bytes.Length);
            bytes.CopyTo(at[4..]);
            at[4 + bytes.Length] = 0;
        }

        return Answer;
    }

    /// <summary>The AssemblyScript round trip of one value: its JSON text, or null when the reader rejected it.</summary>
    public string? RoundTrip(string type, byte[] input) => CodecPropertyTests.HarnessRoundTrip(_instance, _memory, _alloc, type, input);
}
