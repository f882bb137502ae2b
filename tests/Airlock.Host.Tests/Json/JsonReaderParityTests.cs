using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Airlock.Abi;
using Airlock.Contracts.Lesstruct;
using Airlock.Contracts.SocialScale;

namespace Airlock.Host.Tests.Json;

/// <summary>
/// The generated one-pass readers against System.Text.Json on generated payloads: whenever a reader
/// decides a response, System.Text.Json reads the same bytes into an equal value and the envelope says
/// success; whatever System.Text.Json refuses, the reader leaves to it.
/// </summary>
public sealed class JsonReaderParityTests
{
    private const int PayloadsPerType = 4000;

    private static readonly Dictionary<string, string[]> Values = new()
    {
        ["string"] = ["\"abc\"", "\"caf\\u00e9 \\\"q\\\" \\\\ \\n \\ud83d\\ude00\"", "\"日本語 ✓\"", "\"\"", "null", "1", "true", "{}", "[]"],
        ["int"] = ["0", "-1", "2147483647", "2147483648", "-2147483649", "1.0", "1e3", "\"5\"", "null", "true", "12345678901234567890123"],
        ["long"] = ["9223372036854775807", "9223372036854775808", "-3", "null", "\"1\"", "1.5", "0"],
        ["double"] = ["1.5", "-0.0", "1e308", "1e309", "3", "\"NaN\"", "null", "0.1e-400", "123456789012345678901234567890"],
        ["bool"] = ["true", "false", "null", "0", "\"true\""],
        ["int?"] = ["5", "null", "\"5\"", "1.5", "2147483648"],
        ["list"] = ["[]", "[\"a\",\"b\\u0041\"]", "null", "[1]", "{}", "\"x\"", "[null]"],
        ["ints"] = ["[]", "[1,2,3]", "null", "[1.5]", "[\"1\"]"],
        ["nested"] = ["{\"value\":\"v\"}", "{\"value\":\"v\",\"weight\":2.5}", "{}", "null", "[]", "{\"value\":null}", "{\"Value\":\"v\"}"],
        ["date"] = ["\"2024-01-02T03:04:05Z\"", "\"2024-01-02T03:04:05.123+02:00\"", "\"garbage\"", "null", "5"],
        ["enum"] = ["0", "1", "7", "\"First\"", "null", "-1"],
        ["dictionary"] = ["{}", "{\"a\":1,\"b\":[true,{\"c\":null}]}", "null", "[]", "{\"a\":1,\"a\":2}"],
    };

    public static TheoryData<string> Types => new() { "strict-record", "strict-class", "strict-nested", "default-record", "default-class" };

    [Theory]
    [MemberData(nameof(Types))]
    public void A_generated_reader_decides_only_what_System_Text_Json_reads_the_same(string name)
    {
        (object reader, JsonTypeInfo typeInfo, (string Name, string Kind)[] members) = Case(name);
        Assert.True(IsFast(reader), name + ": the generated reader agrees with the metadata");
        var random = new Random(20261207 + name.GetHashCode(StringComparison.Ordinal) % 1000);
        int decided = 0;
        for (int i = 0; i < PayloadsPerType; i++)
        {
            string json = Payload(random, members, i == 0);
            foreach (WasmJsonEnvelope envelope in new[] { WasmJsonEnvelope.None, WasmJsonEnvelope.Status("ok"), WasmJsonEnvelope.ErrorMember })
            {
                if (Compare(reader, typeInfo, json, envelope))
                {
                    decided++;
                }
            }
        }

        // The fast pass must actually serve: most generated payloads are variations of valid ones.
        Assert.True(decided > PayloadsPerType / 20, $"{name}: the generated reader decided only {decided} of {PayloadsPerType * 3} reads");
    }

