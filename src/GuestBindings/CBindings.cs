using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Airlock.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Airlock.GuestBindings;

/// <summary>One generated file.</summary>
/// <param name="Name">Its file name.</param>
/// <param name="Text">Its contents (LF line ends).</param>
public sealed record GeneratedFile(string Name, string Text);

/// <summary>
/// C bindings of a <c>[WasmPlugin]</c> contract under any of Airlock's ABIs (packed ptr+len and the Samuel convention, its
/// named-allocator variant; fixed offset with <c>__hook_result_len</c>; wasm-bindgen's convention): a header and a source
/// file with the allocator exports, one export shim per contract export, a struct with a JSON reader and writer per payload
/// type, and a typed wrapper per host function.
/// </summary>
internal sealed class CBindings
{
    /// <summary>The version of the bindings generator, written into every file it makes.</summary>
    public static string GeneratorVersion { get; } = typeof(CBindings).Assembly.GetName().Version is { } v ? $"{v.Major}.{v.Minor}.{v.Build}" : "0.0.0";

    private readonly LoadedContract contract;
    private readonly string prefix;
    private readonly CTypeMap types;
    private readonly List<ExportPlan> exports;
    private readonly List<ImportPlan> imports;

    private CBindings(LoadedContract contract, string prefix)
    {
        this.contract = contract;
        this.prefix = prefix;
        INamedTypeSymbol? context = contract.Spec.JsonContext is { } name ? contract.Compilation.GetTypeByMetadataName(ContractLoader.MetadataName(name)) : null;
        types = new CTypeMap(prefix, context);
        var plan = new ContractPlan(contract, types, name => prefix + "_" + Identifier(name));
        exports = plan.Exports;
        imports = plan.Imports;
    }

    /// <summary>The default C prefix of a contract: its name without the leading I and a trailing "Plugin", lower case.</summary>
    public static string DefaultPrefix(string interfaceName)
    {
        string name = interfaceName.Length > 1 && interfaceName[0] == 'I' && char.IsUpper(interfaceName[1]) ? interfaceName[1..] : interfaceName;
        if (name.EndsWith("Plugin", StringComparison.Ordinal) && name.Length > "Plugin".Length)
        {
            name = name[..^"Plugin".Length];
        }

        return name.ToLowerInvariant();
    }

    /// <summary>Generates <c>prefix.h</c> and <c>prefix.c</c> for <paramref name="contract"/>.</summary>
    public static IReadOnlyList<GeneratedFile> Generate(LoadedContract contract, string prefix)
    {
        return new CBindings(contract, prefix).Emit();
    }

    /// <summary>The prefix of the custom section the bindings put in every module: <c>airlock.bindings:Namespace.IContract:wirehash</c>.</summary>
    public const string SectionPrefix = "airlock.bindings:";

    /// <summary>The wire hash of <paramref name="contract"/>: what the bindings write into the module's custom section.</summary>
    public static string WireHashOf(LoadedContract contract)
    {
        return new CBindings(contract, DefaultPrefix(contract.Spec.Type.Name)).WireHash();
    }

