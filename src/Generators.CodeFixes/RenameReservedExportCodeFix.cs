using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Airlock.Generators.CodeFixes;

/// <summary>
/// AIR008: rewrites the name in a method's <c>[WasmExport("...")]</c> to one the ABI does not reserve:
/// the method's name in snake_case, else that with <c>plugin_</c> in front, else that with a number
/// appended, whichever no other method of the interface binds.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RenameReservedExportCodeFix))]
[Shared]
public sealed class RenameReservedExportCodeFix : CodeFixProvider
{
    /// <summary>The equivalence key of the fix, shared by every occurrence so that Fix All applies it everywhere.</summary>
    public const string EquivalenceKey = "Airlock.RenameReservedExport";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.ReservedExportName);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        SemanticModel? model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model?.Compilation.GetTypeByMetadataName(Contract.ExportAttribute) is not { } exportAttribute)
        {
            return;
        }

        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (Contract.MethodAt(root, diagnostic.Location.SourceSpan) is not { } method
                || model.GetDeclaredSymbol(method, context.CancellationToken) is not { } symbol
                || ExportNameLiteral(method, exportAttribute, model, context.CancellationToken) is not { } literal)
            {
                continue;
            }

            string name = ExportNames.FirstFree(ExportNames.SnakeCase(symbol.Name), "plugin_", Contract.IsFree(symbol, exportAttribute, model.Compilation));
            context.RegisterCodeFix(
                CodeAction.Create(
                    "Rename the export to '" + name + "'",
                    cancellationToken => RenameAsync(context.Document, literal, name, cancellationToken),
                    EquivalenceKey),
                diagnostic);
        }
    }

    // The string literal that names the export in the method's [WasmExport("...")]; null when the name is
    // not written as a literal (a constant is the user's to change).
    private static LiteralExpressionSyntax? ExportNameLiteral(MethodDeclarationSyntax method, INamedTypeSymbol exportAttribute, SemanticModel model, CancellationToken cancellationToken)
    {
        foreach (AttributeListSyntax list in method.AttributeLists)
        {
            foreach (AttributeSyntax attribute in list.Attributes)
            {
                if (model.GetSymbolInfo(attribute, cancellationToken).Symbol is IMethodSymbol constructor
                    && SymbolEqualityComparer.Default.Equals(constructor.ContainingType, exportAttribute)
                    && attribute.ArgumentList is { } arguments)
                {
                    foreach (AttributeArgumentSyntax argument in arguments.Arguments)
                    {
                        if (argument.NameEquals is null)
                        {
                            return argument.Expression is LiteralExpressionSyntax literal && literal.IsKind(SyntaxKind.StringLiteralExpression) ? literal : null;
                        }
                    }
                }
            }
        }

        return null;
    }

    private static async Task<Document> RenameAsync(Document document, LiteralExpressionSyntax literal, string name, CancellationToken cancellationToken)
    {
        SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return document;
        }

        LiteralExpressionSyntax renamed = literal.WithToken(SyntaxFactory.Literal(name).WithTriviaFrom(literal.Token));
        return document.WithSyntaxRoot(root.ReplaceNode(literal, renamed));
    }
}
