using System.Collections.Immutable;
using Airlock.Benchmarks.Plugins;
using Airlock.Generators;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Airlock.Benchmarks.Scenarios;

/// <summary>
/// Scenario 7: the source generator itself. <see cref="AirlockGenerator"/> run by a
/// <see cref="CSharpGeneratorDriver"/> over a compilation of <see cref="Contracts"/> plugin contracts
/// (each with a scalar, a string, a bytes and a SocialScale request-union export, and its own host
/// interface) and <see cref="UnrelatedFiles"/> files that declare none: a full run on a fresh
/// compilation, and the re-run after an edit to an unrelated file, which must do no work (the setup
/// fails unless every step's output is cached or unchanged; how long it takes is only reported).
/// </summary>
[MemoryDiagnoser]
public class GeneratorBenchmarks
{
    /// <summary>The number of plugin contracts.</summary>
    public const int Contracts = 100;

    /// <summary>The number of files without contracts.</summary>
    public const int UnrelatedFiles = 20;

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.CSharp12);
    private static readonly CSharpCompilationOptions CompilationOptions = new(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable);

    private ImmutableArray<SyntaxTree> _trees;
    private ImmutableArray<MetadataReference> _references;
    private CSharpCompilation? _compilation;
    private SyntaxTree? _unrelated;
    private SyntaxTree? _unrelatedEdited;
    private GeneratorDriver? _afterFullRun;

    /// <summary>Parses the sources, runs the generator once and checks what a re-run does.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _trees = [
            .. Enumerable.Range(0, Contracts).Select(i => Parse(ContractSource(i), $"Contract{i}.cs")),
            .. Enumerable.Range(0, UnrelatedFiles).Select(i => Parse(UnrelatedSource(i, 42), $"Unrelated{i}.cs")),
        ];
        _unrelated = _trees[Contracts];
        _unrelatedEdited = Parse(UnrelatedSource(0, 43), _unrelated.FilePath);
        _references = [.. References()];
        _compilation = Compilation();

        GeneratorDriver tracking = Driver(trackSteps: true).RunGenerators(_compilation);
        GeneratorRunResult full = tracking.GetRunResult().Results.Single();
        Check.That(full.Exception is null, $"generator: the full run threw {full.Exception}");
        Check.That(full.GeneratedSources.Length == 2 * Contracts, $"generator: the full run generated {full.GeneratedSources.Length} files, not {2 * Contracts}.");
        Check.That(!full.Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error), $"generator: the full run reported {string.Join("; ", full.Diagnostics)}");

        GeneratorRunResult rerun = tracking.RunGenerators(EditedCompilation()).GetRunResult().Results.Single();
        IncrementalStepRunReason[] reasons = [
            .. new[] { TrackingNames.Contracts, TrackingNames.Hosts }.SelectMany(step => rerun.TrackedSteps[step]).SelectMany(run => run.Outputs).Select(output => output.Reason),
            .. rerun.TrackedOutputSteps.SelectMany(step => step.Value).SelectMany(run => run.Outputs).Select(output => output.Reason),
        ];
        Check.That(reasons.Length >= 2 * Contracts, $"generator: the re-run tracked only {reasons.Length} outputs.");
        Check.That(reasons.All(r => r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged), $"generator: an unrelated edit re-ran work ({string.Join(", ", reasons.Where(r => r is not (IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged)).Distinct())}).");

        _afterFullRun = Driver(trackSteps: false).RunGenerators(_compilation);
    }

    /// <summary>A full run over a fresh compilation of the parsed sources.</summary>
    [Benchmark(Baseline = true)]
    public GeneratorDriver FullRun() => Driver(trackSteps: false).RunGenerators(Compilation());

    /// <summary>The re-run after an edit to a file without contracts.</summary>
    [Benchmark]
    public GeneratorDriver UnrelatedEdit_Rerun() => _afterFullRun!.RunGenerators(EditedCompilation());

    private CSharpCompilation Compilation() => CSharpCompilation.Create("Contracts", _trees, _references, CompilationOptions);

    private CSharpCompilation EditedCompilation() => _compilation!.ReplaceSyntaxTree(_unrelated!, _unrelatedEdited!);

    private static GeneratorDriver Driver(bool trackSteps)
        => CSharpGeneratorDriver.Create(
            [new AirlockGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    private static SyntaxTree Parse(string source, string path) => CSharpSyntaxTree.ParseText(source, ParseOptions, path);

    private static IEnumerable<MetadataReference> References()
        => ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "netstandard.dll" or "mscorlib.dll")
            .Append(typeof(WasmPluginAttribute).Assembly.Location)
            .Append(typeof(Wasmtime.Engine).Assembly.Location)
            .Select(p => MetadataReference.CreateFromFile(p));

    private static string ContractSource(int i) => $$"""
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        using Airlock;
        using Airlock.Abi;
        using Airlock.Contracts.SocialScale;

        namespace Bench.Contracts.C{{i}};

        /// <summary>Contract {{i}}: scalars, text, bytes and the SocialScale request union.</summary>
        [WasmPlugin(JsonContext = typeof(SocialScaleJsonContext), Imports = [typeof(IHost{{i}})])]
        public partial interface IPlugin{{i}}
        {
            /// <summary>Adds.</summary>
            [WasmExport("add")]
            int Add(int a, int b);

            /// <summary>Greets.</summary>
            [WasmExport("greet")]
            ValueTask<string> GreetAsync(string name, CancellationToken cancellationToken = default);

            /// <summary>Hashes.</summary>
            [WasmExport("hash")]
            Task<byte[]> HashAsync(ReadOnlyMemory<byte> data);

            /// <summary>Handles a request.</summary>
            [WasmExport("plugin_handle_request", Envelope = WasmResponseEnvelope.Status)]
            ValueTask<PluginResponse> HandleAsync(PluginRequest request, CancellationToken cancellationToken = default);
        }

        /// <summary>The host functions of contract {{i}}.</summary>
        [WasmHost("env", JsonContext = typeof(SocialScaleJsonContext))]
        public partial interface IHost{{i}}
        {
            /// <summary>Logs.</summary>
            [WasmImport("host_log")]
            void Log(GuestContext guest, PluginLogLevel level, string message);

            /// <summary>Reads.</summary>
            [WasmImport("host_store_get")]
            byte[]? Get(GuestContext guest, string key);

            /// <summary>Fetches.</summary>
            [WasmImport("host_http_request")]
            HostHttpResponse Http(GuestContext guest, HostHttpRequest request);
        }
        """;

    private static string UnrelatedSource(int i, int value) => $$"""
        namespace Bench.Other{{i}};

        /// <summary>Application code that declares no contract.</summary>
        public static class Unrelated{{i}}
        {
            /// <summary>A value.</summary>
            public static int Value => {{value}};

            /// <summary>A computation.</summary>
            public static int Twice(int x) => 2 * x + Value;
        }
        """;
}
