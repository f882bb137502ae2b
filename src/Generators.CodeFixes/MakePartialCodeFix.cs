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

/// <summary>AIR001: adds <c>partial</c> to a contract interface, after its other modifiers and before <c>interface</c>.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakePartialCodeFix))]
[Shared]
public sealed class MakePartialCodeFix : CodeFixProvider
{
    /// <summary>The equivalence key of the fix, shared by every occurrence so that Fix All applies it everywhere.</summary>
    public const string EquivalenceKey = "Airlock.MakeContractPartial";

    private const string Title = "Make the interface partial";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.NotPartial);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return;
        }

        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (root.FindToken(diagnostic.Location.SourceSpan.Start).Parent is InterfaceDeclarationSyntax declaration
                && declaration.Identifier.Span == diagnostic.Location.SourceSpan
                && !declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                context.RegisterCodeFix(
                    CodeAction.Create(Title, cancellationToken => MakePartialAsync(context.Document, declaration, cancellationToken), EquivalenceKey),
                    diagnostic);
            }
        }
    }

    private static async Task<Document> MakePartialAsync(Document document, InterfaceDeclarationSyntax declaration, CancellationToken cancellationToken)
    {
        SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return document;
        }

        // `partial` goes last among the modifiers, right before `interface`, and takes over whatever stood in
        // front of `interface` (indentation, a line break, a comment); one space separates it from the keyword.
        SyntaxToken keyword = declaration.Keyword;
        SyntaxToken modifier = SyntaxFactory.Token(keyword.LeadingTrivia, SyntaxKind.PartialKeyword, SyntaxFactory.TriviaList(SyntaxFactory.Space));
        InterfaceDeclarationSyntax partial = declaration
            .WithKeyword(keyword.WithLeadingTrivia(SyntaxFactory.TriviaList()))
            .WithModifiers(declaration.Modifiers.Add(modifier));
        return document.WithSyntaxRoot(root.ReplaceNode(declaration, partial));
    }
}
