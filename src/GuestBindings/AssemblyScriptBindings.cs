using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Airlock.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Airlock.GuestBindings;

/// <summary>
/// AssemblyScript bindings of a <c>[WasmPlugin]</c> contract under any of Airlock's ABIs (packed ptr+len and the Samuel
/// convention; fixed offset with <c>__hook_result_len</c>; wasm-bindgen's convention): a module with the payload classes
/// (each with a generated strict JSON reader and writer), the typed results and errors, and a typed wrapper per host
/// function; the export module with the allocator and one shim per contract export, which calls the plain function the
/// plugin implements in <c>assembly/plugin.ts</c>; and the asc transform that stamps the module with its contract and
/// wire hash and leaves out the optional exports the plugin does not implement.
/// </summary>
internal sealed class AssemblyScriptBindings
{
    // Names the runtime declares; a contract type with one of them gets a suffix.
    private static readonly HashSet<string> RuntimeNames =
    [
        "PluginError", "Result", "RawJson", "HostStatus", "HostResult", "JsonReader", "JsonWriter", "Map", "Array", "String", "Uint8Array",
        "Error", "Object", "Date", "Math", "Set", "Function", "Number", "Boolean",
    ];

    // Words a class member or parameter is not named, to keep the generated code unambiguous.
    private static readonly HashSet<string> Reserved =
    [
        "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else", "enum", "export", "extends",
        "false", "finally", "for", "function", "if", "import", "in", "instanceof", "new", "null", "return", "super", "switch", "this",
        "throw", "true", "try", "typeof", "var", "void", "while", "with", "let", "static", "yield", "await", "readJson", "writeJson",
        "writeJsonMembers", "constructor", "impl", "error", "result", "w", "r",
    ];

    private readonly LoadedContract contract;
    private readonly string prefix;
    private readonly CTypeMap types;
    private readonly List<ExportPlan> exports;
    private readonly List<ImportPlan> imports;
    private readonly Dictionary<CStruct, string> classNames = [];

    private AssemblyScriptBindings(LoadedContract contract, string prefix)
    {
        this.contract = contract;
        this.prefix = prefix;
        INamedTypeSymbol? context = contract.Spec.JsonContext is { } contextName ? contract.Compilation.GetTypeByMetadataName(ContractLoader.MetadataName(contextName)) : null;
        types = new CTypeMap(prefix, context);
        var plan = new ContractPlan(contract, types, Camel);
        exports = plan.Exports;
        imports = plan.Imports;
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (CStruct s in types.Ordered)
        {
            string name = Pascal(types.NeutralName(s.CName));
            if (RuntimeNames.Contains(name))
            {
                name += "Value";
            }

            string unique = name;
            for (int i = 2; !used.Add(unique); i++)
            {
                unique = name + i.ToString(CultureInfo.InvariantCulture);
            }

            classNames[s] = unique;
        }
    }

    /// <summary>The file name of the asc transform the bindings come with (the same for every contract).</summary>
    public const string TransformFile = "airlock-transform.mjs";

    /// <summary>The prefix of the exported constant that says whether the plugin implements an optional export; the transform removes both.</summary>
    private const string ImplementsPrefix = "__airlock_implements__";

    /// <summary>Generates <c>prefix.ts</c> (types, codecs, host functions), <c>prefix.exports.ts</c> (allocator and export shims) and the asc transform.</summary>
    public static IReadOnlyList<GeneratedFile> Generate(LoadedContract contract, string prefix)
    {
        return new AssemblyScriptBindings(contract, prefix).Emit();
    }

    /// <summary>lower_snake or PascalCase to camelCase (<c>plugin_init</c> → <c>pluginInit</c>).</summary>
    internal static string Camel(string name)
    {
        string pascal = Pascal(name);
        string camel = pascal.Length == 0 ? "_" : char.ToLowerInvariant(pascal[0]) + pascal[1..];
        return char.IsAsciiDigit(camel[0]) ? "_" + camel : camel;
    }

    private static string Pascal(string name)
    {
        var b = new StringBuilder();
        bool upper = true;
        foreach (char c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                upper = true;
                continue;
            }

            b.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }

