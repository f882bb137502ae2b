// Compiled into both the guest-bindings generator (net10.0) and the source generator (netstandard2.0, for the wire hash):
// no BCL API newer than netstandard2.0.
using System;
using System.Collections.Generic;
using System.Linq;
using Airlock.Generators.Parsing;
using Microsoft.CodeAnalysis;

namespace Airlock.GuestBindings;

/// <summary>How a JSON value is held in C.</summary>
internal enum CKind
{
    /// <summary><c>airlock_str</c>: text (also dates, GUIDs and other values System.Text.Json writes as strings).</summary>
    Str,
    Int32,
    Int64,
    Bool,

    /// <summary><c>airlock_json</c>: any JSON value, kept as its text.</summary>
    Json,

    /// <summary><c>airlock_json</c> that must be an object (a <c>JsonObject</c>, a dictionary of JSON values, or a type that is only extension data).</summary>
    JsonObject,

    /// <summary><c>airlock_json</c> that must be an array (a list of JSON values).</summary>
    JsonArray,

    /// <summary>A generated struct.</summary>
    Struct,

    /// <summary><c>airlock_str_list</c>.</summary>
    StrList,

    /// <summary>A generated list of structs.</summary>
    StructList,

    /// <summary><c>airlock_str_map</c>: an object of strings.</summary>
    StrMap,
}

/// <summary>A C representation of a C# type.</summary>
internal sealed record CType(CKind Kind, CStruct? Struct = null, string? Enum = null)
{
    public string Spell(string prefix) => Kind switch
    {
        CKind.Str => "airlock_str",
        CKind.Int32 => "int32_t",
        CKind.Int64 => "int64_t",
        CKind.Bool => "bool",
        CKind.Json or CKind.JsonObject or CKind.JsonArray => "airlock_json",
        CKind.Struct => Struct!.CName,
        CKind.StrList => "airlock_str_list",
        CKind.StructList => Struct!.ListName,
        _ => "airlock_str_map",
    };

    /// <summary>Whether the C value says itself that it is absent (a NULL pointer), so it needs no <c>has_</c> flag.</summary>
    public bool SelfAbsent => Kind is CKind.Str or CKind.Json or CKind.JsonObject or CKind.JsonArray or CKind.StrList or CKind.StructList or CKind.StrMap;
}

/// <summary>A member of a generated struct.</summary>
/// <param name="JsonName">Its name on the wire.</param>
/// <param name="Field">Its C field name.</param>
/// <param name="Type">Its C type.</param>
/// <param name="Nullable">Whether JSON <c>null</c> is accepted (and an absent value written as null or left out).</param>
/// <param name="Required">Whether reading fails when the JSON lacks it.</param>
/// <param name="Default">The C literal a missing scalar takes (its constructor default), or null for zero.</param>
/// <param name="WriteNullable">Whether the property itself may be null: an absent non-nullable list is written empty, as the property's initializer makes it.</param>
internal sealed record CMember(string JsonName, string Field, CType Type, bool Nullable, bool Required, string? Default, bool WriteNullable)
{
    public bool HasFlag => Nullable && !Type.SelfAbsent;
}

/// <summary>A generated struct for a JSON object type.</summary>
internal sealed class CStruct(string cName, string clrName)
{
    public string CName { get; } = cName;

    public string ClrName { get; } = clrName;

    public List<CMember> Members { get; } = [];

    public bool NeedsList { get; set; }

    /// <summary>Whether the type keeps unknown members (<c>[JsonExtensionData]</c>), written after its own.</summary>
    public bool HasExtensionData { get; set; }

    public string ListName => CName[..^2] + "_list_t";
}

/// <summary>A tagged union (<c>[JsonPolymorphic]</c>) taken by an export.</summary>
internal sealed record CUnion(string Discriminator, bool OutOfOrder, IReadOnlyList<CUnionCase> Cases);

/// <summary>One case of a union and the function the author implements for it.</summary>
internal sealed record CUnionCase(string Tag, CStruct Request, CType Result, string Function);

/// <summary>Everything about a contract's JSON types that the C emitter needs, read from its symbols.</summary>
internal sealed class CTypeMap
{
    private const string Serialization = "System.Text.Json.Serialization.";
    private readonly string prefix;
    private readonly Dictionary<ITypeSymbol, CStruct> structs = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<string, INamedTypeSymbol> enums = [];
    private readonly Dictionary<string, string> neutralNames = new(StringComparer.Ordinal);
    private readonly int policy;

