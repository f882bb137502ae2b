using Microsoft.CodeAnalysis;

namespace Airlock.Generators.Tests;

/// <summary>Contracts the generator cannot bind are reported with an AIR id, a message naming the parts, and a location.</summary>
public sealed class DiagnosticTests
{
    [Theory]
    [InlineData("[WasmPlugin] public interface IPlain { [WasmExport(\"a\")] int A(int x); }", "AIR001", "Interface 'IPlain' has [WasmPlugin] but is not partial; Airlock cannot add its bindings", "IPlain")]
    [InlineData("[WasmPlugin] public partial interface IObj { [WasmExport(\"a\")] int A(object x); }", "AIR003", "Parameter 'x' of 'A' has type 'object', which cannot cross the packed ptr+len ABI: only strings, bytes, wasm scalars, enums and JSON-serialisable types can cross", "x")]
    [InlineData("public sealed record Doc(string V); [WasmPlugin] public partial interface IJson { [WasmExport(\"a\")] int A(Doc d); }", "AIR004", "'IJson.A' passes 'N.Doc' as JSON but [WasmPlugin] names no JsonContext; set JsonContext = typeof(...) to a JsonSerializerContext that covers it", "d")]
    [InlineData("[WasmPlugin] public partial interface IDup { [WasmExport(\"a\")] int A(int x); [WasmExport(\"a\")] int B(int x); }", "AIR005", "'A' and 'B' both bind export 'a'", "B")]
    [InlineData("[WasmPlugin] public partial interface IBare { int A(int x); }", "AIR006", "'A' is an abstract member of 'IBare' without [WasmExport]; every abstract member of a contract must bind a wasm export", "A")]
    [InlineData("[WasmHost(\"env\")] public partial interface IAsyncHost { [WasmImport(\"f\")] System.Threading.Tasks.Task<int> F(); }", "AIR003", "Result 'return value' of 'F' has type 'System.Threading.Tasks.Task<int>', which cannot cross the packed ptr+len ABI: wasm calls host functions synchronously; return the value itself", "F")]
    [InlineData("[WasmPlugin(Abi = WasmAbi.FixedOffset)] public partial interface INoOffset { [WasmExport(\"a\")] string? A(string x); }", "AIR007", "'INoOffset' cannot use the fixed-offset ABI as declared: set InputOffset to the address where the host writes inputs, for example InputOffset = 65536", "INoOffset")]
    [InlineData("[WasmPlugin(Abi = WasmAbi.FixedOffset, InputOffset = 65536)] public partial interface ITwo { [WasmExport(\"a\")] string? A(string x, byte[] y); }", "AIR007", "'ITwo.A' cannot use the fixed-offset ABI as declared: it passes 2 payloads (x, y), but a fixed-offset export takes one input at the input offset", "A")]
    [InlineData("[WasmPlugin(Abi = WasmAbi.FixedOffset, InputOffset = 65536)] public partial interface INotNull { [WasmExport(\"a\")] string A(string x); }", "AIR007", "'INotNull.A' cannot use the fixed-offset ABI as declared: its result must be nullable (string?) because a result offset of 0 means no change, which the method returns as null", "A")]
    [InlineData("[WasmPlugin(Abi = WasmAbi.FixedOffset, InputOffset = 65536)] public partial interface IScalar { [WasmExport(\"a\")] int A(string x); }", "AIR007", "'IScalar.A' cannot use the fixed-offset ABI as declared: an export that takes an input returns the offset of its result; declare the result as a nullable string, byte[] or JSON type, or as void", "A")]
    [InlineData("[WasmHost(\"h\", Abi = WasmAbi.FixedOffset)] public partial interface IHostNoOffset { [WasmImport(\"f\")] string? F(string x); }", "AIR007", "'IHostNoOffset' cannot use the fixed-offset ABI as declared: set ResultOffset to the address where host functions write their results, for example ResultOffset = 4096", "IHostNoOffset")]
    [InlineData("[WasmPlugin(Abi = WasmAbi.PackedPtrLen, InputOffset = 65536)] public partial interface IMixed { [WasmExport(\"a\")] string A(string x); }", "AIR007", "'IMixed' cannot use the fixed-offset ABI as declared: InputOffset applies only to the fixed-offset ABI; remove it or set Abi = WasmAbi.FixedOffset", "IMixed")]
    public void Reports_the_problem_at_its_location(string declaration, string id, string message, string located)
    {
        string source = "using Airlock;\nnamespace N;\n" + declaration;
        GeneratorDriverRunResult result = GeneratorHarness.Run(source);
        Diagnostic diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(message, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(located, source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
        Assert.Equal($"https://github.com/airlock-dev/airlock/blob/main/docs/diagnostics/{id}.md", diagnostic.Descriptor.HelpLinkUri);
        Assert.Empty(result.GeneratedTrees);
    }
}