    [Fact]
    public void A_valid_response_is_decided_by_the_generated_reader_with_every_member()
    {
        (object reader, JsonTypeInfo typeInfo, _) = Case("strict-record");
        string json = """{"status":"ok","id":"p-1","count":3,"total":9007199254740993,"ratio":0.25,"enabled":true,"note":null,"limit":7,"tags":["a","\u00e9"],"nested":{"value":"n","weight":1.5},"at":"2024-01-02T03:04:05Z","kind":1}""";
        Assert.True(TryRead(reader, json, WasmJsonEnvelope.Status("ok"), out object? value));
        var record = (ParityRecord)value!;
        Assert.Equal(("p-1", 3, 9007199254740993L, 0.25, true, null, 7), (record.Id, record.Count, record.Total, record.Ratio, record.Enabled, record.Note, record.Limit));
        Assert.Equal(["a", "é"], record.Tags!);
        Assert.Equal(new ParityNested("n", 1.5), record.Nested);
        Assert.Equal(ParityKind.Second, record.Kind);
        Assert.Equal(JsonSerializer.Serialize(JsonSerializer.Deserialize(json, typeInfo), typeInfo), JsonSerializer.Serialize(value, typeInfo));
    }

    [Fact]
    public void Responses_the_reader_cannot_decide_are_left_to_System_Text_Json()
    {
        (object reader, _, _) = Case("strict-record");
        const string valid = "\"id\":\"p\",\"count\":1,\"total\":2,\"ratio\":3,\"enabled\":false";
        Assert.True(TryRead(reader, "{" + valid + "}", WasmJsonEnvelope.None, out _));
        Assert.False(TryRead(reader, "{" + valid + ",\"status\":\"error\",\"code\":\"x\"}", WasmJsonEnvelope.Status("ok"), out _));
        Assert.False(TryRead(reader, "{" + valid + "}", WasmJsonEnvelope.Status("ok"), out _)); // no status
        Assert.False(TryRead(reader, "{" + valid + ",\"status\":\"ok\",\"status\":\"ok\"}", WasmJsonEnvelope.Status("ok"), out _));
        Assert.False(TryRead(reader, "{" + valid + ",\"error\":\"boom\"}", WasmJsonEnvelope.ErrorMember, out _));
        Assert.False(TryRead(reader, "{" + valid + ",\"id\":\"again\"}", WasmJsonEnvelope.None, out _)); // duplicate
        Assert.False(TryRead(reader, "{" + valid + ",\"tag_count\":3}", WasmJsonEnvelope.None, out _)); // read-only member
        Assert.False(TryRead(reader, "{" + valid + "} x", WasmJsonEnvelope.None, out _));
        Assert.False(TryRead(reader, "{\"id\":\"p\"}", WasmJsonEnvelope.None, out _)); // required constructor parameters missing
        Assert.False(TryRead(reader, "{\"id\":null," + valid.Substring(9) + "}", WasmJsonEnvelope.None, out _)); // null where the annotation refuses it
        Assert.False(TryRead(reader, [0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D], WasmJsonEnvelope.None, out _)); // not UTF-8
    }

    [Fact]
    public void A_type_with_a_member_converter_gets_no_generated_reader()
    {
        Type client = typeof(IStrictParityPlugin).GetNestedType("AirlockClient", BindingFlags.NonPublic)!;
        Assert.Null(client.GetNestedType("ParityWithConverterJsonReader", BindingFlags.NonPublic));
        Assert.NotNull(client.GetNestedType("ParityRecordJsonReader", BindingFlags.NonPublic));
    }

    [Fact]
    public void The_ready_made_contracts_results_are_read_in_one_pass()
    {
        AssertFast(typeof(ISocialScalePlugin), "PublishResult", SocialScaleJsonContext.Default.PublishResult);
        AssertFast(typeof(ISocialScalePlugin), "FetchCommentsResult", SocialScaleJsonContext.Default.FetchCommentsResult);
        AssertFast(typeof(ISocialScalePlugin), "OAuthTokenResult", SocialScaleJsonContext.Default.OAuthTokenResult);
        AssertFast(typeof(ILesstructPlugin), "ContentHookResult", LesstructJsonContext.Default.ContentHookResult);

        static void AssertFast(Type contract, string type, JsonTypeInfo typeInfo)
        {
            Type client = contract.GetNestedType("AirlockClient", BindingFlags.NonPublic)!;
            Type? readerType = client.GetNestedType(type + "JsonReader", BindingFlags.NonPublic);
            Assert.True(readerType is not null, contract.Name + " has a generated reader for " + type);
            Assert.True(IsFast(Activator.CreateInstance(readerType, typeInfo)!), type + " is read in one pass");
        }
    }

