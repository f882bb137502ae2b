using System.Collections.Immutable;
using System.Globalization;
using Airlock.Generators.CodeFixes;
using Airlock.Generators.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;
using Microsoft.CodeAnalysis.Text;

namespace Airlock.Generators.Tests;

/// <summary>
/// The code fixes of AIR001, AIR006 and AIR008, run by Microsoft.CodeAnalysis.Testing: it applies each
/// fix one diagnostic at a time and with Fix All (document, project, solution), compares the result with
/// the expected source, and checks that the analyzer reports nothing more on it than what is marked there.
/// </summary>
public sealed class CodeFixTests
{
    [Fact]
    public async Task AIR001_adds_partial_after_the_modifiers()
    {
        const string source = """
            using Airlock;

            namespace N;

            /// <summary>Greets.</summary>
            [WasmPlugin]
            public interface {|AIR001:IGreeter|}
            {
                [WasmExport("greet")]
                string Greet(string name);
            }
            """;
        const string fixedSource = """
            using Airlock;

            namespace N;

            /// <summary>Greets.</summary>
            [WasmPlugin]
            public partial interface IGreeter
            {
                [WasmExport("greet")]
                string Greet(string name);
            }
            """;
        await VerifyAsync<MakePartialCodeFix>(source, fixedSource, "AIR001");
    }

    [Fact]
    public async Task AIR001_fixes_all_contracts_and_keeps_the_trivia_before_interface()
    {
        const string source = """
            using Airlock;

            namespace N;

            [WasmPlugin] internal interface {|AIR001:IPlugin|} { [WasmExport("a")] int A(int x); }

            [WasmHost("env")]
            // The host side.
            interface {|AIR001:IHost|}
            {
                [WasmImport("log")]
                void Log(string text);
            }
            """;
        const string fixedSource = """
            using Airlock;

            namespace N;

            [WasmPlugin] internal partial interface IPlugin { [WasmExport("a")] int A(int x); }

            [WasmHost("env")]
            // The host side.
            partial interface IHost
            {
                [WasmImport("log")]
                void Log(string text);
            }
            """;
        await VerifyAsync<MakePartialCodeFix>(source, fixedSource, "AIR001");
    }

    [Fact]
    public async Task AIR006_binds_a_plugin_method_to_its_snake_case_export()
    {
        const string source = """
            using System.Threading.Tasks;
            using Airlock;

            namespace N;

            [WasmPlugin]
            public partial interface IGreeter
            {
                [WasmExport("greet")]
                string Greet(string name);

                /// <summary>Hashes the text.</summary>
                Task<int> {|AIR006:ComputeHTTPHashAsync|}(string text);
            }
            """;
        const string fixedSource = """
            using System.Threading.Tasks;
            using Airlock;

            namespace N;

            [WasmPlugin]
            public partial interface IGreeter
            {
                [WasmExport("greet")]
                string Greet(string name);

                /// <summary>Hashes the text.</summary>
                [WasmExport("compute_http_hash")]
                Task<int> ComputeHTTPHashAsync(string text);
            }
            """;
        await VerifyAsync<AddBindingCodeFix>(source, fixedSource, "AIR006");
    }

    [Fact]
    public async Task AIR006_binds_a_host_method_to_an_import_and_adds_the_using()
    {
        const string source = """
            namespace N;

            [Airlock.WasmHost("env")]
            public partial interface IAppHost
            {
                void {|AIR006:LogMessage|}(string text);
            }
            """;
        const string fixedSource = """
            using Airlock;

            namespace N;

            [Airlock.WasmHost("env")]
            public partial interface IAppHost
            {
                [WasmImport("log_message")]
                void LogMessage(string text);
            }
            """;
        await VerifyAsync<AddBindingCodeFix>(source, fixedSource, "AIR006");
    }

    [Fact]
    public async Task AIR006_fixes_all_methods_with_free_names_and_leaves_properties()
    {
        // alloc is reserved under the packed ptr+len ABI, so Alloc binds plugin_alloc; GetAsync finds get
        // taken by Get. A property cannot be bound: it keeps its diagnostic and gets no fix.
        const string source = """
            namespace N;

            [Airlock.WasmPlugin]
            public partial interface IFilter
            {
                int {|AIR006:Alloc|}(int size);

                void {|AIR006:Run|}();

                int {|AIR006:Get|}();

                System.Threading.Tasks.Task<int> {|AIR006:GetAsync|}();

                int {|AIR006:Count|} { get; }
            }

            [Airlock.WasmPlugin]
            public partial interface IInline { int {|AIR006:A|}(int x); }
            """;
        const string fixedSource = """
            using Airlock;

            namespace N;

            [Airlock.WasmPlugin]
            public partial interface IFilter
            {
                [WasmExport("plugin_alloc")]
                int Alloc(int size);

                [WasmExport("run")]
                void Run();

                [WasmExport("get")]
                int Get();

                [WasmExport("plugin_get")]
                System.Threading.Tasks.Task<int> GetAsync();

                int {|AIR006:Count|} { get; }
            }

            [Airlock.WasmPlugin]
            public partial interface IInline { [WasmExport("a")] int A(int x); }
            """;
        await VerifyAsync<AddBindingCodeFix>(source, fixedSource, "AIR006", remaining: 1);
    }

