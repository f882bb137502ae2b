using System.Collections.Generic;
using System.Linq;
using Airlock.Generators.Diagnostics;
using Airlock.Generators.Infrastructure;
using Microsoft.CodeAnalysis;

namespace Airlock.Generators.Parsing;

/// <summary>
/// Checks JSON payload types against a contract's <c>JsonSerializerContext</c>: that the context is
/// one, that it covers each payload type (so the generated binding finds its <c>JsonTypeInfo</c>), and
/// that tagged unions are well formed (discriminated, unique, serialisable cases). Reports each
/// problem once per contract.
/// </summary>
internal sealed class JsonPayloadChecker
{
    private const string ContextBase = "System.Text.Json.Serialization.JsonSerializerContext";
    private const string SerializableAttribute = "System.Text.Json.Serialization.JsonSerializableAttribute";
    private const string PolymorphicAttribute = "System.Text.Json.Serialization.JsonPolymorphicAttribute";
    private const string DerivedTypeAttribute = "System.Text.Json.Serialization.JsonDerivedTypeAttribute";

    private readonly INamedTypeSymbol _context;
    private readonly string _owner;
    private readonly HashSet<string> _reported = [];
    private readonly bool _isContext;
    private HashSet<ITypeSymbol>? _covered;

    public JsonPayloadChecker(INamedTypeSymbol context, string owner)
    {
        _context = context;
        _owner = owner;
        _isContext = context.TypeKind == TypeKind.Error || DerivesFrom(context, ContextBase);
    }

    /// <summary>The context's fully qualified name, as generated code spells it.</summary>
    public string ContextName => TypeClassifier.DisplayWithoutNullable(_context);

    /// <summary>
    /// The one-pass reader of a result type, keyed by its fully qualified name, added to
    /// <paramref name="readers"/> once; nothing when System.Text.Json alone reads the type.
    /// </summary>
    public void AddReader(ITypeSymbol type, IAssemblySymbol within, Dictionary<string, Model.JsonReaderSpec> readers)
    {
        if (!_isContext || _context.TypeKind == TypeKind.Error || type.TypeKind == TypeKind.Error)
        {
            return;
        }

        ITypeSymbol bare = Bare(type);
        string name = TypeClassifier.DisplayWithoutNullable(bare);
        if (!readers.ContainsKey(name) && JsonReaderParser.TryParse(bare, _context, within) is { } reader)
        {
            readers[name] = reader;
        }
    }

    /// <summary>The members a generated writer writes for a union case, or null when the case object must be built.</summary>
    public ImmutableEquatableArray<Model.CaseMemberSpec>? CaseWriter(INamedTypeSymbol caseType)
        => _isContext && _context.TypeKind != TypeKind.Error ? JsonCaseWriterParser.TryParse(caseType, _context) : null;

    /// <summary>Reports a JsonContext that is not a <c>JsonSerializerContext</c>; returns whether it is one.</summary>
    public bool CheckContext(Location? location, List<Diagnostic> diagnostics)
    {
        if (!_isContext)
        {
            diagnostics.Add(Diagnostic.Create(Descriptors.UncoveredJsonType, location, _owner, _context.ToDisplayString(), "it is not a JsonSerializerContext; declare a partial class deriving from JsonSerializerContext with [JsonSerializable(typeof(...))] for each payload type"));
        }

        return _isContext;
    }

    /// <summary>Checks one payload type used at <paramref name="location"/>.</summary>
    public void Check(ITypeSymbol type, Location? location, List<Diagnostic> diagnostics)
    {
        if (!_isContext || _context.TypeKind == TypeKind.Error || type.TypeKind == TypeKind.Error)
        {
            return;
        }

        ITypeSymbol bare = Bare(type);
        HashSet<ITypeSymbol> covered = Covered();
        if (covered.Count > 0 && !covered.Contains(bare) && Once("cover:" + bare.ToDisplayString()))
        {
            diagnostics.Add(Diagnostic.Create(Descriptors.UncoveredJsonType, location, _owner, _context.ToDisplayString(), "it does not cover '" + bare.ToDisplayString() + "'; add [JsonSerializable(typeof(" + bare.ToDisplayString() + "))] to it"));
        }

        if (bare is INamedTypeSymbol named)
        {
            CheckUnion(named, location, diagnostics);
        }
    }

    private void CheckUnion(INamedTypeSymbol union, Location? location, List<Diagnostic> diagnostics)
    {
        AttributeData[] cases = [.. union.GetAttributes().Where(a => a.AttributeClass?.ToDisplayString() == DerivedTypeAttribute)];
        bool polymorphic = union.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == PolymorphicAttribute);
        if (!polymorphic && cases.Length == 0)
        {
            return;
        }

        string name = union.ToDisplayString();
        if (cases.Length == 0)
        {
            Report(diagnostics, Descriptors.UnionWithoutDiscriminator, location, "nocases:" + name, name, "it has no [JsonDerivedType] cases; add [JsonDerivedType(typeof(Case), \"case\")] for each case");
            return;
        }

