using System.Collections.Generic;
using System.Collections.Immutable;
using Airlock.Generators.Diagnostics;
using Airlock.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Airlock.Generators;

/// <summary>
/// Reports problems in <c>[WasmPlugin]</c> and <c>[WasmHost]</c> declarations (AIR001–AIR012) as the
/// user types. It runs the generator's own parser, so every contract it accepts is one the generator
/// binds, and every contract it rejects is left unbound.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ContractAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => Descriptors.ContractRules;

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            INamedTypeSymbol? plugin = start.Compilation.GetTypeByMetadataName(ContractParser.PluginAttribute);
            INamedTypeSymbol? host = start.Compilation.GetTypeByMetadataName(ContractParser.HostAttribute);
            if (plugin is null && host is null)
            {
                return;
            }

            start.RegisterSymbolAction(symbol => Analyze(symbol, plugin, host), SymbolKind.NamedType);
        });
    }

    private static void Analyze(SymbolAnalysisContext context, INamedTypeSymbol? plugin, INamedTypeSymbol? host)
    {
        if (context.Symbol is not INamedTypeSymbol { TypeKind: TypeKind.Interface } type)
        {
            return;
        }

        var diagnostics = new List<Diagnostic>();
        foreach (AttributeData attribute in type.GetAttributes())
        {
            if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, plugin))
            {
                ContractParser.ParsePlugin(type, attribute, diagnostics, context.CancellationToken);
            }
            else if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, host))
            {
                ContractParser.ParseHost(type, attribute, diagnostics, context.CancellationToken);
            }
        }

        foreach (Diagnostic diagnostic in diagnostics)
        {
            context.ReportDiagnostic(diagnostic);
        }
    }
}
