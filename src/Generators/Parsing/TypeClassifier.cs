using Airlock.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Airlock.Generators.Parsing;

/// <summary>Decides how a C# type crosses the packed ptr+len ABI.</summary>
internal static class TypeClassifier
{
    /// <summary>Fully qualified names with nullable annotations, as generated code spells types.</summary>
    public static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    public static string Display(ITypeSymbol type) => type.ToDisplayString(TypeFormat);

    public static string DisplayWithoutNullable(ITypeSymbol type)
        => type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);

    /// <summary>Classifies a value; returns <see langword="null"/> with a reason when it cannot cross.</summary>
    /// <param name="type">The C# type.</param>
    /// <param name="name">The parameter name, empty for results.</param>
    /// <param name="isHostSide">Whether the value belongs to a host function (which may take spans and the guest context).</param>
    /// <param name="reason">Why the value cannot cross, when it cannot.</param>
    public static ValueSpec? Classify(ITypeSymbol type, string name, bool isHostSide, out string? reason)
    {
        reason = null;
        bool nullable = type.NullableAnnotation == NullableAnnotation.Annotated;
        string display = Display(type);

        if (IsNamed(type, "System.Threading.CancellationToken"))
        {
            if (isHostSide)
            {
                reason = "host functions receive the call's token through GuestContext.CancellationToken";
                return null;
            }

            return new ValueSpec(name, display, PayloadKind.CancellationToken, WasmScalar.None, ScalarConversion.Identity, null, false);
        }

        if (IsNamed(type, "Airlock.Abi.GuestContext"))
        {
            if (!isHostSide)
            {
                reason = "only host functions receive the calling instance";
                return null;
            }

            return new ValueSpec(name, display, PayloadKind.GuestContext, WasmScalar.None, ScalarConversion.Identity, null, false);
        }

        if (type.SpecialType == SpecialType.System_String)
        {
            return new ValueSpec(name, display, PayloadKind.Utf8, WasmScalar.None, ScalarConversion.Identity, null, nullable);
        }

        if (type is IArrayTypeSymbol { Rank: 1, ElementType.SpecialType: SpecialType.System_Byte })
        {
            return new ValueSpec(name, display, PayloadKind.Bytes, WasmScalar.None, ScalarConversion.Identity, null, nullable);
        }

        if (IsByteSequence(type, "System.ReadOnlyMemory`1"))
        {
            return new ValueSpec(name, display, PayloadKind.BytesMemory, WasmScalar.None, ScalarConversion.Identity, null, false);
        }

        if (IsByteSequence(type, "System.ReadOnlySpan`1"))
        {
            if (!isHostSide || name.Length == 0)
            {
                reason = "a span over guest memory is valid only while a host function runs; use byte[] or ReadOnlyMemory<byte>";
                return null;
            }

            return new ValueSpec(name, display, PayloadKind.BytesSpan, WasmScalar.None, ScalarConversion.Identity, null, false);
        }

        if (IsNamed(type, "Airlock.Abi.JsonArgument"))
        {
            if (!isHostSide || name.Length == 0)
            {
                reason = "a JSON argument views guest memory only while a host function runs; use a JSON type or JsonElement";
                return null;
            }

            return new ValueSpec(name, display, PayloadKind.JsonView, WasmScalar.None, ScalarConversion.Identity, null, false);
        }

        if (ClassifyScalar(type) is { } scalar)
        {
            return new ValueSpec(name, display, PayloadKind.Scalar, scalar.Wasm, scalar.Conversion, null, false);
        }

        if (type.IsRefLikeType || type.TypeKind is TypeKind.Pointer or TypeKind.FunctionPointer or TypeKind.TypeParameter or TypeKind.Error || type.SpecialType == SpecialType.System_Object)
        {
            reason = "only strings, bytes, wasm scalars, enums and JSON-serialisable types can cross";
            return null;
        }

        if (type.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T)
        {
            reason = "nullable scalars have no wasm representation";
            return null;
        }

        return new ValueSpec(name, display, PayloadKind.Json, WasmScalar.None, ScalarConversion.Identity, DisplayWithoutNullable(type), nullable);
    }

    public static bool IsNamed(ITypeSymbol type, string metadataName)
        => type is INamedTypeSymbol named && FullMetadataName(named) == metadataName;

    public static string FullMetadataName(INamedTypeSymbol type)
    {
        string ns = type.ContainingNamespace is { IsGlobalNamespace: false } container ? container.ToDisplayString() + "." : string.Empty;
        string outer = type.ContainingType is { } containing ? FullMetadataName(containing) + "+" : ns;
        return outer + type.MetadataName;
    }

    private static bool IsByteSequence(ITypeSymbol type, string definition)
        => type is INamedTypeSymbol { IsGenericType: true } named
           && FullMetadataName(named.OriginalDefinition) == definition
           && named.TypeArguments[0].SpecialType == SpecialType.System_Byte;

    private static (WasmScalar Wasm, ScalarConversion Conversion)? ClassifyScalar(ITypeSymbol type)
    {
        if (type is INamedTypeSymbol { TypeKind: TypeKind.Enum, EnumUnderlyingType: { } underlying })
        {
            return (underlying.SpecialType is SpecialType.System_Int64 or SpecialType.System_UInt64 ? WasmScalar.I64 : WasmScalar.I32, ScalarConversion.Cast);
        }

        return type.SpecialType switch
        {
            SpecialType.System_Int32 => (WasmScalar.I32, ScalarConversion.Identity),
            SpecialType.System_Int64 => (WasmScalar.I64, ScalarConversion.Identity),
            SpecialType.System_Single => (WasmScalar.F32, ScalarConversion.Identity),
            SpecialType.System_Double => (WasmScalar.F64, ScalarConversion.Identity),
            SpecialType.System_Boolean => (WasmScalar.I32, ScalarConversion.Boolean),
            SpecialType.System_UInt32 or SpecialType.System_Int16 or SpecialType.System_UInt16
                or SpecialType.System_Byte or SpecialType.System_SByte or SpecialType.System_Char => (WasmScalar.I32, ScalarConversion.Cast),
            SpecialType.System_UInt64 => (WasmScalar.I64, ScalarConversion.Cast),
            _ => null,
        };
    }
}