    [Fact]
    public async Task AIR008_renames_the_export_to_the_snake_case_method_name()
    {
        const string source = """
            using Airlock;

            namespace N;

            [WasmPlugin]
            public partial interface IImageFilter
            {
                [WasmExport("alloc")]
                int {|AIR008:ReserveBuffer|}(int size);

                [WasmExport("_start", WhenMissing = WasmMissingExport.Skip)]
                void {|AIR008:Run|}();
            }
            """;
        const string fixedSource = """
            using Airlock;

            namespace N;

            [WasmPlugin]
            public partial interface IImageFilter
            {
                [WasmExport("reserve_buffer")]
                int ReserveBuffer(int size);

                [WasmExport("run", WhenMissing = WasmMissingExport.Skip)]
                void Run();
            }
            """;
        await VerifyAsync<RenameReservedExportCodeFix>(source, fixedSource, "AIR008");
    }

    [Fact]
    public async Task AIR008_prefixes_plugin_then_numbers_when_the_snake_case_name_is_reserved_or_bound()
    {
        const string source = """
            using Airlock;

            namespace N;

            [WasmPlugin]
            public partial interface IImageFilter
            {
                [WasmExport("alloc")]
                int {|AIR008:Alloc|}(int size);

                [WasmExport("memory")]
                void {|AIR008:Memory|}();

                [WasmExport("plugin_memory")]
                void Other();
            }
            """;
        const string fixedSource = """
            using Airlock;

            namespace N;

            [WasmPlugin]
            public partial interface IImageFilter
            {
                [WasmExport("plugin_alloc")]
                int Alloc(int size);

                [WasmExport("plugin_memory_2")]
                void Memory();

                [WasmExport("plugin_memory")]
                void Other();
            }
            """;
        await VerifyAsync<RenameReservedExportCodeFix>(source, fixedSource, "AIR008");
    }

    [Fact]
    public async Task AIR008_follows_the_fixed_offset_reservations()
    {
        // Under the fixed-offset ABI the result-length export is reserved and alloc is free.
        const string source = """
            using Airlock;

            namespace N;

            [WasmPlugin(InputOffset = 65536, ResultLengthExport = "result_len")]
            public partial interface IHooks
            {
                [WasmExport("result_len")]
                string? {|AIR008:ResultLen|}(string x);

                [WasmExport("_initialize")]
                string? {|AIR008:Alloc|}(string x);
            }
            """;
        const string fixedSource = """
            using Airlock;

            namespace N;

            [WasmPlugin(InputOffset = 65536, ResultLengthExport = "result_len")]
            public partial interface IHooks
            {
                [WasmExport("plugin_result_len")]
                string? ResultLen(string x);

                [WasmExport("alloc")]
                string? Alloc(string x);
            }
            """;
        await VerifyAsync<RenameReservedExportCodeFix>(source, fixedSource, "AIR008");
    }

    [Theory]
    [InlineData("Greet", "greet")]
    [InlineData("GetUserAsync", "get_user")]
    [InlineData("Async", "async")]
    [InlineData("ParseHTTPRequest", "parse_http_request")]
    [InlineData("IOStream", "io_stream")]
    [InlineData("Sha256Hash", "sha256_hash")]
    [InlineData("GetV2", "get_v2")]
    [InlineData("Before_Save", "before_save")]
    [InlineData("handleRequest", "handle_request")]
    public void Export_names_are_the_method_name_in_snake_case_without_Async(string method, string export)
        => Assert.Equal(export, ExportNames.SnakeCase(method));

    [Fact]
    public void The_fixes_handle_the_ids_the_analyzer_reports()
    {
        Assert.Equal(Descriptors.NotPartial.Id, Assert.Single(new MakePartialCodeFix().FixableDiagnosticIds));
        Assert.Equal(Descriptors.UnboundMember.Id, Assert.Single(new AddBindingCodeFix().FixableDiagnosticIds));
        Assert.Equal(Descriptors.ReservedExportName.Id, Assert.Single(new RenameReservedExportCodeFix().FixableDiagnosticIds));
    }

    /// <summary>
    /// Runs <typeparamref name="TFix"/> over <paramref name="source"/> and expects <paramref name="fixedSource"/>;
    /// then runs <see cref="ContractAnalyzer"/> directly over the result, which must leave <paramref name="remaining"/>
    /// diagnostics of <paramref name="id"/> (those the fix does not apply to).
    /// </summary>
    private static async Task VerifyAsync<TFix>(string source, string fixedSource, string id, int remaining = 0)
        where TFix : CodeFixProvider, new()
    {
        var test = new CSharpCodeFixTest<ContractAnalyzer, TFix, DefaultVerifier>
        {
            ReferenceAssemblies = GeneratorHarness.Net10,
            TestCode = source,
            FixedCode = fixedSource,
        };
        test.TestState.AdditionalReferences.AddRange(GeneratorHarness.AirlockReferences);

        // By default the fixed source's markup of a fixable id is ignored; here it marks what the fix leaves.
        test.FixedState.MarkupHandling = MarkupMode.Allow;
        await test.RunAsync();

        TestFileMarkupParser.GetSpans(fixedSource, out string plain, out ImmutableDictionary<string, ImmutableArray<TextSpan>> _);
        Diagnostic[] left = [.. GeneratorHarness.Analyze(plain).Where(d => d.Id == id)];
        Assert.True(left.Length == remaining, string.Join(Environment.NewLine, left.Select(d => d.GetMessage(CultureInfo.InvariantCulture))));
    }
}
