using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Airlock.Contracts.SocialScale;
using Wasmtime;

namespace Airlock.Cli.Tests.GuestBindings;

/// <summary>
/// The generated Rust serde codec against System.Text.Json on the generated payloads of <see cref="CodecPropertyTests"/>:
/// what System.Text.Json writes (escaped or raw UTF-8) the Rust reader reads, what the Rust writer writes System.Text.Json
/// reads back to an equal value, and the Rust reader rejects what System.Text.Json rejects. One module, one instance, many
/// payloads (<c>codec-harness.rs</c> on a crate made by <c>airlock new socialscale --lang rust</c>).
/// </summary>
public sealed class RustCodecPropertyTests : IDisposable
{
    private static readonly Lazy<byte[]> Module = new(Build);
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
    private string? RoundTrip(string type, byte[] input)
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
}
