using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Simplification;
using Microsoft.CodeAnalysis.Text;

namespace Airlock.Generators.CodeFixes;

/// <summary>
/// AIR006: binds an unbound method of a contract, with <c>[WasmExport("snake_case_name")]</c> on a
/// <c>[WasmPlugin]</c> interface and <c>[WasmImport("snake_case_name")]</c> on a <c>[WasmHost]</c> one.
/// The name is the method's without <c>Async</c>, in snake_case, made free if another method binds it
/// (or, for an export, the ABI reserves it). Adds <c>using Airlock;</c> when the file lacks it.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddBindingCodeFix))]
[Shared]
public sealed class AddBindingCodeFix : CodeFixProvider
{
    /// <summary>The equivalence key of the fix that adds <c>[WasmExport]</c>.</summary>
    public const string ExportEquivalenceKey = "Airlock.AddWasmExport";

    /// <summary>The equivalence key of the fix that adds <c>[WasmImport]</c>.</summary>
    public const string ImportEquivalenceKey = "Airlock.AddWasmImport";

    // Fix All binds every method of a document in one pass. The batch fixer would merge one `using Airlock;`
    // insertion per method, and Roslyn's merger takes a third identical insertion at one position for a
    // conflict: every method after the second would stay unbound. One pass also keeps two methods from taking
    // the same name (Get and GetAsync of a plugin bind get and plugin_get).
    private static readonly FixAllProvider FixAll = FixAllProvider.Create(FixAllInDocumentAsync);

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.UnboundMember);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => FixAll;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        SemanticModel? model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null)
        {
            return;
        }

        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (Plan(diagnostic, root, model, taken: null, context.CancellationToken) is { } plan)
            {
                context.RegisterCodeFix(
                    CodeAction.Create(
                        "Add [" + plan.Binding.AttributeName + "(\"" + plan.Name + "\")]",
                        cancellationToken => BindAsync(context.Document, [plan], cancellationToken),
                        plan.Binding.EquivalenceKey),
                    diagnostic);
            }
        }
    }

    private static async Task<Document?> FixAllInDocumentAsync(FixAllContext context, Document document, ImmutableArray<Diagnostic> diagnostics)
    {
        SyntaxNode? root = await document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        SemanticModel? model = await document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null)
        {
            return null;
        }

        var plans = new List<BindingPlan>();
        var taken = new Dictionary<INamedTypeSymbol, HashSet<string>>(SymbolEqualityComparer.Default);
        foreach (Diagnostic diagnostic in diagnostics.OrderBy(d => d.Location.SourceSpan.Start))
        {
            if (Plan(diagnostic, root, model, taken, context.CancellationToken) is { } plan && plan.Binding.EquivalenceKey == context.CodeActionEquivalenceKey)
            {
                if (!taken.TryGetValue(plan.Interface, out HashSet<string>? names))
                {
                    taken[plan.Interface] = names = new HashSet<string>(StringComparer.Ordinal);
                }

                names.Add(plan.Name);
                plans.Add(plan);
            }
        }

        return plans.Count == 0 ? null : await BindAsync(document, plans, context.CancellationToken).ConfigureAwait(false);
    }

    // What the fix of one diagnostic adds: the attribute the message names (an interface may be both a plugin
    // and a host contract) with a free name. Null for a property, which cannot be bound.
    private static BindingPlan? Plan(Diagnostic diagnostic, SyntaxNode root, SemanticModel model, Dictionary<INamedTypeSymbol, HashSet<string>>? taken, CancellationToken cancellationToken)
    {
        Binding binding = diagnostic.GetMessage(CultureInfo.InvariantCulture).Contains("without [WasmImport]") ? Binding.Import : Binding.Export;
        if (Contract.MethodAt(root, diagnostic.Location.SourceSpan) is not { } method
            || model.GetDeclaredSymbol(method, cancellationToken) is not { } symbol
            || model.Compilation.GetTypeByMetadataName(binding.MetadataName) is not { } attribute)
        {
            return null;
        }

        // An export name the ABI reserves or another method binds (or, in Fix All, is about to) gets the plugin_
        // form, as AIR008's fix gives.
        Func<string, bool> isFree = Contract.IsFree(symbol, attribute, model.Compilation);
        string name = ExportNames.FirstFree(
            ExportNames.SnakeCase(symbol.Name),
            binding.Prefix,
            candidate => isFree(candidate) && !(taken is not null && taken.TryGetValue(symbol.ContainingType, out HashSet<string>? names) && names.Contains(candidate)));
        return new BindingPlan(method, symbol.ContainingType, binding, name);
    }

    private static async Task<Document> BindAsync(Document document, IReadOnlyList<BindingPlan> plans, CancellationToken cancellationToken)
    {
        SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        SourceText text = await document.GetTextAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return document;
        }

        Dictionary<MethodDeclarationSyntax, BindingPlan> byMethod = plans.ToDictionary(p => p.Method);
        SyntaxNode bound = root.ReplaceNodes(byMethod.Keys, (original, _) => WithAttribute(original, byMethod[original], text));
        Document changed = document.WithSyntaxRoot(bound);
        changed = await ImportAdder.AddImportsAsync(changed, Simplifier.AddImportsAnnotation, cancellationToken: cancellationToken).ConfigureAwait(false);
        return await Simplifier.ReduceAsync(changed, Simplifier.Annotation, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private static MethodDeclarationSyntax WithAttribute(MethodDeclarationSyntax method, BindingPlan plan, SourceText text)
    {
        // global::Airlock.WasmExport, which the simplifier shortens to WasmExport once `using Airlock;` is in
        // place (and leaves qualified when another WasmExport attribute is in scope).
        NameSyntax type = SyntaxFactory.QualifiedName(
            SyntaxFactory.AliasQualifiedName(SyntaxFactory.IdentifierName(SyntaxFactory.Token(SyntaxKind.GlobalKeyword)), SyntaxFactory.IdentifierName("Airlock")),
            SyntaxFactory.IdentifierName(plan.Binding.AttributeName))
            .WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation);
        AttributeListSyntax list = SyntaxFactory.AttributeList(SyntaxFactory.SingletonSeparatedList(
            SyntaxFactory.Attribute(type, SyntaxFactory.AttributeArgumentList(SyntaxFactory.SingletonSeparatedList(
                SyntaxFactory.AttributeArgument(SyntaxFactory.LiteralExpression(SyntaxKind.StringLiteralExpression, SyntaxFactory.Literal(plan.Name))))))));

        // The attribute goes first, on its own line with the method's indentation when the method starts a
        // line, and in front of it on the same line otherwise. It takes over the method's leading trivia
        // (documentation comments included).
        SyntaxToken first = method.GetFirstToken();
        TextLine line = text.Lines.GetLineFromPosition(first.SpanStart);
        string indentation = text.ToString(TextSpan.FromBounds(line.Start, first.SpanStart));
        bool startsLine = string.IsNullOrWhiteSpace(indentation);
        list = list
            .WithLeadingTrivia(first.LeadingTrivia)
            .WithTrailingTrivia(startsLine ? SyntaxFactory.EndOfLine(LineBreak(text, line)) : SyntaxFactory.Space);
        MethodDeclarationSyntax bound = method.ReplaceToken(first, first.WithLeadingTrivia(startsLine ? SyntaxFactory.TriviaList(SyntaxFactory.Whitespace(indentation)) : SyntaxFactory.TriviaList()));
        return bound.WithAttributeLists(bound.AttributeLists.Insert(0, list));
    }

    // The line break the file uses, as the line before the method ends.
    private static string LineBreak(SourceText text, TextLine line)
    {
        if (line.LineNumber > 0)
        {
            TextLine previous = text.Lines[line.LineNumber - 1];
            if (previous.EndIncludingLineBreak > previous.End)
            {
                return text.ToString(TextSpan.FromBounds(previous.End, previous.EndIncludingLineBreak));
            }
        }

        return "\n";
    }

    private sealed class Binding(string attributeName, string metadataName, string equivalenceKey, string? prefix)
    {
        public static readonly Binding Export = new("WasmExport", Contract.ExportAttribute, ExportEquivalenceKey, "plugin_");
        public static readonly Binding Import = new("WasmImport", Contract.ImportAttribute, ImportEquivalenceKey, null);

        public string AttributeName { get; } = attributeName;

        public string MetadataName { get; } = metadataName;

        public string EquivalenceKey { get; } = equivalenceKey;

        public string? Prefix { get; } = prefix;
    }

    private sealed class BindingPlan(MethodDeclarationSyntax method, INamedTypeSymbol @interface, Binding binding, string name)
    {
        public MethodDeclarationSyntax Method { get; } = method;

        public INamedTypeSymbol Interface { get; } = @interface;

        public Binding Binding { get; } = binding;

        public string Name { get; } = name;
    }
}
