using System.Collections.Generic;
using System.Linq;
using Airlock.Generators.Infrastructure;
using Airlock.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Airlock.Generators.Parsing;

/// <summary>
/// Decides whether a union case can be written by a generated writer: every member System.Text.Json
/// serializes is a public property of the case itself (none inherited), in declaration order, with nothing
/// of its own (converter, number handling, ignore condition, order). The writer reads the properties, so
/// what a property makes of its constructor argument is what is written. The union checks the result
/// against the case's metadata when the client is created.
/// </summary>
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

            members.Add(new CaseMemberSpec(
                jsonName,
                property.Name,
                TypeClassifier.Display(property.Type),
                TypeClassifier.DisplayWithoutNullable(property.Type),
                KindOf(property.Type),
                property.Type.IsValueType && property.Type.OriginalDefinition.SpecialType != SpecialType.System_Nullable_T));
        }

        return members.ToImmutableEquatableArray();
    }

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
