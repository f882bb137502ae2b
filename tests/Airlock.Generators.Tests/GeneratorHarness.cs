using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace Airlock.Generators.Tests;

/// <summary>Runs Airlock's generator over source text, directly or through Microsoft.CodeAnalysis.Testing.</summary>
internal static class GeneratorHarness
{
    /// <summary>The reference assemblies generated code is verified against (served by the NuGet copy here).</summary>
    public static readonly ReferenceAssemblies Net10 = new(
        "net10.0",
        new PackageIdentity("Microsoft.NETCore.App.Ref", "10.0.10"),
        Path.Combine("ref", "net10.0"));

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.CSharp12);

    /// <summary>Airlock.Contracts and Wasmtime, which every contract compiles against.</summary>
    public static ImmutableArray<MetadataReference> AirlockReferences { get; } =
    [
        MetadataReference.CreateFromFile(typeof(WasmPluginAttribute).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(Wasmtime.Engine).Assembly.Location),
    ];

    public static CSharpCompilation Compile(params string[] sources)
    {
        IEnumerable<MetadataReference> runtime = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "netstandard.dll" or "mscorlib.dll")
            .Select(p => MetadataReference.CreateFromFile(p));
        return CSharpCompilation.Create(
            "Contracts",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Contract{i}.cs")),
            runtime.Concat(AirlockReferences),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
    }

    public static GeneratorDriver CreateDriver()
        => CSharpGeneratorDriver.Create(
            [new AirlockGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>A driver that also sees plugin modules (paths on disk), tied by metadata to the contracts named.</summary>
    public static GeneratorDriver CreateDriver(IEnumerable<AdditionalText> modules, IReadOnlyDictionary<string, string> contracts)
        => CSharpGeneratorDriver.Create(
            [new AirlockGenerator().AsSourceGenerator()],
            modules,
            ParseOptions,
            new ModuleOptionsProvider(contracts),
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    public static GeneratorDriverRunResult Run(params string[] sources)
        => CreateDriver().RunGenerators(Compile(sources)).GetRunResult();

    /// <summary>The diagnostics <see cref="ContractAnalyzer"/> reports for <paramref name="sources"/>.</summary>
    public static ImmutableArray<Diagnostic> Analyze(params string[] sources)
        => Compile(sources)
            .WithAnalyzers([new ContractAnalyzer()])
            .GetAnalyzerDiagnosticsAsync()
            .GetAwaiter()
            .GetResult();
}
