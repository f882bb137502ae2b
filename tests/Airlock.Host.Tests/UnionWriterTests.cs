using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Airlock.Abi;

namespace Airlock.Host.Tests;

/// <summary>
/// Union inputs are written through each case's own metadata with the discriminator in front
/// (<see cref="WasmJsonUnion{T}"/>): a real guest that echoes its input shows the bytes are the ones
/// System.Text.Json's polymorphic serialization writes, for every kind of case.
/// </summary>
public sealed class UnionWriterTests : IAsyncLifetime
{
    private readonly PluginHost _host = new();
    private IShapeText _plugin = null!;
    private IShapeEcho _cases = null!;

    public async Task InitializeAsync()
    {
        byte[] module = ProbeModules.Compile(ProbeModules.Module());
        _plugin = await _host.LoadModuleAsync<IShapeText>("shapes", module);
        _cases = await _host.LoadModuleAsync<IShapeEcho>("shape-cases", module);
    }

    public async Task DisposeAsync()
    {
        await _plugin.DisposeAsync();
        await _cases.DisposeAsync();
        await _host.DisposeAsync();
    }

    public static TheoryData<Shape> Cases() => new()
    {
        new Circle(2.5, "ünïcödé \"quoted\" <tag> ✓"),
        new Empty(),
        new Numbered(42),
        new Tagged { Name = "t", Extra = new Dictionary<string, JsonElement> { ["kind_of"] = JsonSerializer.SerializeToElement(1, ShapeJsonContext.Default.Int32) } },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_case_is_sent_as_the_polymorphic_serializer_writes_it(Shape shape)
    {
        Assert.Equal(Polymorphic(shape), _plugin.Echo(shape));
    }

    [Fact]
    public void Per_case_methods_send_the_same_bytes()
    {
        Assert.Equal(Polymorphic(new Circle(1, "x")), _cases.Circle(1, "x").GetRawText());
        Assert.Equal("""{"kind":"empty"}""", _cases.Empty().GetRawText());
        Assert.Equal(Polymorphic(new Tagged()), _cases.Tagged().GetRawText());
    }

    [Fact]
    public void Cases_that_would_not_come_out_the_same_are_left_to_the_union_metadata()
    {
        // Circle, Empty and Numbered are written directly; Tagged has extension data, which could hold
        // a member named like the discriminator.
        var union = new WasmJsonUnion<Shape>(ShapeJsonContext.Default.Shape);
        Assert.Equal(3, union.DirectCases);
        Assert.Equal(0, new WasmJsonUnion<Circle>(ShapeJsonContext.Default.Circle).DirectCases);
    }

    [Fact]
    public void A_type_the_union_does_not_declare_fails_as_the_serializer_fails()
    {
        var exception = Assert.ThrowsAny<Exception>(() => _plugin.Echo(new Stranger()));
        Assert.Contains(nameof(Stranger), exception.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_null_union_value_is_written_as_null()
    {
        Assert.Equal("null", _plugin.Echo(null!));
    }

    // What the host's writer (relaxed escaping) produces through the union's polymorphic metadata.
    private static string Polymorphic(Shape shape)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            JsonSerializer.Serialize(writer, shape, ShapeJsonContext.Default.Shape);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}

/// <summary>A contract whose one input is a union; the probe module's <c>text</c> export echoes it as text.</summary>
[WasmPlugin(JsonContext = typeof(ShapeJsonContext))]
public partial interface IShapeText
{
    [WasmExport("text")]
    string Echo(Shape shape);
}

/// <summary>The same export read back as JSON, which gives the contract a method per case.</summary>
[WasmPlugin(JsonContext = typeof(ShapeJsonContext))]
public partial interface IShapeEcho
{
    [WasmExport("text")]
    JsonElement Echo(Shape shape);
}

[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(Circle), "circle")]
[JsonDerivedType(typeof(Empty), "empty")]
[JsonDerivedType(typeof(Numbered), 7)]
[JsonDerivedType(typeof(Tagged), "tagged")]
public abstract class Shape
{
    public override string ToString() => GetType().Name;
}

public sealed class Circle(double radius, string label) : Shape
{
    public double Radius { get; } = radius;

    public string Label { get; } = label;
}

public sealed class Empty : Shape;

public sealed class Numbered(int value) : Shape
{
    public int Value { get; } = value;
}

public sealed class Tagged : Shape
{
    public string Name { get; set; } = string.Empty;

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

public sealed class Stranger : Shape;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(Shape))]
[JsonSerializable(typeof(Circle))]
[JsonSerializable(typeof(Stranger))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class ShapeJsonContext : JsonSerializerContext;
