using System.Collections.Generic;
using System.Linq;
using Airlock.Generators.Infrastructure;
using Airlock.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Airlock.Generators.Parsing;

/// <summary>
/// Decides whether a union case can be written by a generated writer: every member System.Text.Json
/// serializes is a public property of the case itself (none inherited), in declaration order, with nothing
/// of its own (converter, number handling, ignore condition, order). The union checks the result against
/// the case's metadata when the client is created.
/// </summary>
/// <remarks>
/// Where the case's source is in the compilation and it says what each written property holds, the writer
/// writes the per-case method's arguments and no case object is built: a property of a primary
/// constructor's parameter (a positional record member, or <c>{ get; init; } = Parameter</c>) holds the
/// argument as it is; a list of strings declared <c>= Parameter ?? []</c> (or <c>Array.Empty</c>) holds an
/// empty list for a null argument. A property made any other way (a computed getter, a setter, another
/// initializer), or a case compiled elsewhere, is read from the case object the method builds.
/// </remarks>
internal static class JsonCaseWriterParser
{
    private const string Serialization = "System.Text.Json.Serialization.";

    private static readonly HashSet<string> RefusedMemberAttributes =
    [
        Serialization + "JsonConverterAttribute",
        Serialization + "JsonNumberHandlingAttribute",
        Serialization + "JsonExtensionDataAttribute",
        Serialization + "JsonPropertyOrderAttribute",
        Serialization + "JsonIncludeAttribute",
    ];

    /// <summary>The members to write, or null when the union's metadata writes the case.</summary>
    /// <param name="caseType">The case type.</param>
    /// <param name="context">The contract's <c>JsonSerializerContext</c>.</param>
    public static ImmutableEquatableArray<CaseMemberSpec>? TryParse(INamedTypeSymbol caseType, INamedTypeSymbol context)
    {
        if (JsonReaderParser.ContextPolicy(context) is not { } policy
            || caseType.BaseType is { } baseType && JsonReaderParser.Properties(baseType).Any(p => !p.IsStatic && p.DeclaredAccessibility == Accessibility.Public)
            || caseType.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() is Serialization + "JsonConverterAttribute" or Serialization + "JsonNumberHandlingAttribute"))
        {
            return null;
        }

        IMethodSymbol? constructor = ContractParser.CaseConstructor(caseType);
        bool primary = constructor is not null && constructor.DeclaringSyntaxReferences.Length == 1 && constructor.DeclaringSyntaxReferences[0].GetSyntax() is TypeDeclarationSyntax;
        var members = new List<CaseMemberSpec>();
        foreach (IPropertySymbol property in caseType.GetMembers().OfType<IPropertySymbol>())
        {
            if (property.IsStatic || property.IsIndexer || property.GetMethod?.DeclaredAccessibility != Accessibility.Public)
            {
                continue;
            }

            AttributeData[] attributes = [.. property.GetAttributes()];
            if (attributes.Any(a => RefusedMemberAttributes.Contains(a.AttributeClass?.ToDisplayString() ?? string.Empty)))
            {
                return null;
            }

            if (attributes.FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == Serialization + "JsonIgnoreAttribute") is { } ignore)
            {
                if (ignore.NamedArguments.FirstOrDefault(a => a.Key == "Condition").Value.Value is int condition && condition != 1)
                {
                    return null;
                }

                continue;
            }

            string? jsonName = JsonReaderParser.PropertyName(property) ?? JsonNaming.Apply(policy, property.Name);
            if (jsonName is null)
            {
                return null;
            }

            JsonValueRead kind = KindOf(property.Type);
            int argument = -1;
            bool emptyWhenNull = false;
            if (primary)
            {
                argument = ArgumentOf(property, constructor!, kind == JsonValueRead.StringList, out emptyWhenNull);
            }

            members.Add(new CaseMemberSpec(
                jsonName,
                property.Name,
                TypeClassifier.Display(property.Type),
                TypeClassifier.DisplayWithoutNullable(property.Type),
                kind,
                property.Type.IsValueType && property.Type.OriginalDefinition.SpecialType != SpecialType.System_Nullable_T,
                argument,
                emptyWhenNull));
        }

        return members.ToImmutableEquatableArray();
    }

    // The position of the primary constructor's parameter whose argument the property holds, or -1. A
    // positional record member is declared by its parameter; an explicit auto-property with no setter is
    // what its initializer makes (inside a record's or a class's initializers, a primary constructor's
    // parameter shadows the member of the same name).
    private static int ArgumentOf(IPropertySymbol property, IMethodSymbol constructor, bool stringList, out bool emptyWhenNull)
    {
        emptyWhenNull = false;
        if (property.DeclaringSyntaxReferences.Length != 1)
        {
            return -1;
        }

        switch (property.DeclaringSyntaxReferences[0].GetSyntax())
        {
            case ParameterSyntax parameter:
                return Position(constructor, parameter.Identifier.ValueText, property.Type);
            case PropertyDeclarationSyntax { Initializer.Value: { } value, AccessorList: { } accessors, ExpressionBody: null }
                when accessors.Accessors.All(a => a.Body is null && a.ExpressionBody is null && a.Kind() is SyntaxKind.GetAccessorDeclaration or SyntaxKind.InitAccessorDeclaration):
                switch (value)
                {
                    case IdentifierNameSyntax name:
                        return Position(constructor, name.Identifier.ValueText, property.Type);
                    case BinaryExpressionSyntax { Left: IdentifierNameSyntax name } coalesce
                        when stringList && coalesce.IsKind(SyntaxKind.CoalesceExpression) && IsEmptyList(coalesce.Right):
                        int position = Position(constructor, name.Identifier.ValueText, property.Type);
                        emptyWhenNull = position >= 0;
                        return position;
                }

                break;
        }

        return -1;
    }

    // The parameter of that name and the property's type (nullable annotations aside), or -1.
    private static int Position(IMethodSymbol constructor, string name, ITypeSymbol type)
    {
        for (int i = 0; i < constructor.Parameters.Length; i++)
        {
            IParameterSymbol parameter = constructor.Parameters[i];
            if (parameter.Name == name)
            {
                return SymbolEqualityComparer.Default.Equals(parameter.Type, type) && parameter.RefKind == RefKind.None ? i : -1;
            }
        }

        return -1;
    }

    // [] or Array.Empty<T>(): a list written as [].
    private static bool IsEmptyList(ExpressionSyntax expression)
        => expression switch
        {
            CollectionExpressionSyntax collection => collection.Elements.Count == 0,
            InvocationExpressionSyntax { ArgumentList.Arguments.Count: 0, Expression: MemberAccessExpressionSyntax { Name: GenericNameSyntax { Identifier.ValueText: "Empty" } } access }
                => access.Expression.ToString() is "Array" or "System.Array" or "global::System.Array",
            _ => false,
        };

    // Scalars and strings as a reader reads them; lists of strings by index; anything else through its metadata.
    private static JsonValueRead KindOf(ITypeSymbol type)
    {
        ITypeSymbol? element = type switch
        {
            IArrayTypeSymbol { Rank: 1 } array => array.ElementType,
            INamedTypeSymbol { IsGenericType: true } named when named.OriginalDefinition.ToDisplayString() is "System.Collections.Generic.IReadOnlyList<T>" or "System.Collections.Generic.IList<T>" or "System.Collections.Generic.List<T>" => named.TypeArguments[0],
            _ => null,
        };
        return element?.SpecialType == SpecialType.System_String ? JsonValueRead.StringList : JsonReaderParser.ReadOf(type);
    }
}
