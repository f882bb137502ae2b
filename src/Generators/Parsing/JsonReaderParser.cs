using System.Collections.Generic;
using System.Linq;
using Airlock.Generators.Infrastructure;
using Airlock.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Airlock.Generators.Parsing;

/// <summary>
/// Decides whether a JSON result type can be read by a generated one-pass reader, and how: the
/// constructor System.Text.Json would choose, each member's JSON name and how it is set. A type with
/// anything the reader does not reproduce exactly (custom converters, polymorphism, extension data,
/// callbacks, non-default handling in the context's options, init-only optional members) gets no reader
/// and is read through System.Text.Json alone.
/// </summary>
internal static class JsonReaderParser
{
    private const string Serialization = "System.Text.Json.Serialization.";
    private const string OptionsAttribute = Serialization + "JsonSourceGenerationOptionsAttribute";

    private static readonly HashSet<string> RefusedTypeAttributes =
    [
        Serialization + "JsonPolymorphicAttribute",
        Serialization + "JsonDerivedTypeAttribute",
        Serialization + "JsonConverterAttribute",
        Serialization + "JsonUnmappedMemberHandlingAttribute",
        Serialization + "JsonNumberHandlingAttribute",
        Serialization + "JsonObjectCreationHandlingAttribute",
    ];

    private static readonly HashSet<string> RefusedMemberAttributes =
    [
        Serialization + "JsonConverterAttribute",
        Serialization + "JsonNumberHandlingAttribute",
        Serialization + "JsonObjectCreationHandlingAttribute",
        Serialization + "JsonExtensionDataAttribute",
    ];

    /// <summary>The reader of <paramref name="type"/>, or null when System.Text.Json alone reads it.</summary>
    /// <param name="type">The result type.</param>
    /// <param name="context">The contract's <c>JsonSerializerContext</c>.</param>
    /// <param name="within">The assembly the reader is generated in.</param>
    public static JsonReaderSpec? TryParse(ITypeSymbol type, INamedTypeSymbol context, IAssemblySymbol within)
    {
        if (type is not INamedTypeSymbol named
            || named.TypeKind != TypeKind.Class
            || named.IsAbstract
            || named.IsUnboundGenericType
            || named.SpecialType != SpecialType.None
            || !IsAccessible(named, within)
            || named.AllInterfaces.Any(i => i.SpecialType == SpecialType.System_Collections_IEnumerable
                || i.ToDisplayString() is "System.Text.Json.Serialization.IJsonOnDeserializing" or "System.Text.Json.Serialization.IJsonOnDeserialized")
            || named.GetAttributes().Any(a => RefusedTypeAttributes.Contains(a.AttributeClass?.ToDisplayString() ?? string.Empty))
            || named.ContainingNamespace?.ToDisplayString() is { } ns && (ns == "System" || ns.StartsWith("System.", System.StringComparison.Ordinal))
            || ContextPolicy(context) is not { } policy)
        {
            return null;
        }

        IMethodSymbol? constructor = Constructor(named, within);
        if (constructor is null)
        {
            return null;
        }

        bool setsRequired = constructor.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "System.Diagnostics.CodeAnalysis.SetsRequiredMembersAttribute");
        var members = new List<JsonMemberSpec>();
        var parameters = constructor.Parameters.ToList();
        var bound = new HashSet<IParameterSymbol>(SymbolEqualityComparer.Default);
        var names = new HashSet<string>();
        foreach (IPropertySymbol property in Properties(named))
        {
            if (property.IsIndexer || property.IsStatic)
            {
                continue;
            }

            bool ignored = Ignored(property, out bool refused);
            if (refused)
            {
                return null;
            }

            if (property.GetAttributes().Any(a => RefusedMemberAttributes.Contains(a.AttributeClass?.ToDisplayString() ?? string.Empty)))
            {
                return null;
            }

            bool publicGet = property.GetMethod?.DeclaredAccessibility == Accessibility.Public;
            bool publicSet = property.SetMethod?.DeclaredAccessibility == Accessibility.Public;
            if (!publicGet && !publicSet)
            {
                if (property.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == Serialization + "JsonIncludeAttribute"))
                {
                    return null;
                }

                continue;
            }

