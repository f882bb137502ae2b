using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Airlock.Contracts.Driftless;
using Airlock.Contracts.Lesstruct;
using Airlock.Contracts.SocialScale;
using Wasmtime;

namespace Airlock.Cli.Tests.GuestBindings;

/// <summary>
/// The generated Rust serde codec against System.Text.Json on the generated payloads of <see cref="CodecPropertyTests"/>:
/// what System.Text.Json writes (escaped or raw UTF-8) the Rust reader reads, what the Rust writer writes System.Text.Json
/// reads back to an equal value, and the Rust reader rejects what System.Text.Json rejects. One module, one instance, many
/// payloads (<c>codec-harness.rs</c> on a crate made by <c>airlock new socialscale --lang rust</c>). The same for the payload
/// types of the Lesstruct (fixed-offset) and Driftless (wasm-bindgen) contracts, with their own contexts' naming and null
/// handling (<c>codec-harness-abis.rs</c>, one more module).
/// </summary>
public sealed class RustCodecPropertyTests : IDisposable
{
    private static readonly Lazy<byte[]> Module = new(Build);
    private static readonly Lazy<byte[]> AbiModule = new(BuildAbis);
    private readonly Engine _engine = new();
    private readonly Store _store;
    private readonly Instance _instance;
    private readonly Memory _memory;
    private readonly Func<int, int> _alloc;

    public RustCodecPropertyTests()
    {
        _store = new Store(_engine);
        if (!Cargo.Available)
        {
            _instance = null!;
            _memory = null!;
            _alloc = null!;
            return;
        }

        using var module = Wasmtime.Module.FromBytes(_engine, "codec", Module.Value);
        using var linker = new Linker(_engine);
        _instance = linker.Instantiate(_store, module);
        _memory = _instance.GetMemory("memory")!;
        _alloc = _instance.GetFunction<int, int>("alloc")!;
    }

    public void Dispose()
    {
        _abis?.Store.Dispose();
        _store.Dispose();
        _engine.Dispose();
    }

    private static byte[] Build()
    {
        using var cli = new CliHarness();
        string folder = Path.Combine(cli.Root, "codec");
        CliResult created = cli.RunAsync("new", "socialscale", "--lang", "rust", "--name", "codec", "--out", folder).GetAwaiter().GetResult();
        Assert.True(created.ExitCode == 0, created.ToString());
        File.Copy(Path.Combine(CliHarness.RepositoryRoot, "tests", "Airlock.Cli.Tests", "GuestBindings", "codec-harness.rs"), Path.Combine(folder, "src", "lib.rs"), overwrite: true);
        (int code, string log) = Cargo.Run("bash", folder, "build.sh");
        Assert.True(code == 0, log);
        return File.ReadAllBytes(Path.Combine(folder, "codec.wasm"));
    }

    /// <summary>The Rust round trip of one value: its JSON text, or null when the Rust reader rejected it.</summary>
    private string? RoundTrip(string type, byte[] input) => CodecPropertyTests.HarnessRoundTrip(_instance, _memory, _alloc, type, input);

    private void AgreesOn(string type, object value) => CodecPropertyTests.AgreesOn(type, value, input => RoundTrip(type, input), "Rust");

    [CargoFact]
    public void The_rust_codec_round_trips_generated_values_of_every_tested_type_as_system_text_json_reads_them()
    {
        var random = new Random(19);
        for (int i = 0; i < 150; i++)
        {
            foreach ((string type, object value) in CodecPropertyTests.Payloads(random))
            {
                AgreesOn(type, value);
            }
        }
    }

    [CargoFact]
    public void A_missing_member_with_a_default_takes_the_default_system_text_json_gives_it()
    {
        Assert.Equal("""{"deleted":true}""", RoundTrip("delete_post_result", "{}"u8.ToArray()));
        Assert.Equal("""{"text":"t","media_urls":[],"hashtags":[]}""", RoundTrip("publish_request", """{"text":"t"}"""u8.ToArray()));
    }