        return b.ToString();
    }

    private static string Member(string jsonName)
    {
        string name = Camel(jsonName);
        return Reserved.Contains(name) ? name + "_" : name;
    }

    private static string Flag(CMember m) => "has" + Pascal(Member(m.JsonName));

    private string ClassOf(CStruct s) => classNames[s];

    /// <summary>The AssemblyScript type of a JSON value; nullable adds <c>| null</c> to reference types.</summary>
    private string Spell(CType type, bool nullable = false)
    {
        string spelled = type.Kind switch
        {
            CKind.Str => "string",
            CKind.Int32 => type.Enum is { } e ? EnumName(e) : "i32",
            CKind.Int64 => "i64",
            CKind.Bool => "bool",
            CKind.Json or CKind.JsonObject or CKind.JsonArray => "RawJson",
            CKind.Struct => ClassOf(type.Struct!),
            CKind.StrList => "string[]",
            CKind.StructList => ClassOf(type.Struct!) + "[]",
            _ => "Map<string, string>",
        };
        return nullable && !IsScalar(type) ? spelled + " | null" : spelled;
    }

    private static bool IsScalar(CType type) => type.Kind is CKind.Int32 or CKind.Int64 or CKind.Bool;

    private string EnumName(string cName) => Pascal(types.Enums[cName].Name) is var n && RuntimeNames.Contains(n) ? n + "Value" : Pascal(types.Enums[cName].Name);

    // The AssemblyScript field type of a member: scalars with a has- flag; text, lists, maps and raw JSON nullable when the member is.
    private string FieldType(CMember m) => Spell(m.Type, m.Nullable && !IsScalar(m.Type));

    private string FieldInit(CMember m)
    {
        if (m.Nullable && !IsScalar(m.Type))
        {
            return "null";
        }

        return m.Type.Kind switch
        {
            CKind.Str => "\"\"",
            CKind.Int32 => m.Default is { } d ? (m.Type.Enum is { } e ? $"<{EnumName(e)}>{d}" : d) : (m.Type.Enum is { } e2 ? $"<{EnumName(e2)}>0" : "0"),
            CKind.Int64 => m.Default is { } l ? l.Replace("LL", string.Empty, StringComparison.Ordinal) : "0",
            CKind.Bool => m.Default ?? "false",
            CKind.Json => "new RawJson(\"null\")",
            CKind.JsonObject => "new RawJson(\"{}\")",
            CKind.JsonArray => "new RawJson(\"[]\")",
            CKind.Struct => $"new {ClassOf(m.Type.Struct!)}()",
            CKind.StrList => "[]",
            CKind.StructList => $"new Array<{ClassOf(m.Type.Struct!)}>()",
            _ => "new Map<string, string>()",
        };
    }

    private static string Str(string text) => System.Text.Json.JsonSerializer.Serialize(text);

    private IReadOnlyList<GeneratedFile> Emit()
    {
        string types = EmitTypes();
        string shims = EmitExports();
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(types + "\n" + shims)))[..16];
        string banner = Banner(hash);
        return
        [
            new GeneratedFile(prefix + ".ts", banner + types.Replace("@HASH@", hash, StringComparison.Ordinal)),
            new GeneratedFile(prefix + ".exports.ts", banner + shims),
            new GeneratedFile(TransformFile, Resource(TransformFile)),
        ];
    }

    private AbiKind Abi => contract.Spec.Abi;

    private string Banner(string hash)
    {
        string abi = Abi switch
        {
            AbiKind.FixedOffset => "fixed-offset ABI",
            AbiKind.WasmBindgen => "wasm-bindgen ABI",
            _ when contract.Spec.AllocExport == Airlock.Wasm.PackedAbiExports.DefaultAlloc => "packed ptr+len ABI",
            _ => $"packed ptr+len ABI, allocator {contract.Spec.AllocExport}/{contract.Spec.FreeExport}",
        };
        return $"""
            // Generated by airlock bindings {CBindings.GeneratorVersion} (AssemblyScript 0.28, {abi}) from the contract
            // {contract.Spec.Type.Namespace}.{contract.Spec.Type.Name} in {contract.AssemblyName} {contract.AssemblyVersion}. Bindings hash {hash}.
            // Do not edit: regenerate with `airlock bindings` when the contract changes.

            """;
    }

    private static string Resource(string name)
    {
        using Stream stream = typeof(AssemblyScriptBindings).Assembly.GetManifestResourceStream("Airlock.GuestBindings.AssemblyScript." + name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    private string EmitTypes()
    {
        var w = new StringBuilder();
        w.Append(Resource("runtime.ts"));
        w.Append("\n// ---- the contract ----------------------------------------------------------------------------------------------------\n\n");
        w.Append(CultureInfo.InvariantCulture, $"export const CONTRACT = {Str(contract.Spec.Type.Namespace + "." + contract.Spec.Type.Name)};\n");
        w.Append(CultureInfo.InvariantCulture, $"export const CONTRACT_VERSION = {Str(contract.AssemblyVersion)};\n");
        w.Append("export const BINDINGS_HASH = \"@HASH@\";\n");
        string wire = CBindings.WireHashOf(contract);
        w.Append(CultureInfo.InvariantCulture, $"/** The contract's wire hash: {TransformFile} writes it into the module's custom section \"{CBindings.SectionPrefix}<contract>:<hash>\", which airlock check compares with the contract. */\n");
        w.Append(CultureInfo.InvariantCulture, $"export const WIRE_HASH = {Str(wire)};\n");
        w.Append(CultureInfo.InvariantCulture, $"export const AIRLOCK_BINDINGS_SECTION = {Str(CBindings.SectionPrefix + contract.Spec.Type.Namespace + "." + contract.Spec.Type.Name + ":" + wire)};\n\n");
        foreach ((string cName, INamedTypeSymbol symbol) in types.Enums.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            w.Append(CultureInfo.InvariantCulture, $"/** {symbol.ToDisplayString()} */\nexport enum {EnumName(cName)} {{\n");
            foreach (IFieldSymbol field in symbol.GetMembers().OfType<IFieldSymbol>().Where(f => f.HasConstantValue))
            {
                w.Append(CultureInfo.InvariantCulture, $"  {field.Name} = {Convert.ToInt64(field.ConstantValue, CultureInfo.InvariantCulture)},\n");
            }

            w.Append("}\n\n");
        }

        foreach (CStruct s in types.Ordered)
        {
            EmitClass(w, s);
        }

        if (imports.Count > 0)
        {
            w.Append("// ---- host functions ---------------------------------------------------------------------------------------------------\n\n");
            foreach (ImportPlan import in imports)
            {
                EmitImport(w, import);
            }
        }

        return w.ToString();
    }

    // An expression reading a value of `type` from reader `r`: reference types answer null on error, scalars set r.error.
    private string Read(CType type) => type.Kind switch
    {
        CKind.Str => "r.str()",
        CKind.Int32 => type.Enum is { } e ? $"<{EnumName(e)}>r.i32()" : "r.i32()",
        CKind.Int64 => "r.i64()",
        CKind.Bool => "r.bool()",
        CKind.Json => "r.json()",
        CKind.JsonObject => "r.jsonObject()",
        CKind.JsonArray => "r.jsonArray()",
        CKind.Struct => $"{ClassOf(type.Struct!)}.readJson(r)",
        CKind.StrList => "r.strList()",
        CKind.StructList => $"read{ClassOf(type.Struct!)}List(r)",
        _ => "r.strMap()",
    };

    // A statement writing `value` (not null) of `type` into writer `w`.
    private string Write(CType type, string value) => type.Kind switch
    {
        CKind.Str => $"w.str({value})",
        CKind.Int32 or CKind.Int64 => $"w.i64(<i64>{value})",
        CKind.Bool => $"w.bool({value})",
        CKind.Json or CKind.JsonObject or CKind.JsonArray => $"w.json({value})",
        CKind.Struct => $"{value}.writeJson(w)",
        CKind.StrList => $"w.strList({value})",
        CKind.StructList => $"write{ClassOf(type.Struct!)}List(w, {value})",
        _ => $"w.strMap({value})",
    };

    private void EmitClass(StringBuilder w, CStruct s)
    {
        string name = ClassOf(s);
        w.Append(CultureInfo.InvariantCulture, $"/** {s.ClrName} */\nexport class {name} {{\n");
        foreach (CMember m in s.Members)
        {
            string note = (m.Nullable ? (IsScalar(m.Type) ? "optional (" + Flag(m) + ")" : "optional (null when absent)") : m.Required ? "required" : "defaulted") + ", JSON " + Str(m.JsonName);
            if (m.Nullable && IsScalar(m.Type))
            {
                w.Append(CultureInfo.InvariantCulture, $"  {Flag(m)}: bool = false;\n");
            }

            w.Append(CultureInfo.InvariantCulture, $"  /** {note} */\n  {Member(m.JsonName)}: {FieldType(m)} = {FieldInit(m)};\n");
        }

        if (s.HasExtensionData)
        {
            w.Append("  /** [JsonExtensionData]: the members read that are not the others, as one object; written after the others. */\n  extensionData: RawJson | null = null;\n");
        }

        // The reader.
        w.Append(CultureInfo.InvariantCulture, $"\n  /** Reads one {name} strictly; null (with r.error set) when the JSON is not one. */\n  static readJson(r: JsonReader): {name} | null {{\n");
        w.Append(CultureInfo.InvariantCulture, $"    const out = new {name}();\n    if (!r.open(0x7B, \"expected an object\")) return null;\n    let seen: u64 = 0;\n    let m: i32;\n    let first = true;\n");
        if (s.HasExtensionData)
        {
            w.Append("    const extension = new Array<string>();\n");
        }

        w.Append("    while ((m = r.member(first)) == 1) {\n      first = false;\n      const key = r.key;\n");
        for (int i = 0; i < s.Members.Count; i++)
        {
            CMember m = s.Members[i];
            string field = "out." + Member(m.JsonName);
            w.Append(CultureInfo.InvariantCulture, $"      {(i == 0 ? "if" : "} else if")} (key == {Str(m.JsonName)}) {{\n        seen |= <u64>1 << {i};\n");
            if (m.Type.Kind == CKind.Json && !m.Nullable)
            {
                w.Append(CultureInfo.InvariantCulture, $"        const v = r.json();\n        if (v === null) return null;\n        {field} = v;\n");
                continue;
            }

            w.Append("        if (r.isNull()) {\n");
            if (!m.Nullable)
            {
                w.Append(CultureInfo.InvariantCulture, $"          r.fail({Str("\"" + m.JsonName + "\" must not be null")});\n          return null;\n");
            }
            else if (IsScalar(m.Type))
            {
                w.Append(CultureInfo.InvariantCulture, $"          out.{Flag(m)} = false;\n");
            }
            else
            {
                w.Append(CultureInfo.InvariantCulture, $"          {field} = null;\n");
            }

            w.Append("        } else {\n");
            if (IsScalar(m.Type))
            {
                w.Append(CultureInfo.InvariantCulture, $"          const v = {Read(m.Type)};\n          if (r.error !== null) return null;\n          {field} = v;\n");
                if (m.Nullable)
                {
                    w.Append(CultureInfo.InvariantCulture, $"          out.{Flag(m)} = true;\n");
                }
            }
            else
            {
                w.Append(CultureInfo.InvariantCulture, $"          const v = {Read(m.Type)};\n          if (v === null) return null;\n          {field} = v;\n");
            }

            w.Append("        }\n");
        }

        if (s.HasExtensionData)
        {
            const string keep = "        const v = r.json();\n        if (v === null) return null;\n        extension.push(jsonQuote(key) + \":\" + v.text);\n";
            w.Append(s.Members.Count == 0 ? "      {\n" + keep.Replace("\n  ", "\n", StringComparison.Ordinal) + "      }\n" : "      } else {\n" + keep + "      }\n");
        }
        else
        {
            w.Append(s.Members.Count == 0 ? "      if (!r.skip()) return null;\n" : "      } else if (!r.skip()) {\n        return null;\n      }\n");
        }

        w.Append("    }\n    if (m < 0) return null;\n");
        if (s.HasExtensionData)
        {
            w.Append("    if (extension.length) out.extensionData = new RawJson(\"{\" + extension.join(\",\") + \"}\");\n");
        }

        for (int i = 0; i < s.Members.Count; i++)
        {
            if (s.Members[i].Required)
            {
                w.Append(CultureInfo.InvariantCulture, $"    if (!(seen & (<u64>1 << {i}))) {{\n      r.fail({Str("missing required member \"" + s.Members[i].JsonName + "\"")});\n      return null;\n    }}\n");
            }
        }

        w.Append("    return out;\n  }\n\n");

        // The writer.
        w.Append("  /** Writes this object as JSON; w.error says why when it cannot be written. */\n  writeJson(w: JsonWriter): void {\n    if (!w.open(\"{\")) return;\n    this.writeJsonMembers(w, true);\n    w.close(\"}\");\n  }\n\n");
        w.Append("  /** Writes this object's members after those already written; answers whether none was written. */\n  writeJsonMembers(w: JsonWriter, first: bool): bool {\n");
        foreach (CMember m in s.Members)
        {
            string value = "this." + Member(m.JsonName);
            string key = Str(System.Text.Json.JsonSerializer.Serialize(m.JsonName) + ":");
            bool list = m.Type.Kind is CKind.StrList or CKind.StructList or CKind.StrMap;
            string? absent = m.Nullable ? (IsScalar(m.Type) ? $"!this.{Flag(m)}" : $"{value} === null") : null;
            if (absent is null)
            {
                w.Append(CultureInfo.InvariantCulture, $"    first = w.key(first, {key});\n    {Write(m.Type, value)};\n");
                continue;
            }

            w.Append(CultureInfo.InvariantCulture, $"    if ({absent}) {{\n");
            if (list && !m.WriteNullable)
            {
                w.Append(CultureInfo.InvariantCulture, $"      first = w.key(first, {key});\n      w.ascii({(m.Type.Kind == CKind.StrMap ? "\"{}\"" : "\"[]\"")});\n");
            }
            else
            {
                w.Append(types.OmitsNull ? "      // absent: left out\n" : $"      first = w.key(first, {key});\n      w.ascii(\"null\");\n");
            }

            string notNull = IsScalar(m.Type) ? value : value + "!";
            w.Append(CultureInfo.InvariantCulture, $"    }} else {{\n      first = w.key(first, {key});\n      {Write(m.Type, notNull)};\n    }}\n");
        }

        if (s.HasExtensionData)
        {
            w.Append("    first = w.jsonMembers(this.extensionData, first);\n");
        }

        w.Append("    return first;\n  }\n}\n\n");
        if (s.NeedsList)
        {
            w.Append(CultureInfo.InvariantCulture, $$"""
                /** Reads a JSON array of {{name}}; null (with r.error set) when it is not one. */
                export function read{{name}}List(r: JsonReader): {{name}}[] | null {
                  if (!r.open(0x5B, "expected an array")) return null;
                  const out = new Array<{{name}}>();
                  let m: i32;
                  let first = true;
                  while ((m = r.item(first)) == 1) {
                    first = false;
                    if (r.isNull()) {
                      r.fail("null item in a list of objects");
                      return null;
                    }
                    const v = {{name}}.readJson(r);
                    if (v === null) return null;
                    out.push(v);
                  }
                  return m == 0 ? out : null;
                }

                /** Writes a JSON array of {{name}}. */
                export function write{{name}}List(w: JsonWriter, l: {{name}}[]): void {
                  if (!w.open("[")) return;
                  for (let i = 0; i < l.length; i++) {
                    if (i) w.byte(0x2C);
                    l[i].writeJson(w);
                  }
                  w.close("]");
                }


                """);
        }
    }

    private static string Scalar(ValueSpec value) => value.Conversion == ScalarConversion.Boolean ? "bool" : Wasm(value.Scalar);

    private static string Wasm(WasmScalar scalar) => scalar switch
    {
        WasmScalar.I64 => "i64",
        WasmScalar.F32 => "f32",
        WasmScalar.F64 => "f64",
        _ => "i32",
    };

    private static bool ImportReturnsStatus(ImportPlan import)
        => import.Spec.Result.Kind is not (PayloadKind.None or PayloadKind.Scalar) || import.Parameters.Any(p => p.Value.Kind == PayloadKind.Json);

    private string ImportResultType(ImportPlan import) => import.Spec.Result.Kind switch
    {
        PayloadKind.Utf8 => "string",
        PayloadKind.Bytes or PayloadKind.BytesMemory => "Uint8Array",
        _ => Spell(import.ResultJson!),
    };

    private void EmitImport(StringBuilder w, ImportPlan import)
    {
        ImportSpec spec = import.Spec;
        string raw = "airlock_import_" + CBindings.Identifier(import.Module) + "_" + CBindings.Identifier(spec.ImportName);
        var wasm = new List<string>();
        var call = new List<string>();
        var parameters = new List<string>();
        var prep = new StringBuilder();
        var frees = new StringBuilder();
        bool status = ImportReturnsStatus(import);
        string resultType = spec.Result.Kind is PayloadKind.None or PayloadKind.Scalar ? string.Empty : ImportResultType(import);
        string statusAnswer(string s) => spec.Result.Kind is PayloadKind.None or PayloadKind.Scalar ? s : $"new HostResult<{resultType}>({s}, null)";
        foreach (ParamPlan p in import.Parameters)
        {
            string name = Member(Camel(p.Name));
            switch (p.Value.Kind)
            {
                case PayloadKind.Scalar:
                    parameters.Add($"{name}: {(p.Json?.Enum is { } e ? EnumName(e) : Scalar(p.Value))}");
                    wasm.Add($"{name}: {Wasm(p.Value.Scalar)}");
                    call.Add($"<{Wasm(p.Value.Scalar)}>{name}");
                    break;
                case PayloadKind.Utf8 or PayloadKind.JsonView:
                    parameters.Add(p.Value.Kind == PayloadKind.Utf8 ? $"{name}: string" : $"{name}: RawJson");
                    wasm.Add($"{name}Ptr: usize");
                    wasm.Add($"{name}Len: usize");
                    prep.Append(CultureInfo.InvariantCulture, $"  const {name}Buf = utf8Buffer({name}{(p.Value.Kind == PayloadKind.JsonView ? ".text" : string.Empty)});\n");
                    call.Add($"{name}Buf.buf");
                    call.Add($"{name}Buf.len");
                    frees.Append(CultureInfo.InvariantCulture, $"  {name}Buf.dispose();\n");
                    break;
                case PayloadKind.Bytes or PayloadKind.BytesMemory or PayloadKind.BytesSpan:
                    parameters.Add($"{name}: Uint8Array");
                    wasm.Add($"{name}Ptr: usize");
                    wasm.Add($"{name}Len: usize");
                    call.Add($"{name}.dataStart");
                    call.Add($"<usize>{name}.length");
                    break;
                default:
                    parameters.Add($"{name}: {Spell(p.Json!)}");
                    wasm.Add($"{name}Ptr: usize");
                    wasm.Add($"{name}Len: usize");
                    prep.Append(CultureInfo.InvariantCulture, $"  const {name}Buf = new JsonWriter();\n  {Write(p.Json!, name).Replace("w.", name + "Buf.", StringComparison.Ordinal).Replace("(w,", "(" + name + "Buf,", StringComparison.Ordinal).Replace("(w)", "(" + name + "Buf)", StringComparison.Ordinal)};\n");
                    prep.Append(CultureInfo.InvariantCulture, $"  if ({name}Buf.error !== null) {{\n    {name}Buf.dispose();\n    return {statusAnswer("HostStatus.BadArgument")};\n  }}\n");
                    call.Add($"{name}Buf.buf");
                    call.Add($"{name}Buf.len");
                    frees.Append(CultureInfo.InvariantCulture, $"  {name}Buf.dispose();\n");
                    break;
            }
        }

        string rawResult = spec.Result.Kind switch
        {
            PayloadKind.None => "void",
            PayloadKind.Scalar => Wasm(spec.Result.Scalar),
            _ when import.Fixed => "i32",
            _ => "i64",
        };
        string returns = spec.Result.Kind switch
        {
            PayloadKind.None => status ? "HostStatus" : "void",
            PayloadKind.Scalar => status ? "HostStatus" : Scalar(spec.Result),
            _ => $"HostResult<{resultType}>",
        };
        w.Append(CultureInfo.InvariantCulture, $"@external({Str(import.Module)}, {Str(spec.ImportName)})\ndeclare function {raw}({string.Join(", ", wasm)}): {rawResult};\n\n");
        w.Append(CultureInfo.InvariantCulture, $"/** {import.Module}.{spec.ImportName}{(spec.Result.Kind is not (PayloadKind.None or PayloadKind.Scalar) ? ": the value, or a status (NotFound, PermissionDenied, ..., Malformed when the answer is not the contract's type)" : string.Empty)} */\n");
        w.Append(CultureInfo.InvariantCulture, $"export function {import.Function}({string.Join(", ", parameters)}): {returns} {{\n");
        w.Append(prep);
        string invoke = $"{raw}({string.Join(", ", call)})";
        switch (spec.Result.Kind)
        {
            case PayloadKind.None:
                w.Append(CultureInfo.InvariantCulture, $"  {invoke};\n{frees}");
                if (status)
                {
                    w.Append("  return HostStatus.Ok;\n");
                }

                break;
            case PayloadKind.Scalar:
                w.Append(CultureInfo.InvariantCulture, $"  const result = {invoke};\n{frees}");
                w.Append(status ? "  return HostStatus.Ok;\n" : Scalar(spec.Result) == "bool" ? "  return result != 0;\n" : "  return result;\n");
                break;
            default:
                if (import.Fixed)
                {
                    EmitFixedImportResult(w, import, invoke, frees.ToString(), resultType);
                    break;
                }

                w.Append(CultureInfo.InvariantCulture, $"  const packed = {invoke};\n{frees}");
                w.Append(CultureInfo.InvariantCulture, $"  if (packed < 0) return new HostResult<{resultType}>(packed >= -6 ? <HostStatus><i32>packed : HostStatus.Malformed, null);\n");
                w.Append("  const ptr = <usize>(<u64>packed >> 32);\n  const len = <usize>(packed & 0xFFFFFFFF);\n");
                string empty = spec.Result.Kind switch
                {
                    PayloadKind.Utf8 => $"new HostResult<string>(HostStatus.Ok, \"\")",
                    PayloadKind.Bytes or PayloadKind.BytesMemory => "new HostResult<Uint8Array>(HostStatus.Ok, new Uint8Array(0))",
                    _ => $"new HostResult<{resultType}>(HostStatus.Malformed, null)",
                };
                w.Append(CultureInfo.InvariantCulture, $"  if (len == 0) return AIRLOCK_HOST_STATUS_CODES ? {empty} : new HostResult<{resultType}>(HostStatus.NotFound, null);\n");
                switch (spec.Result.Kind)
                {
                    case PayloadKind.Utf8:
                        w.Append("  const text = textAt(ptr, len);\n  heap.free(ptr);\n  return text === null ? new HostResult<string>(HostStatus.Malformed, null) : new HostResult<string>(HostStatus.Ok, text);\n");
                        break;
                    case PayloadKind.Bytes or PayloadKind.BytesMemory:
                        w.Append("  const bytes = bytesAt(ptr, len);\n  heap.free(ptr);\n  return new HostResult<Uint8Array>(HostStatus.Ok, bytes);\n");
                        break;
                    default:
                        string read = IsScalar(import.ResultJson!) ? throw new GuestBindingsException($"{spec.ImportName}: a host function's JSON result must be an object, a list, text or raw JSON.") : Read(import.ResultJson!);
                        w.Append(CultureInfo.InvariantCulture, $"  const r = new JsonReader(ptr, len);\n  const value = {read};\n  const done = value !== null && r.finish();\n  heap.free(ptr);\n");
                        w.Append(CultureInfo.InvariantCulture, $"  return done ? new HostResult<{resultType}>(HostStatus.Ok, value) : new HostResult<{resultType}>(HostStatus.Malformed, null);\n");
                        break;
                }

                break;
        }

        w.Append("}\n\n");
    }

    // A fixed-offset host function answers an address: the frame the host wrote at the contract's ResultOffset (u32 length,
    // the bytes, a 0 byte), 0 for no value, or a status. The frame is the host's; it is read in place and never freed.
    private void EmitFixedImportResult(StringBuilder w, ImportPlan import, string invoke, string frees, string resultType)
    {
        string at = import.ResultOffset.ToString(CultureInfo.InvariantCulture);
        string malformed = $"new HostResult<{resultType}>(HostStatus.Malformed, null)";
        w.Append(CultureInfo.InvariantCulture, $"  const at = {invoke};\n{frees}");
        w.Append(CultureInfo.InvariantCulture, $"  if (at < 0) return new HostResult<{resultType}>(at >= -6 ? <HostStatus>at : HostStatus.Malformed, null);\n");
        w.Append(CultureInfo.InvariantCulture, $"  if (at == 0) return new HostResult<{resultType}>(HostStatus.NotFound, null);\n");
        w.Append(CultureInfo.InvariantCulture, $"  if (at != {at} || <u64>{at} + 4 > (<u64>memory.size() << 16)) return {malformed};\n");
        w.Append(CultureInfo.InvariantCulture, $"  const len = <usize>load<u32>({at});\n  if (<u64>{at} + 4 + <u64>len > (<u64>memory.size() << 16)) return {malformed};\n  const ptr: usize = {at} + 4;\n");
        switch (import.Spec.Result.Kind)
        {
            case PayloadKind.Utf8:
                w.Append("  const text = textAt(ptr, len);\n  return text === null ? new HostResult<string>(HostStatus.Malformed, null) : new HostResult<string>(HostStatus.Ok, text);\n");
                break;
            case PayloadKind.Bytes or PayloadKind.BytesMemory:
                w.Append("  return new HostResult<Uint8Array>(HostStatus.Ok, bytesAt(ptr, len));\n");
                break;
            default:
                string read = IsScalar(import.ResultJson!) ? throw new GuestBindingsException($"{import.Spec.ImportName}: a host function's JSON result must be an object, a list, text or raw JSON.") : Read(import.ResultJson!);
                w.Append(CultureInfo.InvariantCulture, $"  const r = new JsonReader(ptr, len);\n  const value = {read};\n");
                w.Append(CultureInfo.InvariantCulture, $"  return value !== null && r.finish() ? new HostResult<{resultType}>(HostStatus.Ok, value) : {malformed};\n");
                break;
        }
    }

    private bool NamedFree => contract.Spec.FreeExport != Airlock.Wasm.PackedAbiExports.DefaultFree;

    private string EmitExports()
    {
        var w = new StringBuilder();
        var imported = new SortedSet<string>(StringComparer.Ordinal) { "JsonReader", "JsonWriter", "PluginError", "AIRLOCK_MAX_INPUT", "writeErrorMembers" };
        foreach (ExportPlan export in exports)
        {
            if (export.Union is { } union)
            {
                foreach (CUnionCase c in union.Cases)
                {
                    imported.Add(ClassOf(c.Request));
                }
            }
            else
            {
                foreach (ParamPlan p in export.Parameters.Where(p => p.Json?.Struct is not null))
                {
                    imported.Add(ClassOf(p.Json!.Struct!));
                }

                if (export.Parameters.Any(p => p.Json?.Kind == CKind.StructList))
                {
                    imported.UnionWith(export.Parameters.Where(p => p.Json?.Kind == CKind.StructList).Select(p => "read" + ClassOf(p.Json!.Struct!) + "List"));
                }

                if (export.ResultJson?.Kind == CKind.StructList)
                {
                    imported.Add("write" + ClassOf(export.ResultJson.Struct!) + "List");
                }
            }

            if (export.Parameters.Any(p => p.Value.Kind == PayloadKind.Utf8))
            {
                imported.Add("textAt");
            }

            if (export.Parameters.Any(p => p.Value.Kind is PayloadKind.Bytes or PayloadKind.BytesMemory))
            {
                imported.Add("bytesAt");
            }
        }

        w.Append(CultureInfo.InvariantCulture, $"// The plugin's exports: the allocator and one shim per contract export, calling the functions of ../plugin.ts.\n// Compile this module as the entry (assembly/index.ts: export * from \"./bindings/{prefix}.exports\").\n\n");
        w.Append(Abi == AbiKind.PackedPtrLen && !exports.Any(e => e.Optional && e.Union is null)
            ? "// What ../plugin.ts implements (a function marked optional may be left out: it is answered \"unsupported_request\"):\n"
            : "// What ../plugin.ts implements (a function marked optional may be left out: " + TransformFile + " leaves its export out, and a\n// request type of a union without a function is answered \"unsupported_request\"):\n");
        foreach (ExportPlan export in exports)
        {
            if (export.Union is { } cases)
            {
                foreach (CUnionCase c in cases.Cases)
                {
                    w.Append(CultureInfo.InvariantCulture, $"//   optional: export function {c.Function}(req: {ClassOf(c.Request)}): Result<{Spell(c.Result)}>\n");
                }

                continue;
            }

            string parameters = string.Join(", ", export.Parameters.Select(p => Member(Camel(p.Name)) + ": " + p.Value.Kind switch
            {
                PayloadKind.Scalar => Scalar(p.Value),
                PayloadKind.Utf8 => "string",
                PayloadKind.Bytes or PayloadKind.BytesMemory => "Uint8Array",
                _ => Spell(p.Json!),
            }));
            string returns = export.Spec.Result.Kind switch
            {
                PayloadKind.None => "void",
                PayloadKind.Scalar => Scalar(export.Spec.Result),
                PayloadKind.Utf8 => "Result<string>",
                PayloadKind.Bytes or PayloadKind.BytesMemory => "Result<Uint8Array>",
                _ => $"Result<{Spell(export.ResultJson!)}>",
            };
            if (export.ResultNullable && returns.StartsWith("Result<", StringComparison.Ordinal))
            {
                returns += Abi == AbiKind.FixedOffset ? " (none() for no change)" : " (none() for null)";
            }

            w.Append(CultureInfo.InvariantCulture, $"//   {(export.Optional ? "optional: " : string.Empty)}export function {export.Function}({parameters}): {returns}\n");
        }

        w.Append('\n');
        w.Append(CultureInfo.InvariantCulture, $"import * as impl from \"../plugin\";\nimport {{ {string.Join(", ", imported)} }} from \"./{prefix}\";\n\n");
        EmitAllocator(w);
        if (exports.Any(e => e.Spec.Envelope == EnvelopeKind.Status))
        {
            w.Append("""
                /** An error under the status envelope: {"status":"error","code","message","retryable"}. */
                function airlockStatusError(error: PluginError): i64 {
                  const w = new JsonWriter();
                  w.ascii("{\"status\":\"error\"");
                  writeErrorMembers(w, false, error);
                  w.ascii("}");
                  return w.take();
                }


                """);
        }

        if (exports.Any(e => e.Spec.Envelope == EnvelopeKind.ErrorMember))
        {
            w.Append("""
                /** An error under the error-member envelope: {"error":{"code","message","retryable"}}. */
                function airlockMemberError(error: PluginError): i64 {
                  const w = new JsonWriter();
                  w.ascii("{\"error\":{");
                  writeErrorMembers(w, true, error);
                  w.ascii("}}");
                  return w.take();
                }


                """);
        }

        foreach (ExportPlan export in exports)
        {
            EmitExport(w, export);
        }

        return w.ToString();
    }

    private void EmitAllocator(StringBuilder w)
    {
        switch (Abi)
        {
            case AbiKind.FixedOffset:
                // No allocator: the host writes inputs at the contract's InputOffset and reads a result where the hook says it
                // is, with its length from the result-length export. The result stays the plugin's until the next call.
                w.Append(CultureInfo.InvariantCulture, $$"""
                    // ---- results: the host reads the last hook's result at the address the hook answered, its length from {{contract.Spec.ResultLengthExport}} ----
                    // (build with --memoryBase {{FixedOffsetMemoryBase}}: [0, {{FixedOffsetMemoryBase}}) is the host's, for inputs at {{contract.Spec.InputOffset}} and host results)

                    let airlockResult: usize = 0;
                    let airlockResultLen: u32 = 0;

                    function airlockResultLength(inputLen: i32): i32 {
                      return <i32>airlockResultLen;
                    }

                    export { airlockResultLength as {{contract.Spec.ResultLengthExport}} };

                    function airlockResultReset(): void {
                      if (airlockResult) heap.free(airlockResult);
                      airlockResult = 0;
                      airlockResultLen = 0;
                    }

                    /** A packed result as the hook's answer: its address (0, "no change", when it is empty), kept until the next call. */
                    function airlockFixedResult(packed: i64): i32 {
                      const len = <u32>(packed & 0xFFFFFFFF);
                      if (len == 0) return 0;
                      airlockResult = <usize>(<u64>packed >> 32);
                      airlockResultLen = len;
                      return <i32>airlockResult;
                    }

                    /** Whether [ptr, ptr + len) lies within memory (the host writes inputs there; it is still not trusted). */
                    function airlockInMemory(ptr: usize, len: usize): bool {
                      return <u64>ptr + <u64>len <= (<u64>memory.size() << 16);
                    }


                    """);
                return;
            case AbiKind.WasmBindgen:
                w.Append("""
                    // ---- wasm-bindgen's allocator: the host allocates arguments (which the callee frees) and frees results ----

                    function airlockAlloc(size: usize): usize {
                      return heap.alloc(size ? size : 1);
                    }

                    function airlockFree(ptr: usize, size: usize): void {
                      heap.free(ptr);
                    }

                    export { airlockAlloc as __wbindgen_malloc, airlockFree as __wbindgen_free };

                    /** A packed result through the return slot: (ptr, len), freed by the host with __wbindgen_free. */
                    function airlockSlotResult(retptr: usize, packed: i64): void {
                      store<u32>(retptr, <u32>(<u64>packed >> 32));
                      store<u32>(retptr, <u32>(packed & 0xFFFFFFFF), 4);
                    }


                    """);
                return;
        }

        w.Append("""
            // ---- the allocator the host uses for inputs and for host-function results (AssemblyScript's heap) ----

            function airlockAlloc(size: usize): usize {
              return heap.alloc(size ? size : 1);
            }


            """);
        w.Append(NamedFree
            ? "function airlockFree(ptr: usize): void {\n  heap.free(ptr);\n}\n\n"
            : "function airlockFree(ptr: usize, size: usize): void {\n  heap.free(ptr);\n}\n\n");
        w.Append(CultureInfo.InvariantCulture, $"export {{ airlockAlloc as {contract.Spec.AllocExport}, airlockFree as {contract.Spec.FreeExport} }};\n\n");
    }

    /// <summary>Where a fixed-offset module's static data and heap start: above the host's windows, as the C bindings link.</summary>
    internal const int FixedOffsetMemoryBase = 1114112;

    private static string ErrorAnswer(EnvelopeKind envelope, string error) => envelope switch
    {
        EnvelopeKind.Status => $"return airlockStatusError({error});",
        EnvelopeKind.ErrorMember => $"return airlockMemberError({error});",
        _ => "unreachable();",
    };

    // Statements writing `value` (not null) of `type` into `w` under the envelope.
    private string WriteResult(CType type, EnvelopeKind envelope, string value, string indent)
    {
        if (envelope == EnvelopeKind.Status)
        {
            string members = type.Kind == CKind.Struct ? $"{value}.writeJsonMembers(w, false);" : $"w.jsonMembers({value}, false);";
            return $"{indent}w.open(\"{{\");\n{indent}w.ascii({Str("\"status\":" + System.Text.Json.JsonSerializer.Serialize(contract.Spec.SuccessStatus))});\n{indent}{members}\n{indent}w.close(\"}}\");\n";
        }

        return $"{indent}{Write(type, value)};\n";
    }

    // The error answer of an envelope as an i64 packed result, or null when the contract has no envelope (the shim traps).
    private static string? ErrorValue(EnvelopeKind envelope, string error) => envelope switch
    {
        EnvelopeKind.Status => $"airlockStatusError({error})",
        EnvelopeKind.ErrorMember => $"airlockMemberError({error})",
        _ => null,
    };

    private void EmitExport(StringBuilder w, ExportPlan export)
    {
        ExportSpec spec = export.Spec;
        EnvelopeKind envelope = spec.Result.Kind == PayloadKind.Json ? spec.Envelope : EnvelopeKind.None;
        var wasm = new List<string>();
        var names = new List<string>();
        foreach (ParamPlan p in export.Parameters)
        {
            string name = Member(Camel(p.Name));
            if (p.Value.Kind == PayloadKind.Scalar)
            {
                wasm.Add($"{name}: {Scalar(p.Value)}");
                names.Add(name);
            }
            else
            {
                wasm.Add($"{name}Ptr: usize");
                wasm.Add($"{name}Len: usize");
                names.Add(name + "Ptr");
                names.Add(name + "Len");
            }
        }

        string wasmResult = spec.Result.Kind switch
        {
            PayloadKind.None => "void",
            PayloadKind.Scalar => Scalar(spec.Result),
            _ => "i64",
        };
        w.Append(CultureInfo.InvariantCulture, $"// ---- export {spec.ExportName} ----\n\n");
        if (export.Optional && export.Union is null)
        {
            // Read by airlock-transform.mjs, which removes it, and the export too when the plugin has no such function.
            w.Append(CultureInfo.InvariantCulture, $"export const {ImplementsPrefix}{spec.ExportName}: bool = isDefined(impl.{export.Function});\n\n");
        }

        bool payloads = export.Parameters.Any(p => p.Value.Kind != PayloadKind.Scalar);
        bool bufferResult = spec.Result.Kind is not (PayloadKind.Scalar or PayloadKind.None);

        // Under the packed ABI the shim is the export; under the others the export wraps it: the fixed-offset export checks
        // its inputs lie in memory and keeps the result, the wasm-bindgen export frees its arguments and fills the return slot.
        bool wrapped = Abi != AbiKind.PackedPtrLen && (payloads || bufferResult);
        string shim = wrapped ? "airlockShim_" + spec.ExportName : spec.ExportName;
        string declare = wrapped ? "function" : "export function";
        string missing = export.Optional && export.Union is null
            ? (export.ResultNullable && bufferResult ? "none" : "unsupported")
            : string.Empty;
        if (!payloads && !bufferResult)
        {
            string direct = $"impl.{export.Function}({string.Join(", ", export.Parameters.Select(p => Member(Camel(p.Name))))})";
            w.Append(CultureInfo.InvariantCulture, $"{declare} {shim}({string.Join(", ", wasm)}): {wasmResult} {{\n");
            if (missing.Length > 0)
            {
                w.Append(CultureInfo.InvariantCulture, $"  if (!isDefined(impl.{export.Function})) unreachable();\n");
            }

            w.Append(CultureInfo.InvariantCulture, $"  {(spec.Result.Kind == PayloadKind.None ? direct : "return " + direct)};\n}}\n\n");
        }
        else
        {
            EmitShim(w, export, envelope, shim, declare, wasm, wasmResult, missing);
        }

        if (wrapped)
        {
            EmitWrapper(w, export, envelope, shim, wasm, names, wasmResult, bufferResult);
        }
    }

    // The export of a shim under the fixed-offset ABI or wasm-bindgen's convention.
    private void EmitWrapper(StringBuilder w, ExportPlan export, EnvelopeKind envelope, string shim, List<string> wasm, List<string> names, string wasmResult, bool bufferResult)
    {
        ExportSpec spec = export.Spec;
        string call = $"{shim}({string.Join(", ", names)})";
        var buffers = export.Parameters.Where(p => p.Value.Kind != PayloadKind.Scalar).Select(p => Member(Camel(p.Name))).ToList();
        if (Abi == AbiKind.FixedOffset)
        {
            string result = bufferResult ? "i32" : wasmResult;
            w.Append(CultureInfo.InvariantCulture, $"export function {spec.ExportName}({string.Join(", ", wasm)}): {result} {{\n");
            if (bufferResult)
            {
                w.Append("  airlockResultReset();\n");
            }

            foreach (string name in buffers)
            {
                string refusal = ErrorValue(envelope, $"new PluginError(\"invalid_request\", {Str(name + " lies outside memory")})") is { } error && bufferResult
                    ? $"return airlockFixedResult({error});"
                    : "unreachable();";
                w.Append(CultureInfo.InvariantCulture, $"  if (!airlockInMemory({name}Ptr, {name}Len)) {{\n    {refusal}\n  }}\n");
            }

            string tail = bufferResult ? $"  return airlockFixedResult({call});\n}}\n\n" : $"  {(result == "void" ? call : "return " + call)};\n}}\n\n";
            w.Append(tail);
            return;
        }

        // wasm-bindgen: the callee owns its arguments and frees them (an empty one was not allocated).
        var parameters = new List<string>(wasm);
        if (bufferResult)
        {
            parameters.Insert(0, "retptr: usize");
        }

        w.Append(CultureInfo.InvariantCulture, $"export function {spec.ExportName}({string.Join(", ", parameters)}): {(bufferResult ? "void" : wasmResult)} {{\n");
        string invoke = wasmResult == "void" ? $"  {call};\n" : $"  const result = {call};\n";
        w.Append(invoke);
        foreach (string name in buffers)
        {
            w.Append(CultureInfo.InvariantCulture, $"  if ({name}Len) heap.free({name}Ptr);\n");
        }

        w.Append(bufferResult ? "  airlockSlotResult(retptr, result);\n}\n\n" : wasmResult == "void" ? "}\n\n" : "  return result;\n}\n\n");
    }

    private void EmitShim(StringBuilder w, ExportPlan export, EnvelopeKind envelope, string shim, string declare, List<string> wasm, string wasmResult, string missing)
    {
        ExportSpec spec = export.Spec;
        w.Append(CultureInfo.InvariantCulture, $"{declare} {shim}({string.Join(", ", wasm)}): {wasmResult} {{\n");
        var args = new List<string>();
        foreach (ParamPlan p in export.Parameters)
        {
            string name = Member(Camel(p.Name));
            switch (p.Value.Kind)
            {
                case PayloadKind.Scalar:
                    args.Add(name);
                    break;
                case PayloadKind.Utf8:
                    w.Append(CultureInfo.InvariantCulture, $"  const {name} = textAt({name}Ptr, {name}Len);\n  if ({name} === null) {{\n    {ErrorAnswer(envelope, $"new PluginError(\"invalid_request\", {Str(p.Name + " is not valid UTF-8")})")}\n  }}\n");
                    args.Add(name);
                    break;
                case PayloadKind.Bytes or PayloadKind.BytesMemory:
                    w.Append(CultureInfo.InvariantCulture, $"  const {name} = bytesAt({name}Ptr, {name}Len);\n");
                    args.Add(name);
                    break;
                default:
                    if (export.Union is not null)
                    {
                        break;
                    }

                    string read = IsScalar(p.Json!) ? throw new GuestBindingsException($"{spec.ExportName}: a JSON parameter must be an object, a list, text or raw JSON.") : Read(p.Json!);
                    w.Append(CultureInfo.InvariantCulture, $"  const {name}Reader = new JsonReader({name}Ptr, {name}Len);\n");
                    w.Append(CultureInfo.InvariantCulture, $"  if ({name}Len > <usize>AIRLOCK_MAX_INPUT) {name}Reader.fail(\"input larger than AIRLOCK_MAX_INPUT\");\n");
                    w.Append(CultureInfo.InvariantCulture, $"  const {name} = {name}Reader.error === null ? {read.Replace("(r)", "(" + name + "Reader)", StringComparison.Ordinal).Replace("r.", name + "Reader.", StringComparison.Ordinal)} : null;\n");
                    w.Append(CultureInfo.InvariantCulture, $"  if ({name} === null || !{name}Reader.finish()) {{\n    {ErrorAnswer(envelope, $"new PluginError(\"invalid_request\", {name}Reader.where({Str(p.Name + ": ")}))")}\n  }}\n");
                    args.Add(name);
                    break;
            }
        }

        if (export.Union is { } union)
        {
            EmitUnionDispatch(w, export, union, envelope);
            return;
        }

        string call = $"impl.{export.Function}({string.Join(", ", args)})";
        switch (spec.Result.Kind)
        {
            case PayloadKind.None:
                w.Append(missing.Length > 0 ? $"  if (!isDefined(impl.{export.Function})) unreachable();\n  else {call};\n}}\n\n" : $"  {call};\n}}\n\n");
                return;
            case PayloadKind.Scalar:
                w.Append(missing.Length > 0 ? $"  if (!isDefined(impl.{export.Function})) unreachable();\n  else return {call};\n}}\n\n" : $"  return {call};\n}}\n\n");
                return;
        }

        string indent = "  ";
        if (missing.Length > 0)
        {
            // Without the transform (which leaves the export out) an optional export the plugin does not implement still answers:
            // no value when its result is optional, else "unsupported_request".
            string answer = missing == "none" ? NoValue() : ErrorAnswer(envelope, $"new PluginError(\"unsupported_request\", {Str("this plugin does not implement " + spec.ExportName)})");
            w.Append(CultureInfo.InvariantCulture, $"  if (!isDefined(impl.{export.Function})) {{\n    {answer}\n  }} else {{\n");
            indent = "    ";
        }

        string none = export.ResultNullable
            ? (Abi == AbiKind.FixedOffset ? "// no value: 0, no change\n" : "w.ascii(\"null\");\n")
            : "error = new PluginError(\"invalid_result\", \"the function answered neither a value nor an error\");\n";
        var body = new StringBuilder();
        body.Append(CultureInfo.InvariantCulture, $"const result = {call};\nlet error = result.error;\nconst w = new JsonWriter();\n");
        body.Append(CultureInfo.InvariantCulture, $"if (error === null) {{\n  const value = result.value;\n  if (value === null) {{\n    {none}  }} else {{\n");
        switch (spec.Result.Kind)
        {
            case PayloadKind.Utf8:
                body.Append("    w.utf8(value, false);\n");
                break;
            case PayloadKind.Bytes or PayloadKind.BytesMemory:
                body.Append("    w.bytes(value.dataStart, <usize>value.length);\n");
                break;
            default:
                body.Append(WriteResult(export.ResultJson!, envelope, "value", "    "));
                break;
        }

        body.Append("  }\n}\nif (error === null && w.error !== null) error = new PluginError(\"invalid_result\", w.error!);\n");
        body.Append(CultureInfo.InvariantCulture, $"if (error !== null) {{\n  w.dispose();\n  {ErrorAnswer(envelope, "error")}\n}}\nreturn w.take();\n");
        foreach (string line in body.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            w.Append(indent).Append(line).Append('\n');
        }

        w.Append(missing.Length > 0 ? "  }\n}\n\n" : "}\n\n");
    }

    // An export's "no value" answer: nothing (0) for a fixed-offset hook, JSON null otherwise.
    private string NoValue() => Abi == AbiKind.FixedOffset
        ? "return 0;"
        : "const w = new JsonWriter();\n    w.ascii(\"null\");\n    return w.take();";

    private void EmitUnionDispatch(StringBuilder w, ExportPlan export, CUnion union, EnvelopeKind envelope)
    {
        ParamPlan p = export.Parameters.First(x => x.Value.Kind == PayloadKind.Json);
        string name = Member(Camel(p.Name));
        string ptr = name + "Ptr", len = name + "Len";
        w.Append(CultureInfo.InvariantCulture, $"  const r = new JsonReader({ptr}, {len});\n  let tag: string | null = null;\n");
        w.Append(CultureInfo.InvariantCulture, $"  if ({len} > <usize>AIRLOCK_MAX_INPUT) {{\n    r.fail(\"input larger than AIRLOCK_MAX_INPUT\");\n  }} else {{\n    // Find the discriminator, then read the whole object as its case.\n    const probe = new JsonReader({ptr}, {len});\n");
        w.Append(CultureInfo.InvariantCulture, $"    if (probe.open(0x7B, \"expected an object\")) {{\n      let m: i32;\n      let first = true;\n      while ((m = probe.member(first)) == 1) {{\n        first = false;\n        if (probe.key == {Str(union.Discriminator)}) {{\n          tag = probe.str();\n          break;\n        }}\n");
        w.Append(union.OutOfOrder
            ? "        if (!probe.skip()) break;\n"
            : $"        probe.fail({Str("\"" + union.Discriminator + "\" must be the first member")});\n        break;\n");
        w.Append(CultureInfo.InvariantCulture, $"      }}\n    }}\n    if (probe.error !== null) {{\n      r.error = probe.error;\n      r.errorAt = probe.errorAt;\n    }} else if (tag === null) {{\n      r.fail({Str("missing discriminator \"" + union.Discriminator + "\"")});\n    }}\n  }}\n");
        w.Append(CultureInfo.InvariantCulture, $"  if (r.error !== null) {{\n    {ErrorAnswer(envelope, "new PluginError(\"invalid_request\", r.where(\"request: \"))")}\n  }}\n  const w = new JsonWriter();\n  let error: PluginError | null = null;\n");
        foreach (CUnionCase c in union.Cases)
        {
            string request = ClassOf(c.Request);
            w.Append(CultureInfo.InvariantCulture, $"  if (tag! == {Str(c.Tag)}) {{\n    const req = {request}.readJson(r);\n    if (req === null || !r.finish()) {{\n      {ErrorAnswer(envelope, $"new PluginError(\"invalid_request\", r.where({Str(c.Tag + ": ")}))")}\n    }}\n");
            w.Append(CultureInfo.InvariantCulture, $"    if (!isDefined(impl.{c.Function})) {{\n      {ErrorAnswer(envelope, $"new PluginError(\"unsupported_request\", {Str("this plugin does not handle \"" + c.Tag + "\"")})")}\n    }} else {{\n");
            w.Append(CultureInfo.InvariantCulture, $"      const result = impl.{c.Function}(req);\n      error = result.error;\n      if (error === null) {{\n        const value = result.value;\n        if (value === null) {{\n          error = new PluginError(\"invalid_result\", \"the function answered neither a value nor an error\");\n        }} else {{\n");
            w.Append(WriteResult(c.Result, envelope, "value", "          "));
            w.Append("        }\n      }\n    }\n  } else ");
        }

        w.Append(CultureInfo.InvariantCulture, $"{{\n    {ErrorAnswer(envelope, "new PluginError(\"unsupported_request\", \"unknown request type\")")}\n  }}\n");
        w.Append(CultureInfo.InvariantCulture, $"  if (error === null && w.error !== null) error = new PluginError(\"invalid_result\", w.error!);\n  if (error !== null) {{\n    w.dispose();\n    {ErrorAnswer(envelope, "error")}\n  }}\n  return w.take();\n}}\n\n");
    }
}