    // A hash of everything on the wire: the ABI, each export's name, wasm signature, envelope and payload shapes, each
    // union case, each JSON type's members (JSON name, kind, nullable, required) and each import. Independent of C names,
    // comments and the generator's version, so it changes exactly when a plugin built on older bindings would misread.
    private string WireHash()
    {
        var d = new StringBuilder();
        d.Append(CultureInfo.InvariantCulture, $"abi {Abi} {contract.Spec.AllocExport} {contract.Spec.FreeExport} {contract.Spec.ResultLengthExport} {contract.Spec.InputOffset} {contract.Spec.SuccessStatus}\n");
        foreach (ExportPlan e in exports)
        {
            (string result, List<(string Type, string Name)> parameters) = WasmSignature(e);
            d.Append(CultureInfo.InvariantCulture, $"export {e.Spec.ExportName} {e.Spec.Envelope} {e.Optional} {e.ResultNullable} ({string.Join(",", parameters.Select(p => p.Type))}) -> {result} {Shape(e.ResultJson)}");
            d.Append(string.Concat(e.Parameters.Select(p => " " + p.Value.Kind + ":" + Shape(p.Json))));
            if (e.Union is { } u)
            {
                d.Append(CultureInfo.InvariantCulture, $" union {u.Discriminator} {u.OutOfOrder}");
                d.Append(string.Concat(u.Cases.Select(c => $" {c.Tag}:{c.Request.ClrName}->{Shape(c.Result)}")));
            }

            d.Append('\n');
        }

        foreach (CStruct t in types.Ordered.OrderBy(t => t.ClrName, StringComparer.Ordinal))
        {
            d.Append(CultureInfo.InvariantCulture, $"type {t.ClrName} {t.HasExtensionData}");
            d.Append(string.Concat(t.Members.Select(m => $" {m.JsonName}:{Shape(m.Type)}:{m.Nullable}:{m.Required}:{m.Default}")));
            d.Append('\n');
        }

        foreach ((string name, INamedTypeSymbol symbol) in types.Enums.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            d.Append(CultureInfo.InvariantCulture, $"enum {symbol.ToDisplayString()}");
            d.Append(string.Concat(symbol.GetMembers().OfType<IFieldSymbol>().Where(f => f.HasConstantValue).Select(f => $" {f.Name}={f.ConstantValue}")));
            d.Append('\n');
        }

        foreach (ImportPlan i in imports)
        {
            d.Append(CultureInfo.InvariantCulture, $"import {i.Module}.{i.Spec.ImportName} {i.Fixed} {i.ResultOffset} {i.Spec.Result.Kind}:{Shape(i.ResultJson)}");
            d.Append(string.Concat(i.Parameters.Select(p => " " + p.Value.Kind + ":" + Shape(p.Json))));
            d.Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(d.ToString())))[..16];
    }

    private static string Shape(CType? type) => type is null ? "-" : type.Kind + (type.Struct is { } s ? "<" + s.ClrName + ">" : string.Empty) + (type.Enum is null ? string.Empty : "<enum>");

    private AbiKind Abi => contract.Spec.Abi;

    private string AbiName => Abi switch
    {
        AbiKind.FixedOffset => "fixed-offset ABI",
        AbiKind.WasmBindgen => "wasm-bindgen ABI",
        _ => "packed ptr+len ABI",
    };

    internal static string Identifier(string name)
    {
        var builder = new StringBuilder();
        foreach (char c in name)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '_');
        }

        return builder.ToString();
    }

    private string Guard => prefix.ToUpperInvariant();

    private IReadOnlyList<GeneratedFile> Emit()
    {
        string header = EmitHeader();
        string source = EmitSource();
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(header + "\n" + source)))[..16];
        string banner = Banner(hash);
        return
        [
            new GeneratedFile(prefix + ".h", banner + header.Replace("@HASH@", hash, StringComparison.Ordinal)),
            new GeneratedFile(prefix + ".c", banner + source),
        ];
    }

    private string Banner(string hash)
        => $"""
            /*
             * Generated by airlock bindings {GeneratorVersion} (C, {AbiName}) from the contract
             * {contract.Spec.Type.Namespace}.{contract.Spec.Type.Name} in {contract.AssemblyName} {contract.AssemblyVersion}. Bindings hash {hash}.
             * Do not edit: regenerate with `airlock bindings` when the contract changes.
             */

            """;

    private static string Resource(string name)
    {
        using Stream stream = typeof(CBindings).Assembly.GetManifestResourceStream("Airlock.GuestBindings.C." + name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    private string EmitHeader()
    {
        var w = new StringBuilder();
        w.Append(CultureInfo.InvariantCulture, $"#ifndef {Guard}_H\n#define {Guard}_H\n\n");
        w.Append(Resource("runtime.h"));
        w.Append(CultureInfo.InvariantCulture, $"\n#define {Guard}_CONTRACT \"{contract.Spec.Type.Namespace}.{contract.Spec.Type.Name}\"\n");
        w.Append(CultureInfo.InvariantCulture, $"#define {Guard}_CONTRACT_VERSION \"{contract.AssemblyVersion}\"\n");
        w.Append(CultureInfo.InvariantCulture, $"#define {Guard}_BINDINGS_HASH \"@HASH@\"\n");
        w.Append(CultureInfo.InvariantCulture, $"/* The contract's wire hash: also in the module's custom section \"{SectionPrefix}<contract>:<hash>\", which airlock check compares with the contract. */\n#define {Guard}_WIRE_HASH \"{WireHash()}\"\n\n");

        foreach ((string name, INamedTypeSymbol symbol) in types.Enums.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            w.Append(CultureInfo.InvariantCulture, $"/* {symbol.ToDisplayString()} */\ntypedef int32_t {name};\n");
            foreach (IFieldSymbol field in symbol.GetMembers().OfType<IFieldSymbol>().Where(f => f.HasConstantValue))
            {
                w.Append(CultureInfo.InvariantCulture, $"#define {name[..^2].ToUpperInvariant()}_{types.Snake(field.Name).ToUpperInvariant()} {Convert.ToInt64(field.ConstantValue, CultureInfo.InvariantCulture)}\n");
            }

            w.Append('\n');
        }

        foreach (CStruct s in types.Ordered)
        {
            w.Append(CultureInfo.InvariantCulture, $"/* {s.ClrName} */\ntypedef struct {{\n");
            foreach (CMember m in s.Members)
            {
                string note = (m.Nullable ? (m.HasFlag ? "optional (has_" + m.Field + ")" : "optional (NULL when absent)") : "required") + ", JSON \"" + m.JsonName + "\"";
                if (m.HasFlag)
                {
                    w.Append(CultureInfo.InvariantCulture, $"    bool has_{m.Field};\n");
                }

                w.Append(CultureInfo.InvariantCulture, $"    {m.Type.Spell(prefix)} {m.Field}; /* {note} */\n");
            }

            if (s.HasExtensionData)
            {
                w.Append("    airlock_json extension_data; /* optional: an object whose members are written after the others ([JsonExtensionData]); not filled when read */\n");
            }
            else if (s.Members.Count == 0)
            {
                w.Append("    char unused_;\n");
            }

            w.Append(CultureInfo.InvariantCulture, $"}} {s.CName};\n");
            if (s.NeedsList)
            {
                w.Append(CultureInfo.InvariantCulture, $"typedef struct {{ {s.CName} *items; uint32_t count; }} {s.ListName};\n");
            }

            w.Append('\n');
        }

        w.Append("/* ---- what the plugin implements: return true with *out filled, or return airlock_fail(ctx, code, message) ---- */\n\n");
        foreach (ExportPlan export in exports)
        {
            if (export.Union is { } union)
            {
                w.Append(CultureInfo.InvariantCulture, $"/* {export.Spec.ExportName}: one function per \"{union.Discriminator}\". A function that is not defined answers \"unsupported_request\". */\n");
                foreach (CUnionCase c in union.Cases)
                {
                    w.Append(CultureInfo.InvariantCulture, $"bool {c.Function}(airlock_ctx *ctx, const {c.Request.CName} *req, {c.Result.Spell(prefix)} *out);\n");
                }

                w.Append('\n');
                continue;
            }

            w.Append(CultureInfo.InvariantCulture, $"/* export {export.Spec.ExportName} ({Envelope(export.Spec.Envelope)}) */\n{Prototype(export)};\n");
            if (export.Optional)
            {
                w.Append(ExportMacro(export));
            }

            w.Append('\n');
        }

        if (imports.Count > 0)
        {
            w.Append("/* ---- host functions ---- */\n\n");
            foreach (ImportPlan import in imports)
            {
                w.Append(CultureInfo.InvariantCulture, $"/* {import.Module}.{import.Spec.ImportName} */\n{ImportPrototype(import)};\n\n");
            }
        }

        w.Append(CultureInfo.InvariantCulture, $"#endif /* {Guard}_H */\n");
        return w.ToString();
    }

    private static string Envelope(EnvelopeKind envelope) => envelope switch
    {
        EnvelopeKind.Status => "an error is answered as {\"status\":\"error\",...}",
        EnvelopeKind.ErrorMember => "an error is answered as {\"error\":{...}}",
        _ => "an error traps: the contract has no error envelope",
    };

    private string Prototype(ExportPlan export)
    {
        var parts = new List<string>();
        bool usesCtx = export.Parameters.Any(p => p.Value.Kind != PayloadKind.Scalar) || export.Spec.Result.Kind is not (PayloadKind.Scalar or PayloadKind.None);
        if (usesCtx)
        {
            parts.Add("airlock_ctx *ctx");
        }

        foreach (ParamPlan p in export.Parameters)
        {
            parts.Add(ParameterC(p, input: true));
        }

        string returns = "bool";
        switch (export.Spec.Result.Kind)
        {
            case PayloadKind.Scalar:
                returns = usesCtx ? "bool" : ScalarC(export.Spec.Result);
                if (usesCtx)
                {
                    parts.Add(ScalarC(export.Spec.Result) + " *out");
                }

                break;
            case PayloadKind.Utf8:
                parts.Add("airlock_str *out");
                break;
            case PayloadKind.Bytes or PayloadKind.BytesMemory:
                parts.Add("airlock_bytes *out");
                break;
            case PayloadKind.Json:
                parts.Add(export.ResultJson!.Spell(prefix) + " *out");
                break;
            case PayloadKind.None:
                returns = usesCtx ? "bool" : "void";
                break;
        }

        return $"{returns} {export.Function}({(parts.Count == 0 ? "void" : string.Join(", ", parts))})";
    }

    private string ParameterC(ParamPlan p, bool input) => p.Value.Kind switch
    {
        PayloadKind.Scalar => (p.Json?.Enum ?? ScalarC(p.Value)) + " " + p.Name,
        PayloadKind.Utf8 => "airlock_str " + p.Name,
        PayloadKind.Bytes or PayloadKind.BytesMemory or PayloadKind.BytesSpan => "airlock_bytes " + p.Name,
        PayloadKind.JsonView => "airlock_json " + p.Name,
        _ => p.Json!.Kind == CKind.Struct ? $"const {p.Json.Spell(prefix)} *{p.Name}" : p.Json.Spell(prefix) + " " + p.Name,
    };

    private static string ScalarC(ValueSpec value) => value.Conversion == ScalarConversion.Boolean ? "bool" : value.Scalar switch
    {
        WasmScalar.I64 => "int64_t",
        WasmScalar.F32 => "float",
        WasmScalar.F64 => "double",
        _ => "int32_t",
    };

    private static string WasmC(WasmScalar scalar) => scalar switch
    {
        WasmScalar.I64 => "int64_t",
        WasmScalar.F32 => "float",
        WasmScalar.F64 => "double",
        _ => "int32_t",
    };

    private static bool ImportReturnsStatus(ImportPlan import)
        => import.Spec.Result.Kind is not (PayloadKind.None or PayloadKind.Scalar) || import.Parameters.Any(p => p.Value.Kind == PayloadKind.Json);

    private string ImportPrototype(ImportPlan import)
    {
        var parts = new List<string>();
        bool status = ImportReturnsStatus(import);
        if (import.Spec.Result.Kind is not (PayloadKind.None or PayloadKind.Scalar))
        {
            parts.Add("airlock_ctx *ctx");
        }

        parts.AddRange(import.Parameters.Select(p => ParameterC(p, input: true)));
        switch (import.Spec.Result.Kind)
        {
            case PayloadKind.Utf8:
                parts.Add("airlock_str *out");
                break;
            case PayloadKind.Bytes or PayloadKind.BytesMemory:
                parts.Add("airlock_bytes *out");
                break;
            case PayloadKind.Json:
                parts.Add(import.ResultJson!.Spell(prefix) + " *out");
                break;
        }

        string returns = status ? "airlock_status" : import.Spec.Result.Kind == PayloadKind.Scalar ? ScalarC(import.Spec.Result) : "void";
        return $"{returns} {import.Function}({(parts.Count == 0 ? "void" : string.Join(", ", parts))})";
    }

    private string EmitSource()
    {
        var w = new StringBuilder();
        w.Append(CultureInfo.InvariantCulture, $"#include \"{prefix}.h\"\n\n");
        w.Append(Resource("runtime.c"));
        w.Append("\n/* ---- the contract's JSON types ---- */\n\n");
        foreach (CStruct s in types.Ordered)
        {
            w.Append(CultureInfo.InvariantCulture, $"AIRLOCK_INTERNAL bool rd_{s.CName}(airlock_reader *r, {s.CName} *out);\nAIRLOCK_INTERNAL void wr_{s.CName}_members(airlock_writer *w, const {s.CName} *v, bool *first);\n");
        }

        w.Append('\n');
        foreach (CStruct s in types.Ordered)
        {
            EmitReader(w, s);
            EmitWriter(w, s);
        }

        w.Append(CultureInfo.InvariantCulture, $"/* ---- the contract this module is built against, for airlock check (a custom section; no code, no memory) ---- */\n\n__asm__(\".section \\\".custom_section.{SectionPrefix}{contract.Spec.Type.Namespace}.{contract.Spec.Type.Name}:{WireHash()}\\\",\\\"\\\",@\\n.byte 1\\n.text\\n\");\n\n");
        EmitAllocator(w);
        EmitErrorHelpers(w);
        foreach (ExportPlan export in exports)
        {
            EmitExport(w, export);
        }

        foreach (ImportPlan import in imports)
        {
            EmitImport(w, import);
        }

        return w.ToString();
    }

    private static string ReadCall(CType type, string target) => type.Kind switch
    {
        CKind.Str => $"rd_string(r, &{target})",
        CKind.Int32 => $"rd_int32(r, &{target})",
        CKind.Int64 => $"rd_int64(r, &{target})",
        CKind.Bool => $"rd_bool(r, &{target})",
        CKind.Json => $"rd_json(r, &{target})",
        CKind.JsonObject => $"rd_json_object(r, &{target})",
        CKind.JsonArray => $"rd_json_array(r, &{target})",
        CKind.Struct => $"rd_{type.Struct!.CName}(r, &{target})",
        CKind.StrList => $"rd_str_list(r, &{target})",
        CKind.StructList => $"rd_{type.Struct!.CName}_list(r, &{target})",
        _ => $"rd_str_map(r, &{target})",
    };

    private static string Quote(string text)
    {
        var b = new StringBuilder("\"");
        foreach (char c in text)
        {
            if (c is '"' or '\\')
            {
                b.Append('\\').Append(c);
            }
            else if (c < 0x20 || c > 0x7E)
            {
                foreach (byte u in Encoding.UTF8.GetBytes(c.ToString()))
                {
                    b.Append(CultureInfo.InvariantCulture, $"\\{Convert.ToString(u, 8).PadLeft(3, '0')}");
                }
            }
            else
            {
                b.Append(c);
            }
        }

        return b.Append('"').ToString();
    }

    // The JSON text of a member's key with its colon, escaped as the writer would write it, as a C literal.
    private static string KeyLiteral(string jsonName)
        => Quote(System.Text.Json.JsonSerializer.Serialize(jsonName) + ":");

    private static void EmitReader(StringBuilder w, CStruct s)
    {
        string name = s.CName;
        string list = s.ListName;
        if (s.NeedsList)
        {
            w.Append(CultureInfo.InvariantCulture, $$"""
                AIRLOCK_INTERNAL bool rd_{{name}}_list(airlock_reader *r, {{list}} *out) {
                    if (!rd_open(r, '[', "expected an array")) return false;
                    bool first = true;
                    int m;
                    uint32_t cap = 0;
                    while ((m = rd_item(r, &first)) == 1) {
                        out->items = ({{name}} *)rd_grow(r, out->items, out->count, &cap, sizeof({{name}}));
                        if (rd_null(r)) return rd_fail(r, "null item in a list of objects");
                        if (!rd_{{name}}(r, &out->items[out->count])) return false;
                        out->count++;
                    }
                    if (out->count == 0) out->items = ({{name}} *)airlock_alloc(r->ctx, sizeof({{name}}));
                    return m == 0;
                }


                """);
        }

        w.Append(CultureInfo.InvariantCulture, $"AIRLOCK_INTERNAL bool rd_{name}(airlock_reader *r, {name} *out) {{\n");
        foreach (CMember m in s.Members.Where(m => m.Default is not null))
        {
            w.Append(CultureInfo.InvariantCulture, $"    out->{m.Field} = {m.Default};\n");
        }

        w.Append("    if (!rd_open(r, '{', \"expected an object\")) return false;\n    bool first = true;\n    int m;\n    uint64_t seen = 0;\n    airlock_str key;\n");
        w.Append("    while ((m = rd_member(r, &first, &key)) == 1) {\n");
        for (int i = 0; i < s.Members.Count; i++)
        {
            CMember m = s.Members[i];
            int bytes = Encoding.UTF8.GetByteCount(m.JsonName);
            w.Append(CultureInfo.InvariantCulture, $"        {(i == 0 ? "if" : "} else if")} (rd_key_is(key, {Quote(m.JsonName)}, {bytes})) {{\n");
            w.Append(CultureInfo.InvariantCulture, $"            seen |= (uint64_t)1 << {i};\n");
            string target = "out->" + m.Field;
            if (m.Type.Kind == CKind.Json && !m.Nullable)
            {
                w.Append(CultureInfo.InvariantCulture, $"            if (!{ReadCall(m.Type, target)}) return false;\n");
                continue;
            }

            w.Append("            if (rd_null(r)) {\n");
            if (m.Nullable)
            {
                w.Append(m.HasFlag ? $"                out->has_{m.Field} = false;\n" : $"                memset(&{target}, 0, sizeof {target});\n");
            }
            else
            {
                w.Append(CultureInfo.InvariantCulture, $"                return rd_fail(r, {Quote("\"" + m.JsonName + "\" must not be null")});\n");
            }

            w.Append("            } else {\n");
            w.Append(CultureInfo.InvariantCulture, $"                memset(&{target}, 0, sizeof {target});\n");
            w.Append(CultureInfo.InvariantCulture, $"                if (!{ReadCall(m.Type, target)}) return false;\n");
            if (m.HasFlag)
            {
                w.Append(CultureInfo.InvariantCulture, $"                out->has_{m.Field} = true;\n");
            }

            w.Append("            }\n");
        }

        w.Append(s.Members.Count == 0 ? "        if (!rd_skip(r)) return false;\n" : "        } else if (!rd_skip(r)) {\n            return false;\n        }\n");
        w.Append("    }\n    if (m < 0) return false;\n");
        for (int i = 0; i < s.Members.Count; i++)
        {
            CMember m = s.Members[i];
            if (m.Required)
            {
                w.Append(CultureInfo.InvariantCulture, $"    if (!(seen & ((uint64_t)1 << {i}))) return rd_fail(r, {Quote("missing required member \"" + m.JsonName + "\"")});\n");
            }
        }

        w.Append("    (void)seen;\n    return true;\n}\n\n");
    }

    private void EmitWriter(StringBuilder w, CStruct s)
    {
        string name = s.CName;
        string list = s.ListName;
        w.Append(CultureInfo.InvariantCulture, $"AIRLOCK_INTERNAL void wr_{name}_members(airlock_writer *w, const {name} *v, bool *first) {{\n");
        foreach (CMember m in s.Members)
        {
            string value = "v->" + m.Field;
            string key = KeyLiteral(m.JsonName);
            string? absent = m.HasFlag ? $"!v->has_{m.Field}"
                : m.Type.Kind is CKind.StrList or CKind.StructList ? $"!{value}.items && !{value}.count"
                : m.Type.Kind is CKind.StrMap ? $"!{value}.keys && !{value}.count"
                : m.Type.SelfAbsent ? $"!{value}.ptr"
                : null;
            string write = Write(m.Type, value);
            if (absent is null)
            {
                w.Append(CultureInfo.InvariantCulture, $"    wr_key(w, first, {key});\n    {write};\n");
                continue;
            }

            w.Append(CultureInfo.InvariantCulture, $"    if ({absent}) {{\n");
            if (m.Type.Kind is CKind.StrList or CKind.StructList or CKind.StrMap && !m.WriteNullable)
            {
                w.Append(CultureInfo.InvariantCulture, $"        wr_key(w, first, {key});\n        wr_lit(w, {(m.Type.Kind == CKind.StrMap ? "\"{}\"" : "\"[]\"")});\n");
            }
            else if (m.Nullable)
            {
                w.Append(types.OmitsNull ? "        /* absent: left out */\n" : $"        wr_key(w, first, {key});\n        wr_lit(w, \"null\");\n");
            }
            else if (m.Type.Kind is CKind.StrList or CKind.StructList or CKind.StrMap)
            {
                w.Append(CultureInfo.InvariantCulture, $"        wr_key(w, first, {key});\n        wr_lit(w, {(m.Type.Kind == CKind.StrMap ? "\"{}\"" : "\"[]\"")});\n");
            }
            else
            {
                w.Append(CultureInfo.InvariantCulture, $"        wr_fail(w, {Quote(s.ClrName + " needs \"" + m.JsonName + "\"")});\n");
            }

            w.Append(CultureInfo.InvariantCulture, $"    }} else {{\n        wr_key(w, first, {key});\n        {write};\n    }}\n");
        }

        if (s.HasExtensionData)
        {
            w.Append("    wr_json_members(w, v->extension_data, first);\n");
        }

        w.Append("    (void)w;\n    (void)v;\n    (void)first;\n}\n\n");
        w.Append(CultureInfo.InvariantCulture, $"AIRLOCK_INTERNAL void wr_{name}(airlock_writer *w, const {name} *v) {{\n    bool first = true;\n    if (!wr_open(w, \"{{\")) return;\n    wr_{name}_members(w, v, &first);\n    wr_close(w, \"}}\");\n}}\n\n");
        if (s.NeedsList)
        {
            w.Append(CultureInfo.InvariantCulture, $$"""
                AIRLOCK_INTERNAL void wr_{{name}}_list(airlock_writer *w, {{list}} l) {
                    if (!wr_open(w, "[")) return;
                    if (l.count && !l.items) { wr_fail(w, "a list with items but no pointer"); return; }
                    for (uint32_t i = 0; i < l.count; i++) {
                        if (i) wr_raw(w, ",", 1);
                        wr_{{name}}(w, &l.items[i]);
                    }
                    wr_close(w, "]");
                }


                """);
        }
    }

    private static string Write(CType type, string value) => type.Kind switch
    {
        CKind.Str => $"wr_str(w, {value})",
        CKind.Int32 or CKind.Int64 => $"wr_i64(w, {value})",
        CKind.Bool => $"wr_bool(w, {value})",
        CKind.Json or CKind.JsonObject or CKind.JsonArray => $"wr_json(w, {value})",
        CKind.Struct => $"wr_{type.Struct!.CName}(w, &{value})",
        CKind.StrList => $"wr_str_list(w, {value})",
        CKind.StructList => $"wr_{type.Struct!.CName}_list(w, {value})",
        _ => $"wr_str_map(w, {value})",
    };

    private bool NamedFree => contract.Spec.FreeExport != Airlock.Wasm.PackedAbiExports.DefaultFree;

    private void EmitAllocator(StringBuilder w)
    {
        switch (Abi)
        {
            case AbiKind.FixedOffset:
                // No allocator: the host writes inputs at the contract's InputOffset and reads the result where the hook
                // says it is. The result stays the plugin's until the next call.
                w.Append(CultureInfo.InvariantCulture, $$"""
                    /* ---- results: the host reads the last hook's result at the offset the hook returned and its length from {{contract.Spec.ResultLengthExport}} ---- */

                    static char *airlock_result;
                    static uint32_t airlock_result_len;

                    __attribute__((export_name({{Quote(contract.Spec.ResultLengthExport)}})))
                    int32_t airlock_export_result_len(int32_t input_len) {
                        (void)input_len;
                        return (int32_t)airlock_result_len;
                    }

                    AIRLOCK_INTERNAL void airlock_result_reset(void) {
                        free(airlock_result);
                        airlock_result = NULL;
                        airlock_result_len = 0;
                    }

                    /* The writer's buffer as the hook's result (0, "no change", when it is empty); kept until the next call. */
                    AIRLOCK_INTERNAL int32_t airlock_fixed_result(airlock_writer *w) {
                        if (w->error) __builtin_trap();
                        if (!w->len) {
                            free(w->buf);
                            return 0;
                        }
                        airlock_result = w->buf;
                        airlock_result_len = (uint32_t)w->len;
                        return (int32_t)(uintptr_t)w->buf;
                    }

                    /* Whether [p, p + n) lies within memory. */
                    AIRLOCK_INTERNAL bool airlock_in_memory(const void *p, uint32_t n) {
                        return (uint64_t)(uintptr_t)p + n <= (uint64_t)__builtin_wasm_memory_size(0) * 65536u;
                    }


                    """);
                return;
            case AbiKind.WasmBindgen:
                w.Append("""
                    /* ---- wasm-bindgen's allocator: the host allocates arguments (which the callee frees) and frees results ---- */

                    __attribute__((export_name("__wbindgen_malloc")))
                    void *airlock_export_alloc(uint32_t size) {
                        return malloc(size ? size : 1);
                    }

                    __attribute__((export_name("__wbindgen_free")))
                    void airlock_export_free(void *ptr, uint32_t size) {
                        (void)size;
                        free(ptr);
                    }

                    /* The writer's buffer as a result through the return slot: (ptr, len), freed by the host with __wbindgen_free. */
                    AIRLOCK_INTERNAL void airlock_slot_result(uint32_t *retptr, airlock_writer *w) {
                        if (w->error) __builtin_trap();
                        if (!w->len) {
                            free(w->buf);
                            retptr[0] = 0;
                            retptr[1] = 0;
                            return;
                        }
                        retptr[0] = (uint32_t)(uintptr_t)w->buf;
                        retptr[1] = (uint32_t)w->len;
                    }


                    """);
                return;
        }

        string alloc = contract.Spec.AllocExport;
        string free = contract.Spec.FreeExport;
        w.Append(CultureInfo.InvariantCulture, $$"""
            /* ---- the allocator the host uses for inputs and for host-function results ---- */

            __attribute__((export_name({{Quote(alloc)}})))
            void *airlock_export_alloc(uint32_t size) {
                return malloc(size ? size : 1);
            }


            """);
        w.Append(NamedFree
            ? $"__attribute__((export_name({Quote(free)})))\nvoid airlock_export_free(void *ptr) {{\n    free(ptr);\n}}\n\n"
            : $"__attribute__((export_name({Quote(free)})))\nvoid airlock_export_free(void *ptr, uint32_t size) {{\n    (void)size;\n    free(ptr);\n}}\n\n");
    }

    private static void EmitErrorHelpers(StringBuilder w)
    {
        w.Append("""
            /* An error object's members: "code", "message", "retryable". */
            AIRLOCK_INTERNAL void wr_error_members(airlock_writer *w, bool *first, airlock_str code, airlock_str message, bool retryable) {
                wr_key(w, first, "\"code\":");
                wr_str(w, code);
                wr_key(w, first, "\"message\":");
                wr_str(w, message);
                wr_key(w, first, "\"retryable\":");
                wr_bool(w, retryable);
            }

            /* "<why> at byte <n>" in the call's arena. */
            AIRLOCK_INTERNAL airlock_str airlock_where(airlock_ctx *ctx, const char *prefix, const char *why, size_t at) {
                char digits[24];
                int n = 0;
                do { digits[n++] = (char)('0' + at % 10u); at /= 10u; } while (at);
                size_t lp = strlen(prefix), lw = strlen(why);
                char *text = (char *)airlock_alloc(ctx, lp + lw + 9 + (size_t)n + 1);
                memcpy(text, prefix, lp);
                memcpy(text + lp, why, lw);
                memcpy(text + lp + lw, " at byte ", 9);
                size_t k = lp + lw + 9;
                while (n) text[k++] = digits[--n];
                airlock_str s = {text, (uint32_t)k};
                return s;
            }


            """);
    }

    private void EmitError(StringBuilder w, EnvelopeKind envelope, string indent)
    {
        // Writes ctx's error into a fresh writer `w` as the envelope says, or traps without one.
        switch (envelope)
        {
            case EnvelopeKind.Status:
                w.Append(CultureInfo.InvariantCulture, $"{indent}free(w.buf);\n{indent}memset(&w, 0, sizeof w);\n{indent}bool first = false;\n{indent}wr_lit(&w, \"{{\\\"status\\\":\\\"error\\\"\");\n{indent}wr_error_members(&w, &first, ctx.code, ctx.message, ctx.retryable);\n{indent}wr_lit(&w, \"}}\");\n");
                break;
            case EnvelopeKind.ErrorMember:
                w.Append(CultureInfo.InvariantCulture, $"{indent}free(w.buf);\n{indent}memset(&w, 0, sizeof w);\n{indent}bool first = true;\n{indent}wr_lit(&w, \"{{\\\"error\\\":{{\");\n{indent}wr_error_members(&w, &first, ctx.code, ctx.message, ctx.retryable);\n{indent}wr_lit(&w, \"}}}}\");\n");
                break;
            default:
                w.Append(CultureInfo.InvariantCulture, $"{indent}__builtin_trap();\n");
                break;
        }
    }

    // Writes `out` (of type) into `w` under the envelope.
    private void EmitResult(StringBuilder w, CType type, EnvelopeKind envelope, string indent)
    {
        if (envelope == EnvelopeKind.Status)
        {
            w.Append(CultureInfo.InvariantCulture, $"{indent}bool first = false;\n{indent}wr_open(&w, \"{{\");\n{indent}wr_lit(&w, {Quote("\"status\":" + System.Text.Json.JsonSerializer.Serialize(contract.Spec.SuccessStatus))});\n");
            w.Append(type.Kind == CKind.Struct ? $"{indent}wr_{type.Struct!.CName}_members(&w, &out, &first);\n" : $"{indent}wr_json_members(&w, out, &first);\n");
            w.Append(CultureInfo.InvariantCulture, $"{indent}wr_close(&w, \"}}\");\n");
            return;
        }

        w.Append(CultureInfo.InvariantCulture, $"{indent}{Write(type, "out").Replace("w,", "&w,", StringComparison.Ordinal)};\n");
    }

    // The export's wasm signature: its C result type and its (type, name) parameters.
    private (string Result, List<(string Type, string Name)> Parameters) WasmSignature(ExportPlan export)
    {
        ExportSpec spec = export.Spec;
        var parameters = new List<(string Type, string Name)>();
        bool slot = Abi == AbiKind.WasmBindgen && spec.Result.Kind is not (PayloadKind.None or PayloadKind.Scalar);
        if (slot)
        {
            parameters.Add(("uint32_t *", "retptr"));
        }

        foreach (ParamPlan p in export.Parameters)
        {
            if (p.Value.Kind == PayloadKind.Scalar)
            {
                parameters.Add((WasmC(p.Value.Scalar), p.Name));
            }
            else
            {
                parameters.Add(("const char *", p.Name + "_ptr"));
                parameters.Add(("uint32_t", p.Name + "_len"));
            }
        }

        string result = spec.Result.Kind switch
        {
            PayloadKind.None => "void",
            PayloadKind.Scalar => WasmC(spec.Result.Scalar),
            _ when slot => "void",
            _ when Abi == AbiKind.FixedOffset => "int32_t",
            _ => "int64_t",
        };
        return (result, parameters);
    }

    private static string ParameterList(List<(string Type, string Name)> parameters)
        => parameters.Count == 0 ? "void" : string.Join(", ", parameters.Select(p => p.Type.EndsWith('*') ? p.Type + p.Name : p.Type + " " + p.Name));

    // The header's line that exports an optional export: the plugin writes it once, beside its function.
    private string ExportMacro(ExportPlan export)
    {
        (string result, List<(string Type, string Name)> parameters) = WasmSignature(export);
        string id = Identifier(export.Spec.ExportName);
        string macro = Guard + "_EXPORT_" + id.ToUpperInvariant();
        string call = $"airlock_shim_{id}({string.Join(", ", parameters.Select(p => p.Name))})";
        return $"/* {export.Spec.ExportName} is optional: the module exports it only when the plugin writes {macro} once (beside {export.Function}). */\n"
            + $"{result} airlock_shim_{id}({ParameterList(parameters)});\n"
            + $"#define {macro} \\\n"
            + $"    __attribute__((used)) static void *const airlock_uses_{id} = (void *)&{export.Function}; \\\n"
            + $"    __attribute__((export_name({Quote(export.Spec.ExportName)}))) {result} airlock_export_{id}({ParameterList(parameters)}) {{ {(result == "void" ? string.Empty : "return ")}{call}; }}\n";
    }

    private void EmitExport(StringBuilder w, ExportPlan export)
    {
        ExportSpec spec = export.Spec;
        EnvelopeKind envelope = spec.Envelope;
        (string wasmResult, List<(string Type, string Name)> wasmParams) = WasmSignature(export);
        bool slot = wasmParams.Count > 0 && wasmParams[0].Name == "retptr";
        bool usesCtx = export.Union is not null || Prototype(export).Contains("airlock_ctx *ctx", StringComparison.Ordinal);
        w.Append(CultureInfo.InvariantCulture, $"/* ---- export {spec.ExportName} ---- */\n\n");
        if (export.Union is { } union)
        {
            foreach (CUnionCase c in union.Cases)
            {
                w.Append(CultureInfo.InvariantCulture, $"#pragma weak {c.Function}\n");
            }

            w.Append('\n');
        }

        string id = Identifier(spec.ExportName);
        if (export.Optional)
        {
            w.Append(CultureInfo.InvariantCulture, $"#pragma weak {export.Function}\n\n");
        }

        w.Append(export.Optional
            ? $"{wasmResult} airlock_shim_{id}({ParameterList(wasmParams)}) {{\n"
            : $"__attribute__((export_name({Quote(spec.ExportName)})))\n{wasmResult} airlock_export_{id}({ParameterList(wasmParams)}) {{\n");
        if (!usesCtx)
        {
            string call = $"{export.Function}({string.Join(", ", export.Parameters.Select(p => p.Name))})";
            if (export.Optional)
            {
                w.Append(CultureInfo.InvariantCulture, $"    if (!{export.Function}) __builtin_trap();\n");
            }

            w.Append(spec.Result.Kind == PayloadKind.None ? $"    {call};\n}}\n\n" : $"    return ({wasmResult}){call};\n}}\n\n");
            return;
        }

        if (Abi == AbiKind.FixedOffset)
        {
            w.Append("    airlock_result_reset();\n");
        }

        w.Append("    airlock_ctx ctx;\n    memset(&ctx, 0, sizeof ctx);\n    airlock_writer w;\n    memset(&w, 0, sizeof w);\n    bool ok = true;\n");
        var args = new List<string> { "&ctx" };
        foreach (ParamPlan p in export.Parameters)
        {
            switch (p.Value.Kind)
            {
                case PayloadKind.Scalar:
                    args.Add(p.Name);
                    break;
                case PayloadKind.Utf8:
                    w.Append(CultureInfo.InvariantCulture, $"    airlock_str {p.Name} = {{\"\", 0}};\n    if (ok && {p.Name}_len) {{\n        {InputBounds(p.Name)}if (!airlock_utf8_valid({p.Name}_ptr, {p.Name}_len)) ok = airlock_fail(&ctx, \"invalid_request\", \"{p.Name} is not valid UTF-8\");\n        else {p.Name} = airlock_str_copy(&ctx, {p.Name}_ptr, {p.Name}_len);\n    }}\n");
                    args.Add(p.Name);
                    break;
                case PayloadKind.Bytes or PayloadKind.BytesMemory:
                    w.Append(CultureInfo.InvariantCulture, $"    airlock_bytes {p.Name} = {{(const uint8_t *)({p.Name}_len ? {p.Name}_ptr : \"\"), {p.Name}_len}};\n");
                    if (Abi == AbiKind.FixedOffset)
                    {
                        w.Append(CultureInfo.InvariantCulture, $"    if ({p.Name}_len) {{\n        {InputBounds(p.Name)}{{}}\n    }}\n");
                    }

                    args.Add(p.Name);
                    break;
                default:
                    if (export.Union is not null)
                    {
                        break;
                    }

                    string ctype = p.Json!.Spell(prefix);
                    w.Append(CultureInfo.InvariantCulture, $"    {ctype} {p.Name};\n    memset(&{p.Name}, 0, sizeof {p.Name});\n");
                    w.Append(CultureInfo.InvariantCulture, $"    if (ok) {{\n        airlock_reader rd = {{{p.Name}_ptr, {p.Name}_ptr, {p.Name}_ptr + {p.Name}_len, 0, &ctx, NULL, 0}};\n        airlock_reader *r = &rd;\n");
                    string outside = Abi == AbiKind.FixedOffset ? $"        else if (!airlock_in_memory({p.Name}_ptr, {p.Name}_len)) rd_fail(r, \"input outside memory\");\n" : string.Empty;
                    w.Append(CultureInfo.InvariantCulture, $"        if ({p.Name}_len > AIRLOCK_MAX_INPUT) rd_fail(r, \"input larger than AIRLOCK_MAX_INPUT\");\n{outside}        else if ({ReadCall(p.Json, p.Name)}) rd_finish(r);\n");
                    w.Append(CultureInfo.InvariantCulture, $"        if (rd.error) {{\n            ok = false;\n            ctx.failed = true;\n            ctx.code = airlock_str_of(\"invalid_request\");\n            ctx.message = airlock_where(&ctx, {Quote(p.Name + ": ")}, rd.error, rd.error_at);\n        }}\n    }}\n");
                    args.Add(p.Json.Kind == CKind.Struct ? "&" + p.Name : p.Name);
                    break;
            }
        }

        if (export.Optional)
        {
            w.Append(CultureInfo.InvariantCulture, $"    if (ok && !{export.Function}) ok = airlock_fail(&ctx, \"unsupported_request\", {Quote("this plugin does not implement " + spec.ExportName)});\n");
        }

        if (export.Union is { } u)
        {
            EmitUnionDispatch(w, export, u);
        }
        else
        {
            string? outType = spec.Result.Kind switch
            {
                PayloadKind.Scalar => ScalarC(spec.Result),
                PayloadKind.Utf8 => "airlock_str",
                PayloadKind.Bytes or PayloadKind.BytesMemory => "airlock_bytes",
                PayloadKind.Json => export.ResultJson!.Spell(prefix),
                _ => null,
            };
            if (outType is not null)
            {
                w.Append(CultureInfo.InvariantCulture, $"    {outType} out;\n    memset(&out, 0, sizeof out);\n");
                args.Add("&out");
            }

            w.Append(CultureInfo.InvariantCulture, $"    if (ok) ok = {export.Function}({string.Join(", ", args)});\n");
            if (spec.Result.Kind is PayloadKind.Json or PayloadKind.Utf8 or PayloadKind.Bytes or PayloadKind.BytesMemory)
            {
                string none = !export.ResultNullable ? "        ok = airlock_fail(&ctx, \"invalid_result\", \"the result is not optional (airlock_none)\");\n"
                    : Abi == AbiKind.FixedOffset ? "        /* no value: 0, no change */\n"
                    : "        wr_lit(&w, \"null\");\n";
                w.Append(CultureInfo.InvariantCulture, $"    if (ok && ctx.none) {{\n{none}    }} else if (ok) {{\n");
            }
            else
            {
                w.Append("    if (ok) {\n");
            }

            switch (spec.Result.Kind)
            {
                case PayloadKind.Utf8:
                    w.Append("        if (out.len) wr_raw(&w, out.ptr, out.len);\n        if (!airlock_utf8_valid(w.buf, w.len)) wr_fail(&w, \"the result is not valid UTF-8\");\n");
                    break;
                case PayloadKind.Bytes or PayloadKind.BytesMemory:
                    w.Append("        if (out.len) wr_raw(&w, (const char *)out.ptr, out.len);\n");
                    break;
                case PayloadKind.Json:
                    EmitResult(w, export.ResultJson!, envelope, "        ");
                    break;
            }

            w.Append("    }\n");
            EmitCallEnd(w, spec, envelope);
        }

        if (Abi == AbiKind.WasmBindgen)
        {
            // wasm-bindgen's convention: the callee owns its arguments and frees them.
            foreach (ParamPlan p in export.Parameters.Where(p => p.Value.Kind != PayloadKind.Scalar))
            {
                w.Append(CultureInfo.InvariantCulture, $"    if ({p.Name}_len) free((void *){p.Name}_ptr);\n");
            }
        }

        string ret = spec.Result.Kind switch
        {
            PayloadKind.None => "    airlock_arena_free(&ctx);\n    free(w.buf);\n}\n\n",
            PayloadKind.Scalar => "    airlock_arena_free(&ctx);\n    free(w.buf);\n    return out;\n}\n\n",
            _ when slot => "    airlock_arena_free(&ctx);\n    airlock_slot_result(retptr, &w);\n}\n\n",
            _ when Abi == AbiKind.FixedOffset => "    airlock_arena_free(&ctx);\n    return airlock_fixed_result(&w);\n}\n\n",
            _ => "    airlock_arena_free(&ctx);\n    return airlock_take(&w);\n}\n\n",
        };
        w.Append(ret);
    }

    // A fixed-offset input must lie within memory (the host writes it there; a hostile host is still not trusted).
    private string InputBounds(string name)
        => Abi == AbiKind.FixedOffset ? $"if (!airlock_in_memory({name}_ptr, {name}_len)) ok = airlock_fail(&ctx, \"invalid_request\", \"{name} lies outside memory\");\n        else " : string.Empty;

    // After the implementation ran: an unwritable result becomes an error, and an error is answered as the envelope says.
    private void EmitCallEnd(StringBuilder w, ExportSpec spec, EnvelopeKind envelope)
    {
        w.Append("    if (ok && w.error) {\n        ok = airlock_fail(&ctx, \"invalid_result\", w.error);\n    }\n");
        w.Append("    if (!ok) {\n");
        EmitError(w, spec.Result.Kind == PayloadKind.Json ? envelope : EnvelopeKind.None, "        ");
        w.Append("    }\n");
    }

    private void EmitUnionDispatch(StringBuilder w, ExportPlan export, CUnion union)
    {
        ParamPlan p = export.Parameters.First(x => x.Value.Kind == PayloadKind.Json);
        string ptr = p.Name + "_ptr", len = p.Name + "_len";
        w.Append(CultureInfo.InvariantCulture, $"    airlock_reader rd = {{{ptr}, {ptr}, {ptr} + {len}, 0, &ctx, NULL, 0}};\n    airlock_reader *r = &rd;\n    airlock_str tag = {{NULL, 0}};\n");
        w.Append(CultureInfo.InvariantCulture, $"    if ({len} > AIRLOCK_MAX_INPUT) {{\n        rd_fail(r, \"input larger than AIRLOCK_MAX_INPUT\");\n    }} else {{\n        /* Find the discriminator, then read the whole object as its case. */\n        airlock_reader probe = rd;\n        bool first = true;\n        int m;\n        airlock_str key;\n");
        w.Append(CultureInfo.InvariantCulture, $"        if (rd_open(&probe, '{{', \"expected an object\")) {{\n            while ((m = rd_member(&probe, &first, &key)) == 1) {{\n                if (rd_key_is(key, {Quote(union.Discriminator)}, {Encoding.UTF8.GetByteCount(union.Discriminator)})) {{\n                    if (!rd_string(&probe, &tag)) break;\n                    break;\n                }}\n");
        if (!union.OutOfOrder)
        {
            w.Append(CultureInfo.InvariantCulture, $"                rd_fail(&probe, {Quote("\"" + union.Discriminator + "\" must be the first member")});\n                break;\n");
        }
        else
        {
            w.Append("                if (!rd_skip(&probe)) break;\n");
        }

        w.Append(CultureInfo.InvariantCulture, $"            }}\n        }}\n        if (probe.error) {{ rd.error = probe.error; rd.error_at = probe.error_at; }}\n        else if (!tag.ptr) rd_fail(r, {Quote("missing discriminator \"" + union.Discriminator + "\"")});\n    }}\n");
        w.Append("    if (rd.error) {\n        ok = false;\n        ctx.failed = true;\n        ctx.code = airlock_str_of(\"invalid_request\");\n        ctx.message = airlock_where(&ctx, \"request: \", rd.error, rd.error_at);\n");
        EmitError(w, export.Spec.Envelope, "        ");
        w.Append("    }\n");
        for (int i = 0; i < union.Cases.Count; i++)
        {
            CUnionCase c = union.Cases[i];
            w.Append(CultureInfo.InvariantCulture, $"    {(i == 0 ? "else if" : "else if")} (airlock_str_eq(tag, {Quote(c.Tag)})) {{\n");
            w.Append(CultureInfo.InvariantCulture, $"        {c.Request.CName} req;\n        memset(&req, 0, sizeof req);\n        {c.Result.Spell(prefix)} out;\n        memset(&out, 0, sizeof out);\n");
            w.Append(CultureInfo.InvariantCulture, $"        if (!rd_{c.Request.CName}(r, &req) || !rd_finish(r)) {{\n            ok = false;\n            ctx.failed = true;\n            ctx.code = airlock_str_of(\"invalid_request\");\n            ctx.message = airlock_where(&ctx, {Quote(c.Tag + ": ")}, rd.error, rd.error_at);\n        }} else if (!{c.Function}) {{\n            ok = airlock_fail(&ctx, \"unsupported_request\", {Quote("this plugin does not handle \"" + c.Tag + "\"")});\n        }} else {{\n            ok = {c.Function}(&ctx, &req, &out);\n        }}\n");
            w.Append("        if (ok) {\n");
            EmitResult(w, c.Result, export.Spec.Envelope, "            ");
            w.Append("        }\n");
            w.Append("        if (ok && w.error) ok = airlock_fail(&ctx, \"invalid_result\", w.error);\n        if (!ok) {\n");
            EmitError(w, export.Spec.Envelope, "            ");
            w.Append("        }\n    }\n");
        }

        w.Append("    else {\n        ok = airlock_fail(&ctx, \"unsupported_request\", \"unknown request type\");\n");
        EmitError(w, export.Spec.Envelope, "        ");
        w.Append("    }\n");
    }

    // Reads the host's `len` bytes at `data` into *out as the import's result type.
    private static void EmitImportParse(StringBuilder w, ImportPlan import)
    {
        switch (import.Spec.Result.Kind)
        {
            case PayloadKind.Utf8:
                w.Append("    if (!airlock_utf8_valid(data, len)) result = AIRLOCK_MALFORMED;\n    else *out = airlock_str_copy(ctx, data, len);\n");
                break;
            case PayloadKind.Bytes or PayloadKind.BytesMemory:
                w.Append("    airlock_str copy = airlock_str_copy(ctx, data, len);\n    out->ptr = (const uint8_t *)copy.ptr;\n    out->len = copy.len;\n");
                break;
            default:
                w.Append(CultureInfo.InvariantCulture, $"    airlock_reader rd = {{data, data, data + len, 0, ctx, NULL, 0}};\n    airlock_reader *r = &rd;\n    if (!{ReadCall(import.ResultJson!, "(*out)")} || !rd_finish(r)) result = AIRLOCK_MALFORMED;\n");
                break;
        }
    }

    private void EmitImport(StringBuilder w, ImportPlan import)
    {
        ImportSpec spec = import.Spec;
        string raw = "airlock_import_" + Identifier(import.Module) + "_" + Identifier(spec.ImportName);
        var wasm = new List<string>();
        var call = new List<string>();
        var prep = new StringBuilder();
        bool status = ImportReturnsStatus(import);
        foreach (ParamPlan p in import.Parameters)
        {
            switch (p.Value.Kind)
            {
                case PayloadKind.Scalar:
                    wasm.Add(WasmC(p.Value.Scalar));
                    call.Add($"({WasmC(p.Value.Scalar)}){p.Name}");
                    break;
                case PayloadKind.Utf8 or PayloadKind.JsonView:
                    wasm.Add("const char *");
                    wasm.Add("uint32_t");
                    call.Add($"{p.Name}.ptr ? {p.Name}.ptr : \"\"");
                    call.Add($"{p.Name}.len");
                    break;
                case PayloadKind.Bytes or PayloadKind.BytesMemory or PayloadKind.BytesSpan:
                    wasm.Add("const uint8_t *");
                    wasm.Add("uint32_t");
                    call.Add($"{p.Name}.ptr ? {p.Name}.ptr : (const uint8_t *)\"\"");
                    call.Add($"{p.Name}.len");
                    break;
                default:
                    wasm.Add("const char *");
                    wasm.Add("uint32_t");
                    prep.Append(CultureInfo.InvariantCulture, $"    airlock_writer {p.Name}_w;\n    memset(&{p.Name}_w, 0, sizeof {p.Name}_w);\n");
                    prep.Append(CultureInfo.InvariantCulture, $"    {Write(p.Json!, p.Json!.Kind == CKind.Struct ? "(*" + p.Name + ")" : p.Name).Replace("(w,", "(&" + p.Name + "_w,", StringComparison.Ordinal)};\n");
                    prep.Append(CultureInfo.InvariantCulture, $"    if ({p.Name}_w.error) {{\n        free({p.Name}_w.buf);\n        return AIRLOCK_BAD_ARGUMENT;\n    }}\n");
                    call.Add($"{p.Name}_w.buf");
                    call.Add($"(uint32_t){p.Name}_w.len");
                    break;
            }
        }

        string rawResult = spec.Result.Kind switch
        {
            PayloadKind.None => "void",
            PayloadKind.Scalar => WasmC(spec.Result.Scalar),
            _ when import.Fixed => "int32_t",
            _ => "int64_t",
        };
        w.Append(CultureInfo.InvariantCulture, $"/* ---- host function {import.Module}.{spec.ImportName} ---- */\n\n");
        w.Append(CultureInfo.InvariantCulture, $"__attribute__((import_module({Quote(import.Module)}), import_name({Quote(spec.ImportName)})))\nextern {rawResult} {raw}({(wasm.Count == 0 ? "void" : string.Join(", ", wasm))});\n\n");
        w.Append(CultureInfo.InvariantCulture, $"{ImportPrototype(import)} {{\n");
        w.Append(prep);
        string invoke = $"{raw}({string.Join(", ", call)})";
        var frees = string.Concat(import.Parameters.Where(p => p.Value.Kind == PayloadKind.Json).Select(p => $"    free({p.Name}_w.buf);\n"));
        switch (spec.Result.Kind)
        {
            case PayloadKind.None:
                w.Append(CultureInfo.InvariantCulture, $"    {invoke};\n{frees}");
                if (status)
                {
                    w.Append("    return AIRLOCK_OK;\n");
                }

                break;
            case PayloadKind.Scalar:
                w.Append(CultureInfo.InvariantCulture, $"    {ScalarC(spec.Result)} result = ({ScalarC(spec.Result)}){invoke};\n{frees}");
                w.Append(status ? "    (void)result;\n    return AIRLOCK_OK;\n" : "    return result;\n");
                break;
            default:
                if (import.Fixed)
                {
                    // The host wrote a frame at ResultOffset: u32 length, the bytes, a 0 byte.
                    string at = import.ResultOffset.ToString(CultureInfo.InvariantCulture) + "u";
                    w.Append(CultureInfo.InvariantCulture, $"    int32_t at = {invoke};\n{frees}");
                    w.Append("    memset(out, 0, sizeof *out);\n    if (at < 0) return at >= -6 ? (airlock_status)at : AIRLOCK_MALFORMED;\n    if (at == 0) return AIRLOCK_NOT_FOUND;\n");
                    w.Append(CultureInfo.InvariantCulture, $"    if ((uint32_t)at != {at} || (uint64_t){at} + 4u > (uint64_t)__builtin_wasm_memory_size(0) * 65536u) return AIRLOCK_MALFORMED;\n");
                    w.Append(CultureInfo.InvariantCulture, $"    uint32_t len;\n    memcpy(&len, (const void *)(uintptr_t){at}, 4);\n    if ((uint64_t){at} + 4u + len > (uint64_t)__builtin_wasm_memory_size(0) * 65536u) return AIRLOCK_MALFORMED;\n");
                    w.Append(CultureInfo.InvariantCulture, $"    const char *data = (const char *)(uintptr_t)({at} + 4u);\n    airlock_status result = AIRLOCK_OK;\n");
                    EmitImportParse(w, import);
                    w.Append("    return result;\n");
                    break;
                }

                w.Append(CultureInfo.InvariantCulture, $"    int64_t packed = {invoke};\n{frees}");
                w.Append("    memset(out, 0, sizeof *out);\n    if (packed < 0) return packed >= -6 ? (airlock_status)packed : AIRLOCK_MALFORMED;\n");
                w.Append("    uint32_t ptr = (uint32_t)((uint64_t)packed >> 32), len = (uint32_t)packed;\n");
                w.Append("    if (len == 0) {\n#if AIRLOCK_HOST_STATUS_CODES\n");
                w.Append(spec.Result.Kind switch
                {
                    PayloadKind.Utf8 => "        out->ptr = \"\";\n        return AIRLOCK_OK;\n",
                    PayloadKind.Bytes or PayloadKind.BytesMemory => "        out->ptr = (const uint8_t *)\"\";\n        return AIRLOCK_OK;\n",
                    _ => "        return AIRLOCK_MALFORMED;\n",
                });
                w.Append("#else\n        return AIRLOCK_NOT_FOUND;\n#endif\n    }\n    const char *data = (const char *)(uintptr_t)ptr;\n    airlock_status result = AIRLOCK_OK;\n");
                EmitImportParse(w, import);

                w.Append(NamedFree ? "    airlock_export_free((void *)data);\n" : "    airlock_export_free((void *)data, len);\n");
                w.Append("    return result;\n");
                break;
        }

        w.Append("}\n\n");
    }
}