    [CargoTheory]
    [MemberData(nameof(CodecPropertyTests.Rejected), MemberType = typeof(CodecPropertyTests))]
    public void The_rust_reader_rejects_what_system_text_json_rejects(string type, string json)
        => Rejects(type, Encoding.UTF8.GetBytes(json));

    [CargoTheory]
    [MemberData(nameof(CodecPropertyTests.BadUtf8), MemberType = typeof(CodecPropertyTests))]
    public void The_rust_reader_rejects_invalid_utf8_and_raw_control_characters_as_system_text_json_does(string hex)
    {
        byte[] bad = Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal));
        byte[] input = [.. "{\"id\":\"a"u8.ToArray(), .. bad, .. "\",\"name\":\"b\",\"version\":\"c\"}"u8.ToArray()];
        Rejects("plugin_metadata", input);
    }

    [CargoFact]
    public void Nesting_is_read_to_64_levels_and_refused_beyond_as_system_text_json_does()
    {
        static byte[] Nested(int depth)
            => Encoding.UTF8.GetBytes("{\"text\":\"t\",\"metadata\":" + string.Concat(Enumerable.Repeat("{\"a\":", depth - 2)) + "{}" + new string('}', depth - 2) + "}");

        byte[] deepest = Nested(64);
        JsonSerializer.Deserialize(deepest, SocialScaleJsonContext.Default.GetTypeInfo(typeof(PublishRequest))!);
        Assert.NotNull(RoundTrip("publish_request", deepest));
        Rejects("publish_request", Nested(65));
    }

    [CargoFact]
    public void A_member_or_header_given_twice_keeps_its_last_value_as_system_text_json_does()
    {
        foreach ((string type, string json) in new[]
        {
            ("plugin_metadata", """{"id":"a","id":"b","name":"b","version":"c"}"""),
            ("host_http_request", """{"url":"u","headers":{"a":"1","b":"1","a":"2"}}"""),
        })
        {
            JsonTypeInfo info = SocialScaleJsonContext.Default.GetTypeInfo(CodecPropertyTests.ClrType(type))!;
            string expected = JsonSerializer.Serialize(JsonSerializer.Deserialize(json, info), info);
            string? written = RoundTrip(type, Encoding.UTF8.GetBytes(json));
            Assert.NotNull(written);
            Assert.Equal(expected, JsonSerializer.Serialize(JsonSerializer.Deserialize(written, info), info));
        }
    }

    private void Rejects(string type, byte[] input)
    {
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize(input, SocialScaleJsonContext.Default.GetTypeInfo(CodecPropertyTests.ClrType(type))!));
        Assert.Null(RoundTrip(type, input));
    }

    // ---- the Lesstruct and Driftless payload types ----

    private sealed record AbiInstance(Store Store, Instance Instance, Memory Memory, Func<int, int> Alloc);

    private AbiInstance? _abis;

    private static byte[] BuildAbis()
    {
        using var cli = new CliHarness();
        string folder = Path.Combine(cli.Root, "codec-abis");
        CliResult created = cli.RunAsync("new", "driftless", "--lang", "rust", "--name", "codec-abis", "--out", folder).GetAwaiter().GetResult();
        Assert.True(created.ExitCode == 0, created.ToString());
        CliResult lesstruct = cli.RunAsync("bindings", "--profile", "lesstruct", "--lang", "rust", "--out", Path.Combine(folder, "src")).GetAwaiter().GetResult();
        Assert.True(lesstruct.ExitCode == 0, lesstruct.ToString());
        File.Copy(Path.Combine(CliHarness.RepositoryRoot, "tests", "Airlock.Cli.Tests", "GuestBindings", "codec-harness-abis.rs"), Path.Combine(folder, "src", "lib.rs"), overwrite: true);
        (int code, string log) = Cargo.Run("bash", folder, "build.sh");
        Assert.True(code == 0, log);
        return File.ReadAllBytes(Path.Combine(folder, "codec-abis.wasm"));
    }

    private AbiInstance Abis()
    {
        if (_abis is null)
        {
            var store = new Store(_engine);
            using var module = Wasmtime.Module.FromBytes(_engine, "codec-abis", AbiModule.Value);
            using var linker = new Linker(_engine);
            Instance instance = linker.Instantiate(store, module);
            _abis = new AbiInstance(store, instance, instance.GetMemory("memory")!, instance.GetFunction<int, int>("__wbindgen_malloc")!);
        }

        return _abis;
    }

    /// <summary>The Rust round trip of one Lesstruct or Driftless value: its JSON text, or null when the reader rejected it.</summary>
    private string? AbiRoundTrip(string type, byte[] input)
    {
        AbiInstance abis = Abis();
        return CodecPropertyTests.HarnessRoundTrip(abis.Instance, abis.Memory, abis.Alloc, type, input);
    }

    private static JsonSerializerContext ContextOf(string type) => type.StartsWith("driftless_", StringComparison.Ordinal) ? DriftlessJsonContext.Default : LesstructJsonContext.Default;

    /// <summary>What System.Text.Json writes (escaped and raw UTF-8) the Rust reader reads, and what it writes back reads to an equal value.</summary>
    private void AbiAgreesOn(string type, object value)
    {
        JsonSerializerContext context = ContextOf(type);
        JsonTypeInfo info = context.GetTypeInfo(value.GetType())!;
        var raw = new JsonSerializerOptions(context.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        string expected = JsonSerializer.Serialize(value, info);
        foreach (byte[] input in new[] { JsonSerializer.SerializeToUtf8Bytes(value, info), JsonSerializer.SerializeToUtf8Bytes(value, value.GetType(), raw) })
        {
            string? written = AbiRoundTrip(type, input);
            Assert.True(written is not null, $"The Rust reader rejected what System.Text.Json wrote for {type}: {Encoding.UTF8.GetString(input)}");
            object back = JsonSerializer.Deserialize(written, info)!;
            Assert.Equal(expected, JsonSerializer.Serialize(back, info));
        }
    }

    private static JsonElement Element(Random random) => random.Next(5) switch
    {
        0 => JsonSerializer.SerializeToElement(CodecPropertyTests.Text(random)),
        1 => JsonSerializer.SerializeToElement(CodecPropertyTests.Big(random)),
        2 => JsonSerializer.SerializeToElement(new JsonArray(1.5, "x", null, true, new JsonObject())),
        3 => JsonSerializer.SerializeToElement(new JsonObject { ["k" + CodecPropertyTests.Text(random)] = CodecPropertyTests.Text(random), ["n"] = CodecPropertyTests.Big(random), ["deep"] = new JsonObject { ["a"] = new JsonArray() } }),
        _ => JsonSerializer.SerializeToElement<object?>(null),
    };

    // Keys of extension data and custom fields: "x" first, so none is a member the type names (or Driftless's "status").
    private static Dictionary<string, JsonElement> Fields(Random random)
        => Enumerable.Range(0, random.Next(0, 4)).Select(i => (Key: "x" + CodecPropertyTests.Text(random) + i, Value: Element(random))).ToDictionary(p => p.Key, p => p.Value);

    private static List<string> Texts(Random random) => [.. Enumerable.Range(0, random.Next(0, 4)).Select(_ => CodecPropertyTests.Text(random))];

    private static DriftlessLogEntry Entry(Random random)
        => new(CodecPropertyTests.Text(random), CodecPropertyTests.Maybe(random), CodecPropertyTests.Maybe(random), random.Next(3) == 0 ? null : Fields(random));

    /// <summary>Generated values of every Lesstruct and Driftless payload type, by the harness's name of the type.</summary>
    private static IEnumerable<(string Type, object Value)> AbiPayloads(Random random)
    {
        yield return ("content_item", new ContentItem
        {
            ContentId = CodecPropertyTests.Big(random),
            UserId = CodecPropertyTests.Big(random),
            Title = CodecPropertyTests.Text(random),
            Content = CodecPropertyTests.Text(random),
            Tags = Texts(random),
            Status = CodecPropertyTests.Text(random),
            PostType = CodecPropertyTests.Text(random),
            CustomFields = Fields(random),
        });
        yield return ("content_hook_result", new ContentHookResult { CustomFields = random.Next(3) == 0 ? null : Fields(random) });
        yield return ("plugin_loaded_info", new PluginLoadedInfo(CodecPropertyTests.Text(random), CodecPropertyTests.Text(random), Enumerable.Range(0, random.Next(0, 4)).ToDictionary(i => CodecPropertyTests.Text(random) + i, _ => CodecPropertyTests.Text(random))));
        HostError Error() => new(CodecPropertyTests.Text(random), CodecPropertyTests.Text(random));
        Dictionary<string, string> headers = Enumerable.Range(0, random.Next(0, 4)).ToDictionary(i => CodecPropertyTests.Text(random) + i, _ => CodecPropertyTests.Text(random));
        yield return ("host_result_http_response_data", random.Next(2) == 0
            ? HostResult<HttpResponseData>.Success(new HttpResponseData(random.Next(), headers, CodecPropertyTests.Text(random), CodecPropertyTests.Maybe(random)))
            : new HostResult<HttpResponseData> { Ok = false, Error = Error() });
        yield return ("host_result_db_query_data", random.Next(2) == 0
            ? HostResult<DbQueryData>.Success(new DbQueryData(Texts(random), [.. Enumerable.Range(0, random.Next(0, 3)).Select(_ => new JsonObject { ["id"] = CodecPropertyTests.Big(random), ["name"] = CodecPropertyTests.Text(random), ["none"] = null })]))
            : new HostResult<DbQueryData> { Ok = false, Error = Error() });
        yield return ("host_result_db_exec_data", random.Next(2) == 0
            ? HostResult<DbExecData>.Success(new DbExecData(CodecPropertyTests.Big(random), CodecPropertyTests.Big(random)))
            : new HostResult<DbExecData> { Ok = false, Error = Error() });

        yield return ("driftless_definition", new DriftlessDefinition(CodecPropertyTests.Text(random), CodecPropertyTests.Maybe(random), CodecPropertyTests.Maybe(random), random.Next(3) == 0 ? null : JsonSerializer.SerializeToElement(new JsonObject { ["type"] = "object", ["title"] = CodecPropertyTests.Text(random) }))
        {
            Extra = random.Next(3) == 0 ? null : Fields(random),
        });
        yield return ("driftless_task_result", new DriftlessTaskResult(random.Next(3) == 0 ? null : random.Next(2) == 0, CodecPropertyTests.Maybe(random)) { Extra = random.Next(3) == 0 ? null : Fields(random) });
        yield return ("driftless_facts_result", new DriftlessFactsResult(JsonSerializer.SerializeToElement(Fields(random))));
        yield return ("driftless_value_result", new DriftlessValueResult(Element(random)));
        yield return ("driftless_log_source_result", new DriftlessLogSourceResult(Texts(random)));
        yield return ("driftless_log_parse_result", new DriftlessLogParseResult(Entry(random)));
        yield return ("driftless_log_filter_result", new DriftlessLogFilterResult(random.Next(2) == 0));
        yield return ("driftless_log_output_result", new DriftlessLogOutputResult(CodecPropertyTests.Text(random)));
        yield return ("driftless_log_entry", Entry(random));
    }

    private static Type AbiClrType(string type) => type switch
    {
        "content_item" => typeof(ContentItem),
        "content_hook_result" => typeof(ContentHookResult),
        "plugin_loaded_info" => typeof(PluginLoadedInfo),
        "host_result_db_exec_data" => typeof(HostResult<DbExecData>),
        "host_result_db_query_data" => typeof(HostResult<DbQueryData>),
        "driftless_definition" => typeof(DriftlessDefinition),
        "driftless_task_result" => typeof(DriftlessTaskResult),
        "driftless_log_filter_result" => typeof(DriftlessLogFilterResult),
        "driftless_log_source_result" => typeof(DriftlessLogSourceResult),
        _ => typeof(DriftlessLogEntry),
    };

    [CargoFact]
    public void The_rust_codec_round_trips_generated_lesstruct_and_driftless_values_as_system_text_json_reads_them()
    {
        var random = new Random(1919);
        for (int i = 0; i < 120; i++)
        {
            foreach ((string type, object value) in AbiPayloads(random))
            {
                AbiAgreesOn(type, value);
            }
        }
    }

    [CargoFact]
    public void Lesstruct_and_driftless_defaults_nulls_and_extension_data_read_as_system_text_json_reads_them()
    {
        foreach ((string type, string json) in new[]
        {
            ("content_item", """{"contentId":1,"userId":2,"title":"","content":"","tags":[],"status":"draft","postType":"post","customFields":{}}"""),
            ("content_hook_result", "{}"),
            ("content_hook_result", """{"customFields":null}"""),
            ("host_result_db_exec_data", """{"ok":true,"data":{"rowsAffected":9223372036854775807,"lastInsertId":-9223372036854775808},"error":null}"""),
            ("driftless_definition", """{"name":"n","args_schema":{"type":"array"},"type":null,"x":[1,{"y":"\u00e9\ud83d\ude00"}]}"""),
            ("driftless_task_result", """{"changed":true,"content":"c","path":"/p"}"""),
            ("driftless_log_entry", """{"message":"","fields":{}}"""),
        })
        {
            JsonTypeInfo info = ContextOf(type).GetTypeInfo(AbiClrType(type))!;
            string expected = JsonSerializer.Serialize(JsonSerializer.Deserialize(json, info), info);
            string? written = AbiRoundTrip(type, Encoding.UTF8.GetBytes(json));
            Assert.True(written is not null, $"{type}: the Rust reader rejected {json}");
            Assert.Equal(expected, JsonSerializer.Serialize(JsonSerializer.Deserialize(written, info), info));
        }
    }

    public static TheoryData<string, string> AbiRejected => new()
    {
        { "content_item", """{"contentId":1.5}""" },
        { "content_item", """{"contentId":9223372036854775808}""" },
        { "content_item", """{"contentId":"1"}""" },
        { "content_item", """{"title":null}""" },
        { "content_item", """{"tags":[1]}""" },
        { "content_item", """{"tags":"a"}""" },
        { "content_item", """{"title":"t",}""" },
        { "content_item", """{"title":"a\ud800"}""" },
        { "content_item", """{} {}""" },
        { "content_item", "" },
        { "plugin_loaded_info", """{"name":"n","version":"v","config":{"a":1}}""" },
        { "host_result_db_exec_data", """{"ok":1}""" },
        { "host_result_db_query_data", """{"ok":true,"data":{"columns":[],"rows":{}}}""" },
        { "host_result_db_query_data", """{"ok":true,"data":{"columns":[],"rows":null}}""" },
        { "host_result_db_exec_data", """{"ok":true,"data":{"rowsAffected":1e3,"lastInsertId":0}}""" },
        { "driftless_definition", """{"name":null}""" },
        { "driftless_definition", """[]""" },
        { "driftless_log_filter_result", """{"keep":"yes"}""" },
        { "driftless_log_filter_result", """{"keep":null}""" },
        { "driftless_log_source_result", """{"lines":[1]}""" },
        { "driftless_log_entry", """{"message":null}""" },
        { "driftless_log_entry", """{"message":"m","level":1}""" },
        { "driftless_task_result", """{"changed":"yes"}""" },
    };

    [CargoTheory]
    [MemberData(nameof(AbiRejected))]
    public void The_rust_reader_rejects_lesstruct_and_driftless_payloads_system_text_json_rejects(string type, string json)
        => AbiRejects(type, Encoding.UTF8.GetBytes(json));

    [CargoTheory]
    [MemberData(nameof(CodecPropertyTests.BadUtf8), MemberType = typeof(CodecPropertyTests))]
    public void The_rust_reader_rejects_invalid_utf8_in_lesstruct_and_driftless_payloads(string hex)
    {
        byte[] bad = Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal));
        AbiRejects("content_item", [.. "{\"title\":\"a"u8.ToArray(), .. bad, .. "\"}"u8.ToArray()]);
        AbiRejects("driftless_log_entry", [.. "{\"message\":\"a"u8.ToArray(), .. bad, .. "\"}"u8.ToArray()]);
    }

    private void AbiRejects(string type, byte[] input)
    {
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize(input, ContextOf(type).GetTypeInfo(AbiClrType(type))!));
        Assert.Null(AbiRoundTrip(type, input));
    }
}
