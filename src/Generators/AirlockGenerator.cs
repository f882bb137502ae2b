using Airlock.Generators.Diagnostics;
using Airlock.Generators.Emitting;
using Airlock.Generators.Model;
using Airlock.Generators.Parsing;
using Microsoft.CodeAnalysis;

namespace Airlock.Generators;

/// <summary>
/// Generates typed Wasmtime bindings: a client for every <c>[WasmPlugin]</c> contract and the linker
/// wiring for every <c>[WasmHost]</c> interface.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class AirlockGenerator : IIncrementalGenerator
{
    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<ParseResult<ContractSpec>> contracts = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                ContractParser.PluginAttribute,
                static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.InterfaceDeclarationSyntax,
                ContractParser.ParsePlugin)
            .WithTrackingName(TrackingNames.Contracts);

        IncrementalValuesProvider<ParseResult<HostSpec>> hosts = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                ContractParser.HostAttribute,
                static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.InterfaceDeclarationSyntax,
                ContractParser.ParseHost)
            .WithTrackingName(TrackingNames.Hosts);

        context.RegisterSourceOutput(contracts, static (output, result) =>
        {
            Report(output, result.Diagnostics);
            if (result.Spec is { } contract)
            {
                output.AddSource(contract.Type.HintName + ".WasmPlugin.g.cs", PluginEmitter.Emit(contract));
            }
        });

        context.RegisterSourceOutput(hosts, static (output, result) =>
        {
            Report(output, result.Diagnostics);
            if (result.Spec is { } host)
            {
                output.AddSource(host.Type.HintName + ".WasmHost.g.cs", HostEmitter.Emit(host));
            }
        });
    }

    private static void Report(SourceProductionContext output, Infrastructure.ImmutableEquatableArray<DiagnosticInfo> diagnostics)
    {
        foreach (DiagnosticInfo diagnostic in diagnostics)
        {
            output.ReportDiagnostic(diagnostic.ToDiagnostic());
        }
    }
}

/// <summary>Names of the pipeline steps, for incremental-caching tests.</summary>
public static class TrackingNames
{
    /// <summary>Parsing of <c>[WasmPlugin]</c> contracts.</summary>
    public const string Contracts = "Airlock.Contracts";

    /// <summary>Parsing of <c>[WasmHost]</c> interfaces.</summary>
    public const string Hosts = "Airlock.Hosts";
}
