using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Airlock.Contracts.SocialScale;
using Wasmtime;

namespace Airlock.Cli.Tests.GuestBindings;

/// <summary>
/// The generated C JSON codec against System.Text.Json on generated payloads of the SocialScale contract's types: what
/// System.Text.Json writes (escaped or raw UTF-8) the C reader reads, what the C writer writes System.Text.Json reads back
/// to an equal value, and the C reader rejects what System.Text.Json rejects.
/// </summary>
public sealed class CodecPropertyTests : IDisposable
{
    private static readonly JsonSerializerOptions Raw = new(SocialScaleJsonContext.Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly CliHarness _cli = new();
    private readonly Engine _engine = new();
    private readonly Store _store;
    private readonly Instance _instance;
    private readonly Memory _memory;
    private readonly Func<int, int> _alloc;

    public CodecPropertyTests()
    {
        _store = new Store(_engine);
        if (!Clang.Available)
        {
            _instance = null!;
            _memory = null!;
            _alloc = null!;
            return;
        }

        string folder = Path.Combine(_cli.Root, "codec");
        CliResult generated = _cli.RunAsync("bindings", "--profile", "socialscale", "--lang", "c", "--out", folder).GetAwaiter().GetResult();
        Assert.True(generated.ExitCode == 0, generated.ToString());
        File.Copy(Path.Combine(CliHarness.RepositoryRoot, "tests", "Airlock.Cli.Tests", "GuestBindings", "codec-harness.c"), Path.Combine(folder, "codec-harness.c"));
        (int code, string log) = Clang.Run("clang", folder, "--target=wasm32-wasi", "-O2", "-mexec-model=reactor", "-std=c11", "-Wall", "-Wextra", "-Werror", "-o", "codec.wasm", "codec-harness.c");
        Assert.True(code == 0, log);
        using var module = Module.FromFile(_engine, Path.Combine(folder, "codec.wasm"));
        using var linker = new Linker(_engine);
        _instance = linker.Instantiate(_store, module);
        _instance.GetAction("_initialize")?.Invoke();
        _memory = _instance.GetMemory("memory")!;
        _alloc = _instance.GetFunction<int, int>("alloc")!;
    }

    public void Dispose()
    {
        _store.Dispose();
        _engine.Dispose();
        _cli.Dispose();
    }

    /// <summary>The C round trip of one value: its JSON text, or null when the C reader rejected it.</summary>
    private string? RoundTrip(string type, byte[] input) => HarnessRoundTrip(_instance, _memory, _alloc, type, input);

    /// <summary>
    /// One value through a codec harness module's <c>rt_&lt;type&gt;</c> export (every language's harness has the same
    /// ones: the input's pointer and length in, the packed pointer and length of what its writer wrote out, -1 when its
    /// reader refused the input): the JSON text, or null when refused.
    /// </summary>
    internal static string? HarnessRoundTrip(Instance instance, Memory memory, Func<int, int> alloc, string type, byte[] input)
    {
        Func<int, int, long> export = instance.GetFunction<int, int, long>("rt_" + type) ?? throw new InvalidOperationException("no rt_" + type);
        int ptr = input.Length == 0 ? 0 : alloc(input.Length);
        input.CopyTo(memory.GetSpan(ptr, input.Length));
        long packed = export(ptr, input.Length);
        Assert.NotEqual(-2, packed);
        if (packed == -1)
        {
            return null;
        }

        int outPtr = (int)((ulong)packed >> 32);
        int outLen = (int)(packed & 0xFFFFFFFF);
        return new UTF8Encoding(false, true).GetString(memory.GetSpan(outPtr, outLen));
    }

    private void AgreesOn(string type, object value) => AgreesOn(type, value, input => RoundTrip(type, input), "C");

    /// <summary>What System.Text.Json writes (escaped and raw UTF-8) a codec reads, and what it writes back reads to an equal value.</summary>
    internal static void AgreesOn(string type, object value, Func<byte[], string?> roundTrip, string language, System.Text.Json.Serialization.JsonSerializerContext? context = null)
    {
        JsonTypeInfo info = (context ?? SocialScaleJsonContext.Default).GetTypeInfo(value.GetType())!;
        JsonSerializerOptions raw = context is null ? Raw : new(context.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        string expected = JsonSerializer.Serialize(value, info);
        foreach (byte[] input in new[] { JsonSerializer.SerializeToUtf8Bytes(value, info), JsonSerializer.SerializeToUtf8Bytes(value, value.GetType(), raw) })
        {
            string? written = roundTrip(input);
            Assert.True(written is not null, $"The {language} reader rejected what System.Text.Json wrote for {type}: {Encoding.UTF8.GetString(input)}");
            object back = JsonSerializer.Deserialize(written, info)!;
            Assert.Equal(expected, JsonSerializer.Serialize(back, info));
        }
    }

    private static readonly string[] Pieces = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\r", "\t", "\b", "\f", "\u0000", "\u0001", "\u001f", "\u007f", "é", "ß", "中文", "😀", "\u2028", "<", ">", "&", "'", "+", "\uFEFF", "𝄞"];

    internal static string Text(Random random)
    {
        int count = random.Next(0, 12);
        var builder = new StringBuilder();
        for (int i = 0; i < count; i++)
        {
            builder.Append(Pieces[random.Next(Pieces.Length)]);
        }

        return builder.ToString();
    }

    internal static string? Maybe(Random random) => random.Next(3) == 0 ? null : Text(random);

    internal static long Big(Random random) => random.Next(6) switch
    {
        0 => long.MaxValue,
        1 => long.MinValue,
        2 => 0,
        3 => -1,
        _ => random.NextInt64(long.MinValue, long.MaxValue),
    };

    internal static List<string> Texts(Random random) => [.. Enumerable.Range(0, random.Next(0, 4)).Select(_ => Text(random))];

    internal static Dictionary<string, string>? Headers(Random random)
        => random.Next(3) == 0 ? null : Enumerable.Range(0, random.Next(0, 4)).Select(i => (Key: Text(random) + i, Value: Text(random))).ToDictionary(p => p.Key, p => p.Value);

    /// <summary>Generated values of every tested SocialScale type, by the harness's name of the type (shared by every language's codec test).</summary>
    internal static IEnumerable<(string Type, object Value)> Payloads(Random random)
    {
        JsonObject? metadata = random.Next(2) == 0 ? null : new JsonObject { [Text(random) + "k"] = Text(random), ["n"] = Big(random), ["nested"] = new JsonArray(1, "x", null, true) };
        yield return ("publish_request", new PublishRequest(Text(random), Texts(random), Texts(random), metadata));
        yield return ("reply_comment_request", new ReplyCommentRequest(Text(random), Text(random)));
        yield return ("fetch_comments_request", new FetchCommentsRequest(Text(random), Maybe(random)));
        yield return ("plugin_metadata", new PluginMetadata(Text(random), Text(random), Text(random), Maybe(random), random.Next(3) == 0 ? null : random.Next(int.MinValue, int.MaxValue)));
        yield return ("plugin_capabilities", new PluginCapabilities(random.Next(2) == 0 ? null : 1, random.Next(2) == 0, random.Next(2) == 0, random.Next(2) == 0, random.Next(2) == 0, random.Next(2) == 0, Texts(random), Texts(random), random.Next(2) == 0));
        yield return ("fetch_comments_result", new FetchCommentsResult([.. Enumerable.Range(0, random.Next(0, 4)).Select(_ => new Comment(Text(random), Text(random), Maybe(random), random.Next(2) == 0 ? null : new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(random.Next(-12, 12)))))], Maybe(random), Maybe(random)));
        yield return ("fetch_post_metrics_result", new FetchPostMetricsResult(Big(random), random.Next(2) == 0 ? null : Big(random), Big(random), Big(random), Maybe(random)));
        yield return ("delete_post_result", new DeletePostResult(Maybe(random), random.Next(2) == 0));
        yield return ("host_http_request", new HostHttpRequest(Text(random), Maybe(random), Headers(random), Maybe(random)));
        yield return ("host_http_response", new HostHttpResponse(random.Next(100, 600), Headers(random), Maybe(random)));
        yield return ("o_auth_credential", new OAuthCredential(Text(random), Maybe(random), random.Next(2) == 0 ? null : DateTimeOffset.UnixEpoch.AddSeconds(random.Next())));
    }

    /// <summary>The SocialScale type a harness name stands for.</summary>
    internal static Type ClrType(string type) => type switch
    {
        "plugin_metadata" => typeof(PluginMetadata),
        "plugin_capabilities" => typeof(PluginCapabilities),
        "fetch_post_metrics_result" => typeof(FetchPostMetricsResult),
        "publish_request" => typeof(PublishRequest),
        "host_http_request" => typeof(HostHttpRequest),
        _ => typeof(HostHttpResponse),
    };

    [ClangFact]
    public void The_c_codec_round_trips_generated_values_of_every_tested_type_as_system_text_json_reads_them()
    {
        var random = new Random(19);
        for (int i = 0; i < 150; i++)
        {
            foreach ((string type, object value) in Payloads(random))
            {
                AgreesOn(type, value);
            }
        }
    }

    [ClangFact]
    public void A_missing_member_with_a_default_takes_the_default_system_text_json_gives_it()
    {
        Assert.Equal("""{"deleted":true}""", RoundTrip("delete_post_result", "{}"u8.ToArray()));
        Assert.Equal("""{"text":"t","media_urls":[],"hashtags":[]}""", RoundTrip("publish_request", """{"text":"t"}"""u8.ToArray()));
    }

    public static TheoryData<string, string> Rejected => new()
    {
        { "plugin_metadata", """{"id":"a","name":"b","version":"c",}""" },
        { "plugin_metadata", """{"id":"a","name":"b"}""" },
        { "plugin_metadata", """{"id":null,"name":"b","version":"c"}""" },
        { "plugin_metadata", """{"id":"a","name":"b","version":"c","abi_version":2147483648}""" },
        { "plugin_metadata", """{"id":"a","name":"b","version":"c","abi_version":1.0}""" },
        { "plugin_metadata", """{"id":"a","name":"b","version":"c","abi_version":1e2}""" },
        { "plugin_metadata", """{"id":"a","name":"b","version":"c","abi_version":01}""" },
        { "plugin_metadata", """{"id":"a","name":"b","version":"c","abi_version":"1"}""" },
        { "plugin_metadata", """{"id":"a\ud800","name":"b","version":"c"}""" },
        { "plugin_metadata", """{"id":"a\udc00\ud800","name":"b","version":"c"}""" },
        { "plugin_metadata", """{"id":"a","name":"b","version":"c"} x""" },
        { "plugin_metadata", """{"id":"a","name":"b","version":"c"} /* comment */""" },
        { "plugin_metadata", """{"id":"a\x","name":"b","version":"c"}""" },
        { "plugin_metadata", """{"id":'a',"name":"b","version":"c"}""" },
        { "plugin_metadata", """{"id":"a","name":"b","version":"c""" },
        { "plugin_metadata", """[]""" },
        { "plugin_metadata", "" },
        { "plugin_capabilities", """{"can_publish_text":1}""" },
        { "plugin_capabilities", """{"platforms":"chirp"}""" },
        { "fetch_post_metrics_result", """{"likes":9223372036854775808}""" },
        { "fetch_post_metrics_result", """{"likes":-9223372036854775809}""" },
        { "fetch_post_metrics_result", """{"likes":-}""" },
        { "publish_request", """{"text":"t","media_urls":[],"hashtags":[],}""" },
        { "publish_request", """{"text":"t","media_urls":["a",],"hashtags":[]}""" },
        { "host_http_request", """{"url":"u","headers":{"a":1}}""" },
        { "host_http_response", """{"headers":{}}""" },
    };

    [ClangTheory]
    [MemberData(nameof(Rejected))]
    public void The_c_reader_rejects_what_system_text_json_rejects(string type, string json)
        => Rejects(type, Encoding.UTF8.GetBytes(json));

    public static TheoryData<string> BadUtf8 => new() { "C3 28", "C0 AF", "ED A0 80", "F4 90 80 80", "E2 82", "FF", "01" };

    [ClangTheory]
    [MemberData(nameof(BadUtf8))]
    public void The_c_reader_rejects_invalid_utf8_and_raw_control_characters_as_system_text_json_does(string hex)
    {
        byte[] bad = Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal));
        byte[] input = [.. "{\"id\":\"a"u8.ToArray(), .. bad, .. "\",\"name\":\"b\",\"version\":\"c\"}"u8.ToArray()];
        Rejects("plugin_metadata", input);
    }

    [ClangFact]
    public void Nesting_is_read_to_64_levels_and_refused_beyond_as_system_text_json_does()
    {
        static byte[] Nested(int depth)
            => Encoding.UTF8.GetBytes("{\"text\":\"t\",\"metadata\":" + string.Concat(Enumerable.Repeat("{\"a\":", depth - 2)) + "{}" + new string('}', depth - 2) + "}");

        byte[] deepest = Nested(64);
        JsonSerializer.Deserialize(deepest, SocialScaleJsonContext.Default.GetTypeInfo(typeof(PublishRequest))!);
        Assert.NotNull(RoundTrip("publish_request", deepest));
        Rejects("publish_request", Nested(65));
    }

    private void Rejects(string type, byte[] input)
    {
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize(input, SocialScaleJsonContext.Default.GetTypeInfo(ClrType(type))!));
        Assert.Null(RoundTrip(type, input));
    }
}

/// <summary>A theory that needs the C guest toolchain: skipped, saying what to install, when it is absent.</summary>
internal sealed class ClangTheoryAttribute : TheoryAttribute
{
    public ClangTheoryAttribute()
    {
        if (!Clang.Available)
        {
            Skip = Clang.Missing;
        }
    }
}
