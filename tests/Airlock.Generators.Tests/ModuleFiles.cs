using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace Airlock.Generators.Tests;

/// <summary>An additional file on disk, as the build hands it over: a path (its text is never read).</summary>
internal sealed class ModuleFile(string path) : AdditionalText
{
    public override string Path { get; } = path;

    public override SourceText? GetText(CancellationToken cancellationToken = default)
        => throw new InvalidOperationException("Plugin modules are binary; Airlock must not read them as text (CS2015).");
}

/// <summary>Analyzer config options carrying <c>AirlockContract</c> item metadata per additional file.</summary>
internal sealed class ModuleOptionsProvider(IReadOnlyDictionary<string, string> contracts) : AnalyzerConfigOptionsProvider
{
    public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(ImmutableDictionary<string, string>.Empty);

    public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => GlobalOptions;

    public override AnalyzerConfigOptions GetOptions(AdditionalText textFile)
        => contracts.TryGetValue(textFile.Path, out string? contract)
            ? new Options(ImmutableDictionary<string, string>.Empty.Add(AirlockGenerator.ContractMetadata, contract))
            : GlobalOptions;

    private sealed class Options(ImmutableDictionary<string, string> values) : AnalyzerConfigOptions
    {
        public override bool TryGetValue(string key, [NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);
    }
}
