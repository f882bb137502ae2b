using System.Buffers;
using System.Reflection;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Airlock.Abi;
using Airlock.Contracts.SocialScale;

namespace Airlock.Host.Tests.Json;

/// <summary>
/// The generated union-case writers against System.Text.Json's polymorphic serialization of the same
/// case: byte for byte, on generated arguments. A writer over the per-case method's arguments (the case's
/// source is in the compilation and says what each property holds) is checked against the case object
/// built from the same arguments; a writer over the case object (a case compiled elsewhere, or a computed
/// member) against that object.
/// </summary>
public sealed class CaseWriterParityTests
{
    private const BindingFlags Nested = BindingFlags.NonPublic;

    private static readonly string?[] Texts =
    [
        "Hello", string.Empty, "ünïcödé \"quoted\" <tag> & 'apostrophe' ✓ 😀", "line\nbreak\ttab\\slash\u0001\u001f", "\u2028\u2029 bidi \u202e", new string('x', 300), "日本語", "\ud800 lone surrogate",
    ];

    private static readonly double[] Doubles = [0, -0.0, 0.1, -1.5, 1e300, double.Epsilon, 123456789.125, double.MaxValue];

    public static TheoryData<string, string, bool> Cases => new()
    {
        { "social-scale", "Publish", true },
        { "social-scale", "DeletePost", true },
        { "social-scale", "FetchComments", true },
        { "social-scale", "ReplyComment", true },
        { "social-scale", "FetchPostMetrics", true },
        { "social-scale", "ExchangeCode", true },
        { "social-scale", "RefreshToken", true },
        { "social-scale", "Custom", true },
        { "connector", "Publish", false },
        { "connector", "FetchComments", false },
        { "connector", "Custom", false },
        { "strict", "Lists", true },
        { "strict", "Scalars", true },
        { "strict", "Declared", true },
        { "strict", "Computed", false },
        { "omit-nulls", "Lists", true },
        { "omit-nulls", "Scalars", true },
        { "omit-nulls", "Declared", true },
        { "omit-nulls", "Computed", false },
    };