        var seen = new Dictionary<string, string>();
        foreach (AttributeData derived in cases)
        {
            if (derived.ConstructorArguments.Length == 0 || derived.ConstructorArguments[0].Value is not INamedTypeSymbol caseType)
            {
                continue;
            }

            string caseName = caseType.ToDisplayString();
            object? discriminator = derived.ConstructorArguments.Length > 1 ? derived.ConstructorArguments[1].Value : null;
            if (discriminator is null)
            {
                Report(diagnostics, Descriptors.UnionWithoutDiscriminator, location, "nodisc:" + name + caseName, name, "its case '" + caseName + "' has no discriminator; write [JsonDerivedType(typeof(" + caseName + "), \"" + SuggestDiscriminator(caseType.Name) + "\")]");
                continue;
            }

            string value = discriminator is string text ? "\"" + text + "\"" : System.Convert.ToString(discriminator, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
            if (seen.TryGetValue(value, out string? first))
            {
                Report(diagnostics, Descriptors.DuplicateDiscriminator, location, "dup:" + name + value, name, value, first, caseName);
            }
            else
            {
                seen[value] = caseName;
            }

            string? problem = caseType.TypeKind == TypeKind.Interface ? "it is an interface"
                : caseType.IsAbstract ? "it is abstract"
                : caseType.IsUnboundGenericType ? "it is an open generic type"
                : !DerivesFrom(caseType, union) ? "it does not derive from '" + name + "'"
                : null;
            if (problem is not null)
            {
                Report(diagnostics, Descriptors.UnserialisableCase, location, "case:" + name + caseName, caseName, name, value, problem);
            }
        }
    }

    private void Report(List<Diagnostic> diagnostics, DiagnosticDescriptor descriptor, Location? location, string key, params object[] arguments)
    {
        if (Once(key))
        {
            diagnostics.Add(Diagnostic.Create(descriptor, location, arguments));
        }
    }

    private bool Once(string key) => _reported.Add(key);

    // Everything System.Text.Json's generator produces type information for: the [JsonSerializable]
    // roots and, through them, member, element and derived types. Empty when the context declares no
    // roots (a hand-written context): then nothing is checked.
    private HashSet<ITypeSymbol> Covered()
    {
        if (_covered is not null)
        {
            return _covered;
        }

        var covered = new HashSet<ITypeSymbol>(SymbolEqualityComparer.Default);
        var pending = new Stack<ITypeSymbol>();
        for (INamedTypeSymbol? type = _context; type is not null && type.ToDisplayString() != ContextBase; type = type.BaseType)
        {
            foreach (AttributeData root in type.GetAttributes().Where(a => a.AttributeClass?.ToDisplayString() == SerializableAttribute))
            {
                if (root.ConstructorArguments.Length > 0 && root.ConstructorArguments[0].Value is ITypeSymbol rootType)
                {
                    pending.Push(rootType);
                }
            }
        }

        while (pending.Count > 0 && covered.Count < 20_000)
        {
            ITypeSymbol type = Bare(pending.Pop());
            if (type.TypeKind == TypeKind.Error || !covered.Add(type))
            {
                continue;
            }

            if (type is IArrayTypeSymbol array)
            {
                pending.Push(array.ElementType);
                continue;
            }

            if (type is not INamedTypeSymbol named || named.SpecialType != SpecialType.None)
            {
                continue;
            }

            foreach (ITypeSymbol argument in named.TypeArguments)
            {
                pending.Push(argument);
            }

            foreach (AttributeData derived in named.GetAttributes().Where(a => a.AttributeClass?.ToDisplayString() == DerivedTypeAttribute))
            {
                if (derived.ConstructorArguments.Length > 0 && derived.ConstructorArguments[0].Value is ITypeSymbol caseType)
                {
                    pending.Push(caseType);
                }
            }

            if (named.ContainingNamespace?.ToDisplayString().StartsWith("System", System.StringComparison.Ordinal) == true)
            {
                continue;
            }

            for (INamedTypeSymbol? level = named; level is not null && level.SpecialType != SpecialType.System_Object; level = level.BaseType)
            {
                foreach (ISymbol member in level.GetMembers())
                {
                    if (member.IsStatic || member.DeclaredAccessibility != Accessibility.Public)
                    {
                        continue;
                    }

                    if (member is IPropertySymbol property)
                    {
                        pending.Push(property.Type);
                    }
                    else if (member is IFieldSymbol field)
                    {
                        pending.Push(field.Type);
                    }
                    else if (member is IMethodSymbol { MethodKind: MethodKind.Constructor } constructor)
                    {
                        foreach (IParameterSymbol parameter in constructor.Parameters)
                        {
                            pending.Push(parameter.Type);
                        }
                    }
                }
            }
        }

        return _covered = covered;
    }

    private static ITypeSymbol Bare(ITypeSymbol type)
        => type.WithNullableAnnotation(NullableAnnotation.NotAnnotated);

    private static bool DerivesFrom(ITypeSymbol type, string baseName)
    {
        for (INamedTypeSymbol? current = type.BaseType; current is not null; current = current.BaseType)
        {
            if (current.ToDisplayString() == baseName)
            {
                return true;
            }
        }

        return false;
    }

    private static bool DerivesFrom(INamedTypeSymbol type, INamedTypeSymbol union)
        => union.TypeKind == TypeKind.Interface
            ? type.AllInterfaces.Contains(union, SymbolEqualityComparer.Default)
            : DerivesFrom(type, union.ToDisplayString()) || SymbolEqualityComparer.Default.Equals(type, union);

    private static string SuggestDiscriminator(string caseName)
    {
        var builder = new System.Text.StringBuilder();
        foreach (char c in caseName)
        {
            if (char.IsUpper(c) && builder.Length > 0)
            {
                builder.Append('_');
            }

            builder.Append(char.ToLowerInvariant(c));
        }

        return builder.ToString();
    }
}
