using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Airlock.Cli.Tests.GuestBindings;

/// <summary>
/// Issue 19's stale-binding proof: a contract changed after a plugin was built on its generated bindings (a member renamed,
/// a union case added) changes the bindings, and <c>airlock check</c> refuses the stale plugin (AIR110, naming the wire hash
/// the plugin was built with and the contract's current one) instead of letting it misread an optional member in silence.
/// </summary>
public sealed class StaleBindingsTests : IDisposable
{
    private const string Contract = "Stale.IOrderPlugin";

    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [ClangFact]
    public async Task A_plugin_built_on_stale_bindings_is_refused_by_check_naming_both_hashes()
    {
        string v1 = Compile("v1", note: "Note", refund: false);
        string renamed = Compile("renamed", note: "Remark", refund: false);
        string newCase = Compile("new-case", note: "Note", refund: true);

        // Regenerating changes the bindings: the renamed member and the new case are in the new text and wire hash.
        string Header(string assembly, string name)
        {
            string folder = Path.Combine(_cli.Root, "bindings-" + name);
            CliResult generated = _cli.RunAsync("bindings", "--contract", Contract, "--assembly", assembly, "--lang", "c", "--out", folder).GetAwaiter().GetResult();
            Assert.True(generated.ExitCode == 0, generated.ToString());
            return File.ReadAllText(Path.Combine(folder, "order.h"));
        }

        string h1 = Header(v1, "v1"), h2 = Header(renamed, "renamed"), h3 = Header(newCase, "new-case");
        Assert.Contains("JSON \"note\"", h1);
        Assert.Contains("JSON \"remark\"", h2);
        Assert.DoesNotContain("order_refund(", h1);
        Assert.Contains("order_refund(", h3);
        string hash1 = WireHash(h1), hash2 = WireHash(h2), hash3 = WireHash(h3);
        Assert.Equal(3, new[] { hash1, hash2, hash3 }.Distinct().Count());

        // A plugin built on v1's bindings passes against v1.
        string project = Path.Combine(_cli.Root, "stale");
        CliResult created = await _cli.RunAsync("new", Contract, "--assembly", v1, "--lang", "c", "--name", "stale", "--out", project);
        Assert.True(created.ExitCode == 0, created.ToString());
        (int built, string log) = Clang.Run("bash", project, "build.sh");
        Assert.True(built == 0, log);
        string module = Path.Combine(project, "stale.wasm");
        CliResult fresh = await _cli.RunAsync("check", module, "--contract", Contract, "--assembly", v1);
        Assert.True(fresh.ExitCode == 0, fresh.ToString());

        // The same module against the changed contracts: every export and import still fits by name and type, so only
        // the bindings' wire hash shows that "remark" would be read as missing (an optional member) and "refund" unknown.
        foreach ((string assembly, string now) in new[] { (renamed, hash2), (newCase, hash3) })
        {
            CliResult stale = await _cli.RunAsync("check", module, "--contract", Contract, "--assembly", assembly);
            Assert.Equal(1, stale.ExitCode);
            Assert.Contains("error AIR110:", stale.Out);
            Assert.Contains($"wire hash {hash1}, but the contract's wire hash is now {now}", stale.Out);
        }

        // Checked against another contract with other JSON, the section names the one it was built from; against another
        // contract with the same wire (same exports, payloads and imports), nothing can be misread and the module fits.
        CliResult other = await _cli.RunAsync("check", module, "--contract", "Stale.IOtherPlugin", "--assembly", v1);
        Assert.Equal(1, other.ExitCode);
        Assert.Contains($"its bindings were generated from contract 'Stale.IOrderPlugin' with wire hash {hash1}, not from 'Stale.IOtherPlugin'", other.Out);
        CliResult same = await _cli.RunAsync("check", module, "--contract", "Stale.ISameWirePlugin", "--assembly", v1);
        Assert.True(same.ExitCode == 0, same.ToString());
    }