    private static (object Reader, JsonTypeInfo TypeInfo, (string Name, string Kind)[] Members) Case(string name)
    {
        (string Name, string Kind)[] record(Func<string, string> naming) =>
        [
            (naming("Id"), "string"), (naming("Count"), "int"), (naming("Total"), "long"), (naming("Ratio"), "double"),
            (naming("Enabled"), "bool"), (naming("Note"), "string"), (naming("Limit"), "int?"), (naming("Tags"), "list"),
            (naming("Nested"), "nested"), (naming("At"), "date"), (naming("Kind"), "enum"), (naming("TagCount"), "!int"),
        ];
        (string Name, string Kind)[] settable(Func<string, string> naming) =>
        [
            (naming("Name"), "string"), (naming("Version"), "int"), ("display-name", "string"), (naming("Numbers"), "ints"),
            (naming("Flag"), "bool"), (naming("Hidden"), "!string"), (naming("Extra"), "dictionary"),
        ];
        static string Snake(string n) => JsonNamingPolicy.SnakeCaseLower.ConvertName(n);
        static string Same(string n) => n;
        return name switch
        {
            "strict-record" => (Reader(typeof(IStrictParityPlugin), "ParityRecord", StrictParityJsonContext.Default.ParityRecord), StrictParityJsonContext.Default.ParityRecord, record(Snake)),
            "strict-class" => (Reader(typeof(IStrictParityPlugin), "ParityClass", StrictParityJsonContext.Default.ParityClass), StrictParityJsonContext.Default.ParityClass, settable(Snake)),
            "strict-nested" => (Reader(typeof(IStrictParityPlugin), "ParityNested", StrictParityJsonContext.Default.ParityNested), StrictParityJsonContext.Default.ParityNested, [("value", "string"), ("weight", "double")]),
            "default-record" => (Reader(typeof(IDefaultParityPlugin), "ParityRecord", DefaultParityJsonContext.Default.ParityRecord), DefaultParityJsonContext.Default.ParityRecord, record(Same)),
            _ => (Reader(typeof(IDefaultParityPlugin), "ParityClass", DefaultParityJsonContext.Default.ParityClass), DefaultParityJsonContext.Default.ParityClass, settable(Same)),
        };
    }

    private static object Reader(Type contract, string type, JsonTypeInfo typeInfo)
    {
        Type client = contract.GetNestedType("AirlockClient", BindingFlags.NonPublic)!;
        return Activator.CreateInstance(client.GetNestedType(type + "JsonReader", BindingFlags.NonPublic)!, typeInfo)!;
    }

    private static bool IsFast(object reader) => (bool)reader.GetType().GetProperty("IsFast")!.GetValue(reader)!;

    private static bool TryRead(object reader, string json, WasmJsonEnvelope envelope, out object? value)
        => TryRead(reader, Encoding.UTF8.GetBytes(json), envelope, out value);

