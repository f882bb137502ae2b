using System.Buffers;
using System.Reflection;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Airlock.Abi;
using Airlock.Contracts.SocialScale;

namespace Airlock.Host.Tests.Json;

/// <summary>
/// The generated union-case writers against System.Text.Json's polymorphic serialization of the same
/// case: byte for byte, on cases built from generated arguments.
/// </summary>
public sealed class CaseWriterParityTests
{
    private static readonly WasmJsonUnion<PluginRequest> Union = new(SocialScaleJsonContext.Default.PluginRequest);

    private static readonly string?[] Texts =
    [
        "Hello", string.Empty, "ünïcödé \"quoted\" <tag> & 'apostrophe' ✓ 😀", "line\nbreak\ttab\\slash\u0001\u001f", "\u2028\u2029 bidi \u202e", new string('x', 300),
    ];

    public static TheoryData<string> Cases => new() { "Publish", "DeletePost", "FetchComments", "ReplyComment", "FetchPostMetrics", "ExchangeCode", "RefreshToken", "Custom" };

    [Fact]
    public void A_case_with_a_member_converter_is_written_through_the_metadata()
    {
        // FetchInsightsRequest's dates have a converter of their own.
        Type client = typeof(ISocialScalePlugin).GetNestedType("AirlockClient", BindingFlags.NonPublic)!;
        Assert.Null(client.GetNestedType("FetchInsightsCase", BindingFlags.NonPublic));
        Assert.NotNull(client.GetNestedType("PublishCase", BindingFlags.NonPublic));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_generated_case_writer_writes_what_the_polymorphic_serializer_writes(string name)
    {
        Type caseWriter = typeof(ISocialScalePlugin).GetNestedType("AirlockClient", BindingFlags.NonPublic)!.GetNestedType(name + "Case", BindingFlags.NonPublic)!;
        Assert.NotNull(caseWriter);
        var members = (WasmJsonMember[])caseWriter.GetField("Members", BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;
        Assert.True((bool)typeof(CaseWriterParityTests).GetMethod(nameof(CanWrite), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(caseWriter).Invoke(null, [members])!, name + " is written from its arguments");

        Type caseType = caseWriter.GetConstructors().Single().GetParameters().Single().ParameterType;
        ConstructorInfo constructor = caseType.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
        var random = new Random(20261207 + name.Length);
        for (int i = 0; i < 300; i++)
        {
            object?[] arguments = [.. constructor.GetParameters().Select(p => Argument(random, p.ParameterType))];
            var request = (PluginRequest)constructor.Invoke(arguments);
            object value = Activator.CreateInstance(caseWriter, request)!;
            string direct = (string)typeof(CaseWriterParityTests).GetMethod(nameof(Direct), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(caseWriter).Invoke(null, [value])!;
            Assert.Equal(Polymorphic(request), direct);
        }
    }

    private static bool CanWrite<TCase>(WasmJsonMember[] members)
        where TCase : struct, IWasmUnionCase<PluginRequest>
        => Union.CanWriteMembers<TCase>(members);

    private static string Direct<TCase>(TCase value)
        where TCase : struct, IWasmUnionCase<PluginRequest>
        => Write(writer => Union.WriteCase(writer, in value));

    private static string Polymorphic(PluginRequest request)
        => Write(writer => JsonSerializer.Serialize(writer, request, SocialScaleJsonContext.Default.PluginRequest));

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

        if (type == typeof(IReadOnlyList<string>))
        {
            return nullable ? null : Enumerable.Range(0, random.Next(4)).Select(_ => Texts[random.Next(Texts.Length)] ?? "x").ToArray();
        }

        if (type == typeof(JsonObject))
        {
            return nullable ? null : new JsonObject { ["k"] = Texts[random.Next(Texts.Length)], ["n"] = random.Next(), ["nested"] = new JsonArray(1, "two", null) };
        }

        if (type == typeof(JsonNode))
        {
            return nullable ? null : JsonNode.Parse("""{"a":[1,2.5,"é"],"b":null}""");
        }

        if (type == typeof(DateTimeOffset))
        {
            return new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(random.Next(-12, 13))).AddTicks(random.Next());
        }

        if (type == typeof(int))
        {
            return random.Next(int.MinValue, int.MaxValue);
        }

        throw new InvalidOperationException("No generated argument for " + type);
    }
}