    [AssemblyScriptFact]
    public async Task An_assemblyscript_plugin_built_on_stale_bindings_is_refused_by_check_and_passes_once_rebuilt()
    {
        string v1 = Compile("as-v1", note: "Note", refund: false);
        string renamed = Compile("as-renamed", note: "Remark", refund: false);
        string newCase = Compile("as-new-case", note: "Note", refund: true);

        // Regenerating changes the bindings: the renamed member and the new case are in the new text and wire hash.
        (string Types, string Exports) Bindings(string assembly, string name)
        {
            string folder = Path.Combine(_cli.Root, "as-bindings-" + name);
            CliResult generated = _cli.RunAsync("bindings", "--contract", Contract, "--assembly", assembly, "--lang", "assemblyscript", "--out", folder).GetAwaiter().GetResult();
            Assert.True(generated.ExitCode == 0, generated.ToString());
            return (File.ReadAllText(Path.Combine(folder, "order.ts")), File.ReadAllText(Path.Combine(folder, "order.exports.ts")));
        }

        var b1 = Bindings(v1, "v1");
        var b2 = Bindings(renamed, "renamed");
        var b3 = Bindings(newCase, "new-case");
        Assert.Contains("JSON \"note\"", b1.Types);
        Assert.Contains("JSON \"remark\"", b2.Types);
        Assert.DoesNotContain("function refund(", b1.Exports);
        Assert.Contains("function refund(", b3.Exports);
        string hash1 = AsWireHash(b1.Types), hash2 = AsWireHash(b2.Types), hash3 = AsWireHash(b3.Types);
        Assert.Equal(3, new[] { hash1, hash2, hash3 }.Distinct().Count());

        // A plugin built on v1's bindings by the scaffold's own build script carries v1's stamp and passes against v1.
        string project = Path.Combine(_cli.Root, "as-stale");
        CliResult created = await _cli.RunAsync("new", Contract, "--assembly", v1, "--lang", "assemblyscript", "--name", "as-stale", "--out", project);
        Assert.True(created.ExitCode == 0, created.ToString());
        AssemblyScriptToolchain.LinkInto(project);
        (int built, string log) = Clang.Run("bash", project, "build.sh");
        Assert.True(built == 0, log);
        string module = Path.Combine(project, "as-stale.wasm");
        CliResult fresh = await _cli.RunAsync("check", module, "--contract", Contract, "--assembly", v1);
        Assert.True(fresh.ExitCode == 0, fresh.ToString());

        // Against the changed contracts every export still fits by name and type; only the stamp shows the module is stale.
        foreach ((string assembly, string now) in new[] { (renamed, hash2), (newCase, hash3) })
        {
            CliResult stale = await _cli.RunAsync("check", module, "--contract", Contract, "--assembly", assembly);
            Assert.Equal(1, stale.ExitCode);
            Assert.Contains("error AIR110:", stale.Out);
            Assert.Contains($"wire hash {hash1}, but the contract's wire hash is now {now}", stale.Out);
        }

        // Regenerated from the changed contract and rebuilt, the same plugin passes.
        foreach ((string assembly, string name) in new[] { (renamed, "renamed"), (newCase, "new-case") })
        {
            CliResult regenerated = await _cli.RunAsync("bindings", "--contract", Contract, "--assembly", assembly, "--lang", "assemblyscript", "--out", Path.Combine(project, "assembly", "bindings"));
            Assert.True(regenerated.ExitCode == 0, regenerated.ToString());
            (built, log) = Clang.Run("bash", project, "build.sh");
            Assert.True(built == 0, name + ": " + log);
            CliResult rebuilt = await _cli.RunAsync("check", module, "--contract", Contract, "--assembly", assembly);
            Assert.True(rebuilt.ExitCode == 0, name + ": " + rebuilt);
        }
    }

    private static string AsWireHash(string types)
    {
        const string marker = "export const WIRE_HASH = \"";
        int at = types.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(at >= 0, "the bindings define WIRE_HASH");
        return types.Substring(at + marker.Length, 16);
    }

