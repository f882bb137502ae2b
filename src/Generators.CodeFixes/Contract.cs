using System;
using System.Collections.Generic;
using System.Linq;
using Airlock.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace Airlock.Generators.CodeFixes;

/// <summary>What the code fixes read from a contract interface and its members.</summary>
internal static class Contract
{
    public const string PluginAttribute = "Airlock.WasmPluginAttribute";
    public const string ExportAttribute = "Airlock.WasmExportAttribute";
    public const string ImportAttribute = "Airlock.WasmImportAttribute";

    /// <summary>The method whose identifier a diagnostic is located on, or null.</summary>
    public static MethodDeclarationSyntax? MethodAt(SyntaxNode root, TextSpan span)
        => root.FindToken(span.Start).Parent is MethodDeclarationSyntax method && method.Identifier.Span == span ? method : null;

    /// <summary>
    /// Whether a name is free for <paramref name="method"/> to bind with <paramref name="attribute"/>: no other
    /// member of its interface binds it and, for an export, the contract's ABI does not reserve it.
    /// </summary>
    public static Func<string, bool> IsFree(IMethodSymbol method, INamedTypeSymbol attribute, Compilation compilation)
    {
        INamedTypeSymbol contract = method.ContainingType;
        var bound = new HashSet<string>(StringComparer.Ordinal);
        foreach (ISymbol member in contract.GetMembers())
        {
            if (!SymbolEqualityComparer.Default.Equals(member, method) && Find(member, attribute) is { } binding)
            {
                bound.Add(binding.ConstructorArguments.FirstOrDefault().Value as string ?? member.Name);
            }
        }

        if (attribute.ToDisplayString() != ExportAttribute)
        {
            return name => !bound.Contains(name);
        }

        AttributeData? plugin = Find(contract, compilation.GetTypeByMetadataName(PluginAttribute));
        return name => !bound.Contains(name) && ReservedExports.Reason(name, plugin, out _) is null;
    }

    /// <summary>The attribute of type <paramref name="attribute"/> on <paramref name="symbol"/>, or null.</summary>
    public static AttributeData? Find(ISymbol symbol, INamedTypeSymbol? attribute)
        => attribute is null ? null : symbol.GetAttributes().FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, attribute));
}