            string? jsonName = PropertyName(property) ?? JsonNaming.Apply(policy, property.Name);
            if (jsonName is null || !names.Add(jsonName))
            {
                return null;
            }

            // An ignored member is still in the metadata, never set: a response naming it goes to System.Text.Json.
            IParameterSymbol? parameter = ignored ? null : parameters.FirstOrDefault(p => string.Equals(p.Name, property.Name, System.StringComparison.OrdinalIgnoreCase));
            JsonMemberBinding binding;
            if (ignored)
            {
                binding = JsonMemberBinding.ReadOnly;
            }
            else if (parameter is not null)
            {
                if (!SymbolEqualityComparer.Default.Equals(parameter.Type.WithNullableAnnotation(NullableAnnotation.None), property.Type.WithNullableAnnotation(NullableAnnotation.None)))
                {
                    return null;
                }

                bound.Add(parameter);
                binding = JsonMemberBinding.Constructor;
            }
            else if (property.IsRequired && !setsRequired && publicSet)
            {
                binding = JsonMemberBinding.Initializer;
            }
            else if (publicSet && property.SetMethod!.IsInitOnly)
            {
                // An optional init-only member keeps its initializer when the JSON lacks it; only
                // System.Text.Json's metadata can leave it unset.
                return null;
            }
            else
            {
                binding = publicSet ? JsonMemberBinding.Setter : JsonMemberBinding.ReadOnly;
            }

            if (members.Count == 64)
            {
                return null;
            }