    [CargoFact]
    public async Task A_rust_plugin_built_on_stale_bindings_is_refused_by_check_and_passes_once_rebuilt_on_regenerated_ones()
    {
        string v1 = Compile("rust-v1", note: "Note", refund: false);
        string renamed = Compile("rust-renamed", note: "Remark", refund: false);
        string newCase = Compile("rust-new-case", note: "Note", refund: true);

        // Regenerating changes the Rust bindings: the renamed member, the new case's method, the wire hash and the section.
        string Bindings(string assembly, string name)
        {
            string folder = Path.Combine(_cli.Root, "rust-bindings-" + name);
            CliResult generated = _cli.RunAsync("bindings", "--contract", Contract, "--assembly", assembly, "--lang", "rust", "--out", folder).GetAwaiter().GetResult();
            Assert.True(generated.ExitCode == 0, generated.ToString());
            return File.ReadAllText(Path.Combine(folder, "order.rs"));
        }

        string r1 = Bindings(v1, "v1"), r2 = Bindings(renamed, "renamed"), r3 = Bindings(newCase, "new-case");
        Assert.Contains("/// JSON \"note\"", r1);
        Assert.Contains("/// JSON \"remark\"", r2);
        Assert.DoesNotContain("fn refund(", r1);
        Assert.Contains("fn refund(", r3);
        string hash1 = RustWireHash(r1), hash2 = RustWireHash(r2), hash3 = RustWireHash(r3);
        Assert.Equal(3, new[] { hash1, hash2, hash3 }.Distinct().Count());
        Assert.Equal(Airlock.GuestBindings.GuestBindingsGenerator.WireHash(v1, Contract), hash1);
        Assert.Contains($"#[link_section = \"airlock.bindings:{Contract}:{hash1}\"]", r1);

        // A plugin built on v1's bindings carries the section in its module (through LTO and stripping) and passes against v1.
        string project = Path.Combine(_cli.Root, "stale-rust");
        CliResult created = await _cli.RunAsync("new", Contract, "--assembly", v1, "--lang", "rust", "--name", "stale-rust", "--out", project);
        Assert.True(created.ExitCode == 0, created.ToString());
        (int built, string log) = Cargo.Run("bash", project, "build.sh");
        Assert.True(built == 0, log);
        string module = Path.Combine(project, "stale-rust.wasm");
        Assert.Equal([$"airlock.bindings:{Contract}:{hash1}"], CustomSections(File.ReadAllBytes(module)).Where(n => n.StartsWith("airlock.bindings:", StringComparison.Ordinal)));
        CliResult fresh = await _cli.RunAsync("check", module, "--contract", Contract, "--assembly", v1);
        Assert.True(fresh.ExitCode == 0, fresh.ToString());

        // Against the changed contracts the stale module is refused, naming both hashes.
        foreach ((string assembly, string now) in new[] { (renamed, hash2), (newCase, hash3) })
        {
            CliResult stale = await _cli.RunAsync("check", module, "--contract", Contract, "--assembly", assembly);
            Assert.Equal(1, stale.ExitCode);
            Assert.Contains("error AIR110:", stale.Out);
            Assert.Contains($"wire hash {hash1}, but the contract's wire hash is now {now}", stale.Out);
        }

        // Rename, regenerate, rebuild: the module now carries the renamed contract's hash and passes.
        File.WriteAllText(Path.Combine(project, "src", "order.rs"), r2);
        (built, log) = Cargo.Run("bash", project, "build.sh");
        Assert.True(built == 0, log);
        CliResult rebuilt = await _cli.RunAsync("check", module, "--contract", Contract, "--assembly", renamed);
        Assert.True(rebuilt.ExitCode == 0, rebuilt.ToString());
        CliResult old = await _cli.RunAsync("check", module, "--contract", Contract, "--assembly", v1);
        Assert.Contains($"wire hash {hash2}, but the contract's wire hash is now {hash1}", old.Out);
    }

    private static string RustWireHash(string bindings)
    {
        const string marker = "pub const WIRE_HASH: &str = \"";
        int at = bindings.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(at >= 0, "the bindings define WIRE_HASH");
        return bindings.Substring(at + marker.Length, 16);
    }

    // The names of a module's custom sections, read from its binary (section id 0: a name, then the contents).
    private static List<string> CustomSections(byte[] wasm)
    {
        var names = new List<string>();
        int at = 8;
        while (at < wasm.Length)
        {
            byte id = wasm[at++];
            int size = (int)Leb(wasm, ref at);
            int end = at + size;
            if (id == 0)
            {
                int length = (int)Leb(wasm, ref at);
                names.Add(System.Text.Encoding.UTF8.GetString(wasm, at, length));
            }

            at = end;
        }

        return names;
    }

    private static uint Leb(byte[] bytes, ref int at)
    {
        uint value = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = bytes[at++];
            value |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
    }

    private static string WireHash(string header)
    {
        const string marker = "#define ORDER_WIRE_HASH \"";
        int at = header.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(at >= 0, "the header defines ORDER_WIRE_HASH");
        return header.Substring(at + marker.Length, 16);
    }