    private static bool TryRead(object reader, byte[] json, WasmJsonEnvelope envelope, out object? value)
    {
        // TryRead takes a span; the reader's base class has a byte[]-friendly shape through this helper.
        MethodInfo method = typeof(JsonReaderParityTests).GetMethod(nameof(TryReadTyped), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(reader.GetType().BaseType!.GetGenericArguments()[0]);
        object?[] arguments = [reader, json, envelope, null];
        bool read = (bool)method.Invoke(null, arguments)!;
        value = arguments[3];
        return read;
    }

    private static bool TryReadTyped<T>(WasmJsonReader<T> reader, byte[] json, WasmJsonEnvelope envelope, out object? value)
    {
        bool read = reader.TryRead(json, envelope, out T? typed);
        value = typed;
        return read;
    }

    // Returns whether the generated reader decided the response; fails the test if it decided differently from System.Text.Json.
    private static bool Compare(object reader, JsonTypeInfo typeInfo, string json, WasmJsonEnvelope envelope)
    {
        bool fast = TryRead(reader, json, envelope, out object? value);
        object? expected;
        try
        {
            expected = JsonSerializer.Deserialize(json, typeInfo);
        }
        catch (Exception exception) when (exception is JsonException or NotSupportedException or InvalidOperationException or FormatException)
        {
            Assert.False(fast, $"System.Text.Json refuses ({exception.Message}) what the generated reader decided: {json}");
            return false;
        }

        if (!fast)
        {
            return false;
        }

        Assert.Equal(Canonical(expected, typeInfo), Canonical(value, typeInfo));
        using JsonDocument document = JsonDocument.Parse(json);
        JsonProperty[] top = [.. document.RootElement.EnumerateObject()];
        switch (envelope.MemberName)
        {
            case "status":
                Assert.True(top.Count(p => p.NameEquals("status")) == 1 && top.Single(p => p.NameEquals("status")).Value.ValueEquals("ok"), "decided without a single \"status\":\"ok\": " + json);
                break;
            case "error":
                Assert.True(top.Where(p => p.NameEquals("error")).All(p => p.Value.ValueKind == JsonValueKind.Null), "decided with an error: " + json);
                break;
        }

        return true;
    }

    // Serialized with named floating-point literals allowed: "1e309" reads as infinity on both paths.
    private static string Canonical(object? value, JsonTypeInfo typeInfo)
    {
        var options = new JsonSerializerOptions(typeInfo.Options) { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };
        return JsonSerializer.Serialize(value, options.GetTypeInfo(typeInfo.Type));
    }

    private static string Payload(Random random, (string Name, string Kind)[] members, bool canonical)
    {
        var parts = new List<string>();
        foreach ((string name, string tagged) in members)
        {
            // "!" marks a member System.Text.Json does not set (read-only, ignored): rarely in a payload.
            bool unset = tagged.StartsWith('!');
            string[] values = Values[tagged.TrimStart('!')];
            if (unset && (canonical || random.Next(20) != 0))
            {
                continue;
            }

            if (canonical)
            {
                parts.Add(Member(name) + ":" + values[0]);
                continue;
            }

            int roll = random.Next(12);
            if (roll < 1)
            {
                continue; // omitted
            }

            string value = roll < 10 ? values[random.Next(Math.Min(2, values.Length))] : values[random.Next(values.Length)];
            string key = random.Next(12) == 0 ? EscapedMember(name) : random.Next(25) == 0 ? Member(name.ToUpperInvariant()) : Member(name);
            parts.Add(key + (random.Next(8) == 0 ? " : " : ":") + value);
            if (random.Next(30) == 0)
            {
                parts.Add(Member(name) + ":" + values[random.Next(values.Length)]);
            }
        }

        if (random.Next(4) == 0)
        {
            parts.Add("\"unknown\":{\"deep\":[1,{\"x\":null}],\"s\":\"\\u0022\"}");
        }

        int envelope = random.Next(8);
        if (canonical || envelope < 4)
        {
            parts.Add("\"status\":\"ok\"");
        }
        else if (envelope == 4)
        {
            parts.Add(random.Next(2) == 0 ? "\"status\":\"error\",\"code\":\"bad\"" : "\"status\":\"OK\"");
        }
        else if (envelope == 5)
        {
            parts.Add(random.Next(2) == 0 ? "\"error\":null" : "\"error\":{\"code\":\"x\"}");
        }

        if (!canonical)
        {
            Shuffle(random, parts);
        }

        string json = "{" + string.Join(random.Next(6) == 0 ? " , " : ",", parts) + "}";
        return random.Next(40) switch
        {
            0 => json + " x",
            1 => json + ",",
            2 => "  " + json + "\n",
            3 => json.Length > 2 ? json.Substring(0, json.Length - 1) : json,
            4 => "[" + json + "]",
            _ => json,
        };
    }

    private static string Member(string name) => JsonSerializer.Serialize(name);

    // The first character as a \u escape: the same name to a JSON reader.
    private static string EscapedMember(string name) => "\"\\u" + ((int)name[0]).ToString("x4", System.Globalization.CultureInfo.InvariantCulture) + name.Substring(1) + "\"";

    private static void Shuffle<T>(Random random, List<T> items)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
