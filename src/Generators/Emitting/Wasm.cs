using System.Collections.Generic;
using System.Linq;
using Airlock.Generators.Model;

namespace Airlock.Generators.Emitting;

/// <summary>Shared spelling of wasm signatures and conversions for both emitters.</summary>
internal static class Wasm
{
    public const string Abi = "global::Airlock.Abi.";
    public const string GeneratedCode = "[global::System.CodeDom.Compiler.GeneratedCode(\"Airlock.Generators\", \"1.0.0\")]";

    /// <summary>The wasm parameters a value occupies, as (wasm type, C# name) pairs.</summary>
    public static IEnumerable<(WasmScalar Type, string Name)> Parameters(ValueSpec value)
    {
        string bare = value.Name.TrimStart('@');
        switch (value.Kind)
        {
            case PayloadKind.Scalar:
                yield return (value.Scalar, value.Name);
                break;
            case PayloadKind.Utf8 or PayloadKind.Bytes or PayloadKind.BytesMemory or PayloadKind.BytesSpan or PayloadKind.Json:
                yield return (WasmScalar.I32, bare + "Ptr");
                yield return (WasmScalar.I32, bare + "Len");
                break;
        }
    }

    /// <summary>The wasm result a value occupies, or <see cref="WasmScalar.None"/>.</summary>
    public static WasmScalar Result(ValueSpec value) => value.Kind switch
    {
        PayloadKind.Scalar => value.Scalar,
        PayloadKind.Utf8 or PayloadKind.Bytes or PayloadKind.BytesMemory or PayloadKind.Json => WasmScalar.I64,
        _ => WasmScalar.None,
    };

    public static bool IsBuffer(ValueSpec value)
        => value.Kind is PayloadKind.Utf8 or PayloadKind.Bytes or PayloadKind.BytesMemory or PayloadKind.BytesSpan or PayloadKind.Json;

    public static string ClrType(WasmScalar type) => type switch
    {
        WasmScalar.I32 => "int",
        WasmScalar.I64 => "long",
        WasmScalar.F32 => "float",
        _ => "double",
    };

    public static string ValueType(WasmScalar type) => Abi + "WasmValueType." + type switch
    {
        WasmScalar.I32 => "I32",
        WasmScalar.I64 => "I64",
        WasmScalar.F32 => "F32",
        _ => "F64",
    };

    public static string Text(WasmScalar type) => type.ToString().ToLowerInvariant();

    /// <summary>A <c>new WasmFunctionType(...)</c> expression.</summary>
    public static string FunctionType(IReadOnlyList<WasmScalar> parameters, WasmScalar result)
    {
        string list = parameters.Count == 0
            ? "global::System.Array.Empty<" + Abi + "WasmValueType>()"
            : "new[] { " + string.Join(", ", parameters.Select(ValueType)) + " }";
        string results = result == WasmScalar.None
            ? "global::System.Array.Empty<" + Abi + "WasmValueType>()"
            : "new[] { " + ValueType(result) + " }";
        return "new " + Abi + "WasmFunctionType(" + list + ", " + results + ")";
    }

    /// <summary>The signature in the text form errors use, e.g. <c>(i32, i32) -> i64</c>.</summary>
    public static string Signature(IReadOnlyList<WasmScalar> parameters, WasmScalar result)
        => "(" + string.Join(", ", parameters.Select(Text)) + ") -> " + (result == WasmScalar.None ? "()" : Text(result));

    /// <summary>Converts a C# scalar expression to its wasm type.</summary>
    public static string ToWasm(ValueSpec value, string expression) => value.Conversion switch
    {
        ScalarConversion.Boolean => "(" + expression + " ? 1 : 0)",
        ScalarConversion.Cast => "unchecked((" + ClrType(value.Scalar) + ")" + expression + ")",
        _ => expression,
    };

    /// <summary>Converts a wasm scalar expression to the C# type.</summary>
    public static string FromWasm(ValueSpec value, string expression) => value.Conversion switch
    {
        ScalarConversion.Boolean => "(" + expression + " != 0)",
        ScalarConversion.Cast => "unchecked((" + value.Type + ")" + expression + ")",
        _ => expression,
    };

    /// <summary>A C# string literal.</summary>
    public static string Literal(string text) => Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(text, quote: true);

    /// <summary>Field name for a type's <c>JsonTypeInfo</c>: <c>global::A.B.PluginMetadata</c> becomes <c>_pluginMetadataInfo</c>.</summary>
    public static string JsonInfoName(string jsonType, ISet<string> taken)
    {
        // global::System.Collections.Generic.List<global::A.Item> -> ListItem
        string head = System.Text.RegularExpressions.Regex.Replace(jsonType.Replace("global::", string.Empty), @"[A-Za-z_][A-Za-z0-9_]*\.", string.Empty);
        head = new string(head.Where(char.IsLetterOrDigit).ToArray());
        string name = "_" + char.ToLowerInvariant(head[0]) + head.Substring(1) + "Info";
        string unique = name;
        for (int i = 2; !taken.Add(unique); i++)
        {
            unique = name + i;
        }

        return unique;
    }
}
