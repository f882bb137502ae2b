using Microsoft.CodeAnalysis;

namespace Airlock.Generators.Tests;

/// <summary>Contracts the generator cannot bind are reported with an AIR id, a message naming the parts, and a location.</summary>
public sealed class DiagnosticTests
{
    private const string Json = "using System.Text.Json.Serialization; ";
    private const string Plugin = "[WasmPlugin(JsonContext = typeof(Ctx))] public partial interface IU { [WasmExport(\"a\")] int A(U u); }";

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
    [InlineData("[WasmPlugin] public partial interface IRes { [WasmExport(\"alloc\")] int A(int x); }", "AIR008", "'A' binds export 'alloc', which the packed ptr+len ABI reserves: the host allocates and frees payload buffers in guest memory with it; bind another name", "A")]
    [InlineData("[WasmPlugin(AllocExport = \"malloc\", FreeExport = \"free\")] public partial interface IMalloc { [WasmExport(\"free\")] int A(int x); }", "AIR008", "'A' binds export 'free', which the packed ptr+len ABI reserves: the host allocates and frees payload buffers in guest memory with it; bind another name", "A")]
    [InlineData("[WasmPlugin(InputOffset = 65536)] public partial interface IResLen { [WasmExport(\"__hook_result_len\")] string? A(string x); }", "AIR008", "'A' binds export '__hook_result_len', which the fixed-offset ABI reserves: it reports the length of each result (the contract's ResultLengthExport); bind another name", "A")]
    [InlineData("[WasmPlugin] public partial interface IInit { [WasmExport(\"_initialize\")] void A(); }", "AIR008", "'A' binds export '_initialize', which the packed ptr+len ABI reserves: Airlock calls it once after instantiation to initialise a reactor module; bind another name", "A")]
    [InlineData(Json + "[JsonPolymorphic] public abstract record U; [JsonSerializable(typeof(U))] public partial class Ctx : JsonSerializerContext; " + Plugin, "AIR009", "Union 'N.U' cannot cross as a tagged union: it has no [JsonDerivedType] cases; add [JsonDerivedType(typeof(Case), \"case\")] for each case", "u")]
    [InlineData(Json + "[JsonDerivedType(typeof(PostRequest))] public abstract record U; public sealed record PostRequest(string Text) : U; [JsonSerializable(typeof(U))] public partial class Ctx : JsonSerializerContext; " + Plugin, "AIR009", "Union 'N.U' cannot cross as a tagged union: its case 'N.PostRequest' has no discriminator; write [JsonDerivedType(typeof(N.PostRequest), \"post_request\")]", "u")]
    [InlineData(Json + "[JsonDerivedType(typeof(A1), \"x\")][JsonDerivedType(typeof(B1), \"x\")] public abstract record U; public sealed record A1 : U; public sealed record B1 : U; [JsonSerializable(typeof(U))] public partial class Ctx : JsonSerializerContext; " + Plugin, "AIR010", "Union 'N.U' gives discriminator \"x\" to both 'N.A1' and 'N.B1'; each case needs its own", "u")]
    [InlineData(Json + "[JsonDerivedType(typeof(A1), 7)][JsonDerivedType(typeof(B1), 7)] public abstract record U; public sealed record A1 : U; public sealed record B1 : U; [JsonSerializable(typeof(U))] public partial class Ctx : JsonSerializerContext; " + Plugin, "AIR010", "Union 'N.U' gives discriminator 7 to both 'N.A1' and 'N.B1'; each case needs its own", "u")]
    [InlineData(Json + "[JsonDerivedType(typeof(A1), \"a\")] public abstract record U; public abstract record A1 : U; [JsonSerializable(typeof(U))] public partial class Ctx : JsonSerializerContext; " + Plugin, "AIR011", "Case 'N.A1' of union 'N.U' (discriminator \"a\") cannot be serialised: it is abstract", "u")]
    [InlineData(Json + "[JsonDerivedType(typeof(A1), \"a\")] public abstract record U; public sealed record A1; [JsonSerializable(typeof(U))] public partial class Ctx : JsonSerializerContext; " + Plugin, "AIR011", "Case 'N.A1' of union 'N.U' (discriminator \"a\") cannot be serialised: it does not derive from 'N.U'", "u")]
    [InlineData(Json + "public sealed record U(string V); public sealed record Other(int X); [JsonSerializable(typeof(Other))] public partial class Ctx : JsonSerializerContext; " + Plugin, "AIR012", "JsonContext 'N.Ctx' of 'IU' cannot serialise its payloads: it does not cover 'N.U'; add [JsonSerializable(typeof(N.U))] to it", "u")]
    [InlineData(Json + "public sealed record U(string V); public sealed class Ctx; " + Plugin, "AIR012", "JsonContext 'N.Ctx' of 'IU' cannot serialise its payloads: it is not a JsonSerializerContext; declare a partial class deriving from JsonSerializerContext with [JsonSerializable(typeof(...))] for each payload type", "IU")]
    public void Reports_the_problem_at_its_location(string declaration, string id, string message, string located)
    {
        string source = "using Airlock;\nnamespace N;\n" + declaration;
        Diagnostic diagnostic = Assert.Single(GeneratorHarness.Analyze(source));
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(message, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(located, source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
        Assert.Equal($"https://github.com/airlock-dev/airlock/blob/main/docs/diagnostics/{id}.md", diagnostic.Descriptor.HelpLinkUri);

        // The generator shares the analyzer's parser: what the analyzer rejects is left unbound, silently.
        GeneratorDriverRunResult result = GeneratorHarness.Run(source);
        Assert.Empty(result.GeneratedTrees);
        Assert.Empty(result.Diagnostics);
    }

    [Theory]
    [InlineData("Doctor", "doctor")]
    [InlineData("run", "run")]
    [InlineData("NEW", "new")]
    public void A_Samuel_contract_cannot_bind_a_Samuel_verb(string export, string verb)
    {
        // A contract that imports the samuel host module is a Samuel plugin's: its exports must not collide with Samuel's verbs.
        string source = "using Airlock;\nnamespace N;\n[WasmHost(\"samuel\")] public partial interface IS { [WasmImport(\"log\")] void Log(int level); }\n"
            + "[WasmPlugin(Imports = [typeof(IS)])] public partial interface ISam { [WasmExport(\"" + export + "\")] int A(int x); }";
        Diagnostic diagnostic = Assert.Single(GeneratorHarness.Analyze(source));
        Assert.Equal("AIR008", diagnostic.Id);
        Assert.Equal($"'A' binds export '{export}', which the Samuel plugin system reserves: it collides with '{verb}', one of Samuel's own verbs (init, install, uninstall, update, search, info, ls, list, run, doctor, sync, version, new; compared ignoring case); bind another name", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));

        // The same export name is free for a contract that is not a Samuel plugin's.
        Assert.Empty(GeneratorHarness.Analyze(source.Replace("Imports = [typeof(IS)]", "Imports = []", StringComparison.Ordinal)));
    }

    [Fact]
    public void Sound_contracts_have_no_diagnostics()
    {
        Assert.Empty(GeneratorHarness.Analyze(Contracts.Greeter, Contracts.Connector, Contracts.Host, Contracts.Hooks));

        // Cases are covered through the union's root; nested member types through their owner.
        string source = "using Airlock;\nnamespace N;\n" + Json
            + "[JsonPolymorphic][JsonDerivedType(typeof(A1), \"a\")][JsonDerivedType(typeof(B1), \"b\")] public abstract record U; public sealed record A1(Inner I) : U; public sealed record B1 : U; public sealed record Inner(int X); "
            + "[JsonSerializable(typeof(U))] public partial class Ctx : JsonSerializerContext; "
            + "[WasmPlugin(JsonContext = typeof(Ctx))] public partial interface IU { [WasmExport(\"a\")] int A(U u); [WasmExport(\"b\")] Inner? B(A1 a); }";
        Assert.Empty(GeneratorHarness.Analyze(source));
    }

    [Fact]
    public void A_union_export_whose_result_is_not_json_is_bound_without_per_case_methods()
    {
        string source = "using Airlock;\nnamespace N;\n" + Json
            + "[JsonPolymorphic][JsonDerivedType(typeof(A1), \"a\")] public abstract record U; public sealed record A1(int X) : U; "
            + "[JsonSerializable(typeof(U))] public partial class Ctx : JsonSerializerContext; "
            + "[WasmPlugin(JsonContext = typeof(Ctx))] public partial interface IU { [WasmExport(\"e\")] string Echo(U u); }";
        GeneratorDriverRunResult result = GeneratorHarness.Run(source);

        GeneratorRunResult run = Assert.Single(result.Results);
        Assert.Null(run.Exception);
        Assert.Empty(result.Diagnostics);
        string generated = Assert.Single(result.GeneratedTrees).ToString();
        Assert.Contains("JsonPayload.Write(call, _u, _client._uUnion,", generated, StringComparison.Ordinal);
        Assert.Contains("public string Echo(global::N.U u)", generated, StringComparison.Ordinal);
        Assert.DoesNotContain(" A(int x", generated, StringComparison.Ordinal);

        // It compiles with System.Text.Json's generator too: see IShapeText in Airlock.Host.Tests.
    }
}