    public CTypeMap(string prefix, INamedTypeSymbol? context)
    {
        this.prefix = prefix;
        AttributeData? options = context?.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == Serialization + "JsonSourceGenerationOptionsAttribute");
        policy = options?.NamedArguments.FirstOrDefault(a => a.Key == "PropertyNamingPolicy").Value.Value is int p ? p : JsonNaming.Unspecified;
        int ignore = options?.NamedArguments.FirstOrDefault(a => a.Key == "DefaultIgnoreCondition").Value.Value is int i ? i : 0;
        OmitsNull = ignore is 3 or 2;
        OutOfOrder = options?.NamedArguments.FirstOrDefault(a => a.Key == "AllowOutOfOrderMetadataProperties").Value.Value is true;
    }

    /// <summary>Whether absent members are left out when written (<c>JsonIgnoreCondition.WhenWritingNull</c>) rather than written as null.</summary>
    public bool OmitsNull { get; }

    /// <summary>Whether a union's discriminator may come after other members.</summary>
    public bool OutOfOrder { get; }

    /// <summary>The structs in dependency order (a struct after those it contains).</summary>
    public List<CStruct> Ordered { get; } = [];

    /// <summary>The enums used, by C name.</summary>
    public IReadOnlyDictionary<string, INamedTypeSymbol> Enums => enums;

    public string Snake(string name) => JsonNaming.Apply(JsonNaming.SnakeCaseLower, name) ?? name.ToLowerInvariant();

    /// <summary>The C type of a JSON value of <paramref name="type"/>; throws with the reason when the C bindings cannot hold it.</summary>
    public CType Map(ITypeSymbol type, string where)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            type = nullable.TypeArguments[0];
        }

        switch (type.SpecialType)
        {
            case SpecialType.System_String:
                return new CType(CKind.Str);
            case SpecialType.System_Boolean:
                return new CType(CKind.Bool);
            case SpecialType.System_Int32:
                return new CType(CKind.Int32);
            case SpecialType.System_Int64:
                return new CType(CKind.Int64);
        }

        string name = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat.WithGlobalNamespaceStyle(SymbolDisplayGlobalNamespaceStyle.Omitted).WithGenericsOptions(SymbolDisplayGenericsOptions.None));
        if (type.TypeKind == TypeKind.Enum && type is INamedTypeSymbol enumType && enumType.EnumUnderlyingType?.SpecialType == SpecialType.System_Int32)
        {
            string cname = Named(Snake(type.Name));
            enums[cname] = enumType;
            return new CType(CKind.Int32, Enum: cname);
        }

        switch (name)
        {
            case "System.DateTimeOffset" or "System.DateTime" or "System.Guid" or "System.Uri" or "System.TimeSpan":
                return new CType(CKind.Str);
            case "System.Text.Json.JsonElement" or "System.Text.Json.Nodes.JsonNode" or "System.Text.Json.JsonDocument":
                return new CType(CKind.Json);
            case "System.Text.Json.Nodes.JsonObject":
                return new CType(CKind.JsonObject);
        }

        if (type is INamedTypeSymbol named && named.IsGenericType)
        {
            string generic = named.OriginalDefinition.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat.WithGlobalNamespaceStyle(SymbolDisplayGlobalNamespaceStyle.Omitted).WithGenericsOptions(SymbolDisplayGenericsOptions.None));
            if (generic is "System.Collections.Generic.IReadOnlyList" or "System.Collections.Generic.List" or "System.Collections.Generic.IList" or "System.Collections.Generic.IEnumerable" or "System.Collections.Generic.IReadOnlyCollection" or "System.Collections.Generic.ICollection")
            {
                CType element = Map(named.TypeArguments[0], where + "[]");
                return element.Kind switch
                {
                    CKind.Json or CKind.JsonObject => new CType(CKind.JsonArray),
                    CKind.Str when named.TypeArguments[0].NullableAnnotation != NullableAnnotation.Annotated => new CType(CKind.StrList),
                    CKind.Struct => ListOf(element.Struct!),
                    _ => throw Unsupported(where, type, "a list whose items are not non-null strings or objects"),
                };
            }

            if (generic is "System.Collections.Generic.IReadOnlyDictionary" or "System.Collections.Generic.Dictionary" or "System.Collections.Generic.IDictionary"
                && named.TypeArguments[0].SpecialType == SpecialType.System_String && named.TypeArguments[1].SpecialType == SpecialType.System_String
                && named.TypeArguments[1].NullableAnnotation != NullableAnnotation.Annotated)
            {
                return new CType(CKind.StrMap);
            }

            if (generic is "System.Collections.Generic.IReadOnlyDictionary" or "System.Collections.Generic.Dictionary" or "System.Collections.Generic.IDictionary"
                && named.TypeArguments[0].SpecialType == SpecialType.System_String
                && named.TypeArguments[1].ToDisplayString().TrimEnd('?') is "System.Text.Json.JsonElement" or "System.Text.Json.Nodes.JsonNode" or "System.Text.Json.Nodes.JsonObject")
            {
                return new CType(CKind.JsonObject);
            }
        }

        if (type is IArrayTypeSymbol { ElementType.SpecialType: SpecialType.System_String })
        {
            return new CType(CKind.StrList);
        }

        if (type is INamedTypeSymbol { TypeKind: TypeKind.Class or TypeKind.Struct } objectType && !name.StartsWith("System.", StringComparison.Ordinal))
        {
            if (HasAttribute(objectType, Serialization + "JsonPolymorphicAttribute"))
            {
                throw Unsupported(where, type, "a tagged union inside another value (the C bindings read a union only as an export's one parameter)");
            }

            if (IsExtensionDataOnly(objectType))
            {
                return new CType(CKind.JsonObject);
            }

            return new CType(CKind.Struct, StructOf(objectType));
        }

        throw Unsupported(where, type, "a type the C bindings have no representation for (doubles, decimals, byte arrays in JSON and nested dictionaries are not supported yet)");
    }

    private static CType ListOf(CStruct element)
    {
        element.NeedsList = true;
        return new CType(CKind.StructList, element);
    }

    /// <summary>The struct of an object type, reading its members once.</summary>
    public CStruct StructOf(INamedTypeSymbol type)
    {
        if (structs.TryGetValue(type, out CStruct? known))
        {
            return known;
        }

        var result = new CStruct(Named(TypeName(type)), type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString());
        result.HasExtensionData = Properties(type).Any(p => !p.IsStatic && HasAttribute(p, Serialization + "JsonExtensionDataAttribute"));
        structs[type] = result;
        IMethodSymbol? constructor = Constructor(type);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (IPropertySymbol property in Properties(type))
        {
            if (property.IsStatic || property.IsIndexer || property.GetMethod?.DeclaredAccessibility != Accessibility.Public
                || property.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() is Serialization + "JsonExtensionDataAttribute" || IgnoredAlways(a)))
            {
                continue;
            }

            string jsonName = property.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == Serialization + "JsonPropertyNameAttribute")?.ConstructorArguments[0].Value as string
                ?? JsonNaming.Apply(policy, property.Name)
                ?? throw new GuestBindingsException($"{type.Name}.{property.Name}: the context's naming policy is not one System.Text.Json knows by name.");
            if (!names.Add(jsonName))
            {
                continue;
            }

            IParameterSymbol? parameter = constructor?.Parameters.FirstOrDefault(p => string.Equals(p.Name, property.Name, StringComparison.OrdinalIgnoreCase));
            ITypeSymbol readType = parameter?.Type ?? property.Type;
            bool nullable = IsNullable(readType);
            bool required = (parameter is not null && !parameter.HasExplicitDefaultValue) || property.IsRequired;
            CType ctype = Map(property.Type, type.Name + "." + property.Name);
            if (ctype.Kind == CKind.StructList)
            {
                ctype.Struct!.NeedsList = true;
            }

            string? literal = parameter is { HasExplicitDefaultValue: true, ExplicitDefaultValue: { } value } ? value switch
            {
                bool b => b ? "true" : "false",
                int i => i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                long l => l.ToString(System.Globalization.CultureInfo.InvariantCulture) + "LL",
                _ => null,
            } : null;
            result.Members.Add(new CMember(jsonName, Field(jsonName), ctype, nullable, required, literal, IsNullable(property.Type)));
        }

        if (result.Members.Count > 64)
        {
            throw new GuestBindingsException($"{type.Name} has more than 64 members; the C bindings read at most 64 per object.");
        }

        Ordered.Add(result);
        return result;
    }

    // prefix_name_t, without repeating the prefix when the type's name starts with it (DriftlessLogEntry is driftless_log_entry_t).
    private string Named(string snake)
    {
        string cName = prefix + "_" + (snake.StartsWith(prefix + "_", StringComparison.Ordinal) ? snake[(prefix.Length + 1)..] : snake) + "_t";
        neutralNames[cName] = snake;
        return cName;
    }

    /// <summary>The snake-case name of a struct's or enum's .NET type (with its type arguments), whatever its C name: other languages name their types after it.</summary>
    public string NeutralName(string cName) => neutralNames[cName];

    // A generic type is named with its arguments (HostResult<DbExecData> is host_result_db_exec_data), so instances differ.
    private string TypeName(INamedTypeSymbol type)
        => string.Join("_", new[] { Snake(type.Name) }.Concat(type.TypeArguments.Select(a => a is INamedTypeSymbol n ? TypeName(n) : Snake(a.Name))));

    /// <summary><paramref name="name"/> as a C identifier: ASCII letters and digits in lower case, anything else an underscore.</summary>
    public static string Identifier(string name)
    {
        var builder = new System.Text.StringBuilder(name.Length);
        foreach (char c in name)
        {
            builder.Append(c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') ? char.ToLowerInvariant(c) : '_');
        }

        return builder.ToString();
    }

    private static string Field(string jsonName)
    {
        string field = Identifier(jsonName);
        return field.Length == 0 || field[0] is >= '0' and <= '9' || CKeywords.Contains(field) ? "m_" + field : field;
    }

    private static readonly HashSet<string> CKeywords = ["auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void", "volatile", "while", "bool", "true", "false"];

    // [JsonIgnore] leaves a member out only with its default condition, Always (1); WhenWritingNull and the others keep it.
    private static bool IgnoredAlways(AttributeData attribute)
        => attribute.AttributeClass?.ToDisplayString() == Serialization + "JsonIgnoreAttribute"
            && (attribute.NamedArguments.FirstOrDefault(a => a.Key == "Condition").Value.Value is not int condition || condition == 1);

    private static bool IsNullable(ITypeSymbol type)
        => type.NullableAnnotation == NullableAnnotation.Annotated || type.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T;

    private static GuestBindingsException Unsupported(string where, ITypeSymbol type, string why)
        => new($"{where} is {type.ToDisplayString()}: {why}.");

    private static bool HasAttribute(ISymbol symbol, string name) => symbol.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == name);

    private static bool IsExtensionDataOnly(INamedTypeSymbol type)
    {
        var properties = Properties(type).Where(p => !p.IsStatic && p.GetMethod?.DeclaredAccessibility == Accessibility.Public).ToList();
        return properties.Count > 0 && properties.All(p => HasAttribute(p, Serialization + "JsonExtensionDataAttribute"));
    }

    private static IMethodSymbol? Constructor(INamedTypeSymbol type)
    {
        IMethodSymbol[] constructors = [.. type.InstanceConstructors.Where(c => c.DeclaredAccessibility == Accessibility.Public && !(c.Parameters.Length == 1 && SymbolEqualityComparer.Default.Equals(c.Parameters[0].Type, type)))];
        return constructors.FirstOrDefault(c => HasAttribute(c, Serialization + "JsonConstructorAttribute"))
            ?? constructors.FirstOrDefault(c => c.Parameters.Length == 0)
            ?? (constructors.Length == 1 ? constructors[0] : null);
    }

    // Base members first, as System.Text.Json orders them; a redeclared member keeps the most derived declaration.
    private static IEnumerable<IPropertySymbol> Properties(INamedTypeSymbol type)
    {
        var chain = new List<INamedTypeSymbol>();
        for (INamedTypeSymbol? current = type; current is not null && current.SpecialType != SpecialType.System_Object; current = current.BaseType)
        {
            chain.Insert(0, current);
        }

        var byName = new Dictionary<string, IPropertySymbol>();
        var order = new List<string>();
        foreach (INamedTypeSymbol declaring in chain)
        {
            foreach (IPropertySymbol property in declaring.GetMembers().OfType<IPropertySymbol>())
            {
                if (property.Name == "EqualityContract")
                {
                    continue;
                }

                if (!byName.ContainsKey(property.Name))
                {
                    order.Add(property.Name);
                }

                byName[property.Name] = property;
            }
        }

        return order.Select(n => byName[n]);
    }
}