    // The contract, compiled with Airlock's source generator (as a user's build would), into its own folder.
    private string Compile(string name, string note, bool refund)
    {
        string source = $$"""
            using System.Text.Json.Serialization;
            using Airlock;

            namespace Stale;

            [JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
            [JsonDerivedType(typeof(PriceRequest), "price")]
            {{(refund ? "[JsonDerivedType(typeof(RefundRequest), \"refund\")]" : string.Empty)}}
            public abstract record OrderRequest;

            public sealed record PriceRequest(string Id, string? {{note}} = null) : OrderRequest, IWasmRequest<Receipt>;

            public sealed record RefundRequest(string Id) : OrderRequest, IWasmRequest<Receipt>;

            public sealed record Receipt(string Id, long Cents);

            public sealed class OrderResponse
            {
                [JsonExtensionData]
                public System.Collections.Generic.Dictionary<string, System.Text.Json.JsonElement> Fields { get; set; } = [];
            }

            [WasmPlugin(JsonContext = typeof(OrderJsonContext), AllowWasi = false)]
            public partial interface IOrderPlugin
            {
                [WasmExport("handle", Envelope = WasmResponseEnvelope.Status)]
                System.Threading.Tasks.ValueTask<OrderResponse> HandleAsync(OrderRequest request, System.Threading.CancellationToken cancellationToken = default);
            }

            [WasmPlugin(JsonContext = typeof(OrderJsonContext), AllowWasi = false)]
            public partial interface ISameWirePlugin
            {
                [WasmExport("handle", Envelope = WasmResponseEnvelope.Status)]
                System.Threading.Tasks.ValueTask<OrderResponse> HandleAsync(OrderRequest request, System.Threading.CancellationToken cancellationToken = default);
            }

            [WasmPlugin(JsonContext = typeof(OrderJsonContext), AllowWasi = false)]
            public partial interface IOtherPlugin
            {
                [WasmExport("handle", Envelope = WasmResponseEnvelope.Status)]
                System.Threading.Tasks.ValueTask<Receipt> HandleAsync(PriceRequest request, System.Threading.CancellationToken cancellationToken = default);
            }

            [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
            [JsonSerializable(typeof(OrderRequest))]
            [JsonSerializable(typeof(PriceRequest))]
            [JsonSerializable(typeof(Receipt))]
            [JsonSerializable(typeof(OrderResponse))]
            public sealed partial class OrderJsonContext : JsonSerializerContext;
            """;
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        IEnumerable<MetadataReference> references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Select(p => MetadataReference.CreateFromFile(p));
        CSharpCompilation compilation = CSharpCompilation.Create(
            "Stale.Contract",
            [CSharpSyntaxTree.ParseText(source, parse)],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var generator = (IIncrementalGenerator)Activator.CreateInstance(Assembly.LoadFrom(GeneratorPath()).GetType("Airlock.Generators.AirlockGenerator", throwOnError: true)!)!;
        CSharpGeneratorDriver.Create([generator.AsSourceGenerator(), .. JsonGenerators()], parseOptions: parse)
            .RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out _);
        string folder = Path.Combine(_cli.Root, "contract-" + name);
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, "Stale.Contract.dll");
        Microsoft.CodeAnalysis.Emit.EmitResult emitted = output.Emit(path);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        return path;
    }

    // System.Text.Json's source generator from the SDK's targeting pack, for the contract's JsonSerializerContext.
    private static IEnumerable<ISourceGenerator> JsonGenerators()
    {
        string root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", "..", ".."));
        string analyzer = Directory.EnumerateFiles(Path.Combine(root, "packs", "Microsoft.NETCore.App.Ref"), "System.Text.Json.SourceGeneration.dll", SearchOption.AllDirectories)
            .Where(p => p.Contains(Path.Combine("analyzers", "dotnet", "cs"), StringComparison.Ordinal))
            .OrderDescending(StringComparer.Ordinal)
            .First();
        return Assembly.LoadFrom(analyzer).GetTypes()
            .Where(t => !t.IsAbstract && typeof(IIncrementalGenerator).IsAssignableFrom(t))
            .Select(t => ((IIncrementalGenerator)Activator.CreateInstance(t)!).AsSourceGenerator());
    }

    // The source generator as the repository built it (the Contracts project builds it as its analyzer).
    private static string GeneratorPath()
        => Directory.EnumerateFiles(Path.Combine(CliHarness.RepositoryRoot, "src", "Generators", "bin"), "Airlock.Generators.dll", SearchOption.AllDirectories)
            .OrderByDescending(File.GetLastWriteTimeUtc)
            .First();
}