            members.Add(new JsonMemberSpec(
                jsonName,
                property.Name,
                TypeClassifier.Display(property.Type),
                TypeClassifier.DisplayWithoutNullable(property.Type),
                ReadOf(property.Type),
                property.Type.IsValueType,
                binding,
                parameter is null ? -1 : parameter.Ordinal,
                parameter is { HasExplicitDefaultValue: true } ? ContractParser.DefaultLiteral(parameter) : null));
        }

        // System.Text.Json refuses a constructor parameter that matches no member; so does the reader.
        if (bound.Count != parameters.Count || members.Count == 0)
        {
            return null;
        }

        string typeName = TypeClassifier.DisplayWithoutNullable(named);
        return new JsonReaderSpec(typeName, ClassName(named), members.ToImmutableEquatableArray());
    }

    // The naming policy of the context's options, or null when the options ask for reading the generated pass does not do.
    internal static int? ContextPolicy(INamedTypeSymbol context)
    {
        AttributeData? options = context.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == OptionsAttribute);
        if (options is null)
        {
            return JsonNaming.Unspecified;
        }

        // JsonSerializerDefaults.Web reads names case-insensitively and numbers from strings.
        if (options.ConstructorArguments.Length > 0 && options.ConstructorArguments[0].Value is int defaults && defaults != 0)
        {
            return null;
        }

        int policy = JsonNaming.Unspecified;
        foreach (KeyValuePair<string, TypedConstant> argument in options.NamedArguments)
        {
            object? value = argument.Value.Value;
            switch (argument.Key)
            {
                case "PropertyNamingPolicy":
                    policy = value is int known ? known : -1;
                    break;
                case "PropertyNameCaseInsensitive" or "IncludeFields" or "IgnoreReadOnlyProperties" when value is true:
                    return null;
                case "NumberHandling" or "UnmappedMemberHandling" or "PreferredObjectCreationHandling" when value is int handling && handling != 0:
                    return null;
                case "Converters" when !argument.Value.IsNull && argument.Value.Values.Length > 0:
                    return null;
            }
        }

        return policy;
    }

    // System.Text.Json's choice: [JsonConstructor], else a public parameterless constructor, else the only public one.
    private static IMethodSymbol? Constructor(INamedTypeSymbol type, IAssemblySymbol within)
    {
        IMethodSymbol[] constructors = [.. type.InstanceConstructors.Where(c => !c.IsImplicitlyDeclared || c.Parameters.Length == 0)];
        IMethodSymbol? attributed = constructors.FirstOrDefault(c => c.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == Serialization + "JsonConstructorAttribute"));
        if (attributed is not null)
        {
            return attributed.DeclaredAccessibility == Accessibility.Public || (attributed.DeclaredAccessibility == Accessibility.Internal && SymbolEqualityComparer.Default.Equals(type.ContainingAssembly, within))
                ? attributed
                : null;
        }

        IMethodSymbol[] visible = [.. constructors.Where(c => c.DeclaredAccessibility == Accessibility.Public && !IsCopyConstructor(c, type))];
        return visible.FirstOrDefault(c => c.Parameters.Length == 0) ?? (visible.Length == 1 ? visible[0] : null);
    }

    private static bool IsCopyConstructor(IMethodSymbol constructor, INamedTypeSymbol type)
        => constructor.Parameters.Length == 1 && SymbolEqualityComparer.Default.Equals(constructor.Parameters[0].Type, type);

    // The type's properties, the most derived declaration of each name first seen.
    internal static IEnumerable<IPropertySymbol> Properties(INamedTypeSymbol type)
    {
        var chain = new List<INamedTypeSymbol>();
        for (INamedTypeSymbol? current = type; current is not null && current.SpecialType != SpecialType.System_Object; current = current.BaseType)
        {
            chain.Add(current);
        }

        var seen = new HashSet<string>();
        var properties = new List<IPropertySymbol>();
        foreach (INamedTypeSymbol declaring in chain)
        {
            foreach (IPropertySymbol property in declaring.GetMembers().OfType<IPropertySymbol>())
            {
                if (seen.Add(property.Name))
                {
                    properties.Add(property);
                }
            }
        }

        return properties;
    }

    // [JsonIgnore] (Always by default) leaves a member out; a condition that applies to reading is refused.
    private static bool Ignored(IPropertySymbol property, out bool refused)
    {
        refused = false;
        AttributeData? ignore = property.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == Serialization + "JsonIgnoreAttribute");
        if (ignore is null)
        {
            return false;
        }

        int condition = ignore.NamedArguments.FirstOrDefault(a => a.Key == "Condition").Value.Value is int value ? value : 1;
        switch (condition)
        {
            case 1: // Always
                return true;
            case 0 or 2 or 3: // Never, WhenWritingDefault, WhenWritingNull: reading is as without the attribute.
                return false;
            default:
                refused = true;
                return true;
        }
    }

    internal static string? PropertyName(IPropertySymbol property)
        => property.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == Serialization + "JsonPropertyNameAttribute")
            ?.ConstructorArguments.FirstOrDefault().Value as string;

    // Nullable<T> and every other type go through their own metadata.
    internal static JsonValueRead ReadOf(ITypeSymbol type) => type.SpecialType switch
    {
        SpecialType.System_String => JsonValueRead.String,
        SpecialType.System_Boolean => JsonValueRead.Boolean,
        SpecialType.System_Int32 => JsonValueRead.Int32,
        SpecialType.System_Int64 => JsonValueRead.Int64,
        SpecialType.System_Double => JsonValueRead.Double,
        _ => JsonValueRead.Metadata,
    };

    private static bool IsAccessible(INamedTypeSymbol type, IAssemblySymbol within)
    {
        for (INamedTypeSymbol? current = type; current is not null; current = current.ContainingType)
        {
            bool visible = current.DeclaredAccessibility == Accessibility.Public
                || (current.DeclaredAccessibility == Accessibility.Internal && SymbolEqualityComparer.Default.Equals(current.ContainingAssembly, within));
            if (!visible)
            {
                return false;
            }
        }

        foreach (ITypeSymbol argument in type.TypeArguments)
        {
            if (argument is INamedTypeSymbol namedArgument && !IsAccessible(namedArgument, within))
            {
                return false;
            }
        }

        return true;
    }

    // A class name for the reader, unique enough within one client: global::A.B.Outer.Result<Item> -> ResultItemJsonReader.
    private static string ClassName(INamedTypeSymbol type)
    {
        string name = type.Name + string.Concat(type.TypeArguments.Select(a => a.Name));
        return name + "JsonReader";
    }
}
