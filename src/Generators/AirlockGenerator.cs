using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Airlock.Generators.Checking;
using Airlock.Generators.Diagnostics;
using Airlock.Generators.Emitting;
using Airlock.Generators.Infrastructure;
using Airlock.Generators.Model;
using Airlock.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Airlock.Generators;

/// <summary>
/// Generates typed Wasmtime bindings: a client for every <c>[WasmPlugin]</c> contract and the linker
/// wiring for every <c>[WasmHost]</c> interface. It also checks plugin modules tied to a contract
/// (<c>AdditionalFiles</c> .wasm items) against it. Problems in the contract declarations themselves
/// are reported by <see cref="ContractAnalyzer"/>, which shares the parser: a contract the analyzer
/// rejects is one the generator leaves unbound.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class AirlockGenerator : IIncrementalGenerator
{
    /// <summary>The <c>AdditionalFiles</c> metadata that ties a module to a contract by name.</summary>
    public const string ContractMetadata = "build_metadata.AdditionalFiles.AirlockContract";

    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<PluginModel> plugins = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                ContractParser.PluginAttribute,
                static (node, _) => node is InterfaceDeclarationSyntax,
                static (syntax, cancellationToken) => PluginModelParser.Parse((INamedTypeSymbol)syntax.TargetSymbol, syntax.Attributes[0], syntax.SemanticModel.Compilation, cancellationToken))
            .WithTrackingName(TrackingNames.Contracts);

        IncrementalValuesProvider<HostSpec?> hosts = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                ContractParser.HostAttribute,
                static (node, _) => node is InterfaceDeclarationSyntax,
                static (syntax, cancellationToken) => ContractParser.ParseHost((INamedTypeSymbol)syntax.TargetSymbol, syntax.Attributes[0], [], cancellationToken))
            .WithTrackingName(TrackingNames.Hosts);

        context.RegisterSourceOutput(plugins.Select(static (model, _) => model.Spec), static (output, contract) =>
        {
            if (contract is not null)
            {
                output.AddSource(contract.Type.HintName + ".WasmPlugin.g.cs", PluginEmitter.Emit(contract));
            }
        });

        context.RegisterSourceOutput(hosts, static (output, host) =>
        {
            if (host is not null)
            {
                output.AddSource(host.Type.HintName + ".WasmHost.g.cs", HostEmitter.Emit(host));
            }
        });

        // Each module is read once per version of the file; edits elsewhere reuse the summary.
        IncrementalValuesProvider<AdditionalText> moduleFiles = context.AdditionalTextsProvider.Where(static text => ModuleChecks.IsModule(text));
        IncrementalValueProvider<ImmutableArray<ModuleSummary>> modules = moduleFiles
            .Select(static (text, cancellationToken) => ModuleChecks.Read(text, cancellationToken))
            .WithTrackingName(TrackingNames.Modules)
            .Collect();

        // Contracts that name their module: [WasmPlugin(Module = "plugins/x.wasm")].
        IncrementalValuesProvider<ImmutableEquatableArray<DiagnosticInfo>> named = plugins
            .Select(static (model, _) => model.Check)
            .Where(static check => check.ModulePath is not null)
            .Combine(modules)
            .Select(static (pair, _) => ModuleChecks.CheckNamedModule(pair.Left, pair.Right))
            .WithTrackingName(TrackingNames.ModuleChecks);

        // Modules that name their contract: <AdditionalFiles Include="x.wasm" AirlockContract="App.IPlugin" />.
        // The contract may come from a referenced assembly, so it is resolved through the compilation.
        IncrementalValuesProvider<ImmutableEquatableArray<DiagnosticInfo>> tied = moduleFiles
            .Combine(context.AnalyzerConfigOptionsProvider)
            .SelectMany(static (pair, _) => Ties(pair.Left.Path, pair.Right.GetOptions(pair.Left).TryGetValue(ContractMetadata, out string? value) ? value : null))
            .Combine(context.CompilationProvider)
            .Select(static (pair, cancellationToken) =>
            {
                (ContractCheckSpec? check, string? error) = PluginModelParser.Resolve(pair.Right, pair.Left.Contract, cancellationToken);
                return new ResolvedTie(pair.Left, check, error);
            })
            .Combine(modules)
            .Select(static (pair, _) => ModuleChecks.CheckTiedModule(pair.Left, pair.Right))
            .WithTrackingName(TrackingNames.ModuleChecks);

        context.RegisterSourceOutput(named, Report);
        context.RegisterSourceOutput(tied, Report);
    }

    private static IEnumerable<ModuleTie> Ties(string path, string? contracts)
        => (contracts ?? string.Empty)
            .Split(new[] { ';', ',' }, StringSplitOptions.RemoveEmptyEntries)
            .Select(c => c.Trim())
            .Where(c => c.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .Select(c => new ModuleTie(path, c));

    private static void Report(SourceProductionContext output, ImmutableEquatableArray<DiagnosticInfo> diagnostics)
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

    /// <summary>Reading plugin modules from <c>AdditionalFiles</c>.</summary>
    public const string Modules = "Airlock.Modules";

    /// <summary>Checking modules against their contracts.</summary>
    public const string ModuleChecks = "Airlock.ModuleChecks";
}