    [Fact]
    public void A_case_with_a_member_converter_is_written_through_the_metadata()
    {
        // FetchInsightsRequest's dates have a converter of their own.
        Type client = Client(typeof(ISocialScalePlugin));
        Assert.Null(client.GetNestedType("FetchInsightsCase", Nested));
        Assert.NotNull(client.GetNestedType("PublishCase", Nested));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_generated_case_writer_writes_what_the_polymorphic_serializer_writes(string contract, string name, bool fromArguments)
    {
        (Type plugin, JsonTypeInfo union) = Contract(contract);
        Type caseWriter = Client(plugin).GetNestedType(name + "Case", Nested)!;
        Assert.NotNull(caseWriter);
        MethodInfo check = typeof(CaseWriterParityTests).GetMethod(nameof(Check), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(union.Type, caseWriter);
        check.Invoke(null, [union, fromArguments, 20261207 + name.Length + contract.Length]);
    }

    [Fact]
    public void Publish_from_arguments_writes_null_lists_as_empty_ones_and_escapes_as_the_serializer_does()
    {
        Type caseWriter = Client(typeof(ISocialScalePlugin)).GetNestedType("PublishCase", Nested)!;
        ConstructorInfo constructor = caseWriter.GetConstructors().Single();
        Assert.Equal([typeof(string), typeof(IReadOnlyList<string>), typeof(IReadOnlyList<string>), typeof(JsonObject)], constructor.GetParameters().Select(p => p.ParameterType));

        object value = constructor.Invoke(["é \"q\" </script>\n😀", null, Array.Empty<string>(), null]);
        string written = (string)typeof(CaseWriterParityTests).GetMethod(nameof(Direct), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(typeof(PluginRequest), caseWriter)
            .Invoke(null, [new WasmJsonUnion<PluginRequest>(SocialScaleJsonContext.Default.PluginRequest), value])!;

        // The host's relaxed escaping keeps é as UTF-8 and escapes the emoji's surrogate pair, as System.Text.Json does.
        Assert.Equal("""{"type":"publish","text":"é \"q\" </script>\n\uD83D\uDE00","media_urls":[],"hashtags":[]}""", written);
        Assert.Equal(Polymorphic(new PublishRequest("é \"q\" </script>\n😀", null, []), SocialScaleJsonContext.Default.PluginRequest), written);
    }

    [Fact]
    public void Lists_from_arguments_are_empty_for_null_and_kept_null_where_the_property_keeps_null()
    {
        Type caseWriter = Client(typeof(IStrictUnionParityPlugin)).GetNestedType("ListsCase", Nested)!;
        object value = caseWriter.GetConstructors().Single().Invoke([null, null, null, null]);
        string written = (string)typeof(CaseWriterParityTests).GetMethod(nameof(Direct), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(typeof(ParityRequest), caseWriter)
            .Invoke(null, [new WasmJsonUnion<ParityRequest>(StrictParityJsonContext.Default.ParityRequest), value])!;

        Assert.Equal("""{"kind":"lists","title":null,"kept":null,"tags":[],"names":[]}""", written);
        Assert.Equal(Polymorphic(new ParityListsRequest(null), StrictParityJsonContext.Default.ParityRequest), written);
    }

    private static void Check<TUnion, TCase>(JsonTypeInfo<TUnion> unionInfo, bool fromArguments, int seed)
        where TCase : struct, IWasmUnionCase<TUnion>
    {
        var union = new WasmJsonUnion<TUnion>(unionInfo);
        var members = (WasmJsonMember[])typeof(TCase).GetField("Members", BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;
        Assert.True(union.CanWriteMembers<TCase>(members), typeof(TCase).Name + " is written by its generated writer");

        ConstructorInfo writerConstructor = typeof(TCase).GetConstructors().Single();
        ConstructorInfo constructor = TCase.CaseType.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
        Type[] writerParameters = [.. writerConstructor.GetParameters().Select(p => p.ParameterType)];
        if (fromArguments)
        {
            // The writer holds the method's arguments: no case object is built to write the request.
            Assert.Equal(constructor.GetParameters().Select(p => p.ParameterType), writerParameters);
        }
        else
        {
            Assert.Equal([TCase.CaseType], writerParameters);
        }

        var random = new Random(seed);
        for (int i = 0; i < 300; i++)
        {
            object?[] arguments = [.. constructor.GetParameters().Select(p => Argument(random, p.ParameterType))];
            var request = (TUnion)constructor.Invoke(arguments);
            var value = (TCase)writerConstructor.Invoke(fromArguments ? arguments : [request]);
            string direct = Direct(union, value);
            Assert.Equal(Polymorphic(request, unionInfo), direct);

            // The case the union's metadata writes when the writer may not: built from the same arguments.
            Assert.Equal(direct, Polymorphic(value.Create(), unionInfo));
        }
    }

    private static (Type Plugin, JsonTypeInfo Union) Contract(string name) => name switch
    {
        "social-scale" => (typeof(ISocialScalePlugin), SocialScaleJsonContext.Default.PluginRequest),
        "connector" => (typeof(IParityConnector), SocialScaleJsonContext.Default.PluginRequest),
        "strict" => (typeof(IStrictUnionParityPlugin), StrictParityJsonContext.Default.ParityRequest),
        "omit-nulls" => (typeof(IOmitNullsUnionParityPlugin), OmitNullsParityJsonContext.Default.ParityRequest),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such contract"),
    };

    private static Type Client(Type plugin) => plugin.GetNestedType("AirlockClient", Nested)!;

    private static string Direct<TUnion, TCase>(WasmJsonUnion<TUnion> union, TCase value)
        where TCase : struct, IWasmUnionCase<TUnion>
        => Write(writer => union.WriteCase(writer, in value));

    private static string Polymorphic<TUnion>(TUnion request, JsonTypeInfo<TUnion> unionInfo)
        => Write(writer => JsonSerializer.Serialize(writer, request, unionInfo));

    // The host's writers: relaxed escaping.
    private static string Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static object? Argument(Random random, Type type)
    {
        bool nullable = random.Next(5) == 0;
        if (type == typeof(string))
        {
            return nullable ? null : Texts[random.Next(Texts.Length)];
        }

        if (type == typeof(IReadOnlyList<string>) || type == typeof(string[]))
        {
            // Empty lists as often as null ones; now and then a null item.
            return nullable ? null : Enumerable.Range(0, random.Next(4)).Select(_ => random.Next(8) == 0 ? null! : Texts[random.Next(Texts.Length)]!).ToArray();
        }

        if (type == typeof(JsonObject))
        {
            return nullable ? null : new JsonObject { ["k"] = Texts[random.Next(Texts.Length)], ["n"] = random.Next(), ["nested"] = new JsonArray(1, "two", null) };
        }

        if (type == typeof(JsonNode))
        {
            return nullable ? null : JsonNode.Parse("""{"a":[1,2.5,"é"],"b":null}""");
        }

        if (type == typeof(ParityNested))
        {
            return nullable ? null : new ParityNested(Texts[random.Next(Texts.Length)]!, random.Next(2) == 0 ? null : Doubles[random.Next(Doubles.Length)]);
        }

        if (type == typeof(DateTimeOffset))
        {
            return new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(random.Next(-12, 13))).AddTicks(random.Next());
        }

        if (type == typeof(int))
        {
            return random.Next(int.MinValue, int.MaxValue);
        }

        if (type == typeof(int?))
        {
            return nullable ? null : random.Next(int.MinValue, int.MaxValue);
        }

        if (type == typeof(long))
        {
            return random.NextInt64(long.MinValue, long.MaxValue);
        }

        if (type == typeof(double))
        {
            return Doubles[random.Next(Doubles.Length)];
        }

        if (type == typeof(bool))
        {
            return random.Next(2) == 0;
        }

        throw new InvalidOperationException("No generated argument for " + type);
    }
}
