using System.Linq;
using Airlock.Generators.Infrastructure;
using Airlock.Generators.Model;

namespace Airlock.Generators.Emitting;

/// <summary>
/// Emits a union case's writer: a struct over the per-case method's arguments (or, when the case's source
/// does not say what its properties make of them, over the case object) that writes the case's members as
/// System.Text.Json would (names, order, nulls kept or omitted as the options say, lists by index without a
/// boxed enumerator, other members through their metadata); the union's metadata writes the case, built
/// from the same arguments, when the union says the writer may not.
/// </summary>
internal static class CaseWriterEmitter
{
    private const string Abi = Wasm.Abi;
    private const string Writer = "global::System.Text.Json.Utf8JsonWriter";

    public static void Emit(SourceWriter writer, UnionCaseSpec unionCase, string name, string unionType)
    {
        var members = unionCase.Writer!;
        bool arguments = unionCase.WritesArguments;
        writer.Line("private readonly struct " + name + " : " + Abi + "IWasmUnionCase<" + unionType + ">").OpenBrace();
        writer.Line("internal static readonly " + Abi + "WasmJsonMember[] Members =").OpenBrace();
        foreach (CaseMemberSpec member in members)
        {
            writer.Line("new " + Abi + "WasmJsonMember(" + Wasm.Literal(member.JsonName) + ", typeof(" + member.BareType + "), false),");
        }

        writer.CloseBrace(";");
        writer.Line();
        if (arguments)
        {
            foreach (CaseParameterSpec parameter in unionCase.Parameters)
            {
                writer.Line("private readonly " + parameter.Type + " " + Field(parameter) + ";");
            }

            writer.Line();
            writer.Line("public " + name + "(" + string.Join(", ", unionCase.Parameters.Select(p => p.Type + " " + p.Name)) + ")").OpenBrace();
            foreach (CaseParameterSpec parameter in unionCase.Parameters)
            {
                writer.Line(Field(parameter) + " = " + parameter.Name + ";");
            }

            writer.CloseBrace();
        }
        else
        {
            writer.Line("private readonly " + unionCase.CaseType + " _value;");
            writer.Line();
            writer.Line("public " + name + "(" + unionCase.CaseType + " value)").OpenBrace();
            writer.Line("_value = value;");
            writer.CloseBrace();
        }

        writer.Line();
        writer.Line("public static global::System.Type CaseType => typeof(" + unionCase.CaseType + ");");
        writer.Line();
        writer.Line(arguments
            ? "public " + unionType + " Create() => new " + unionCase.CaseType + "(" + string.Join(", ", unionCase.Parameters.Select(Field)) + ");"
            : "public " + unionType + " Create() => _value;");
        writer.Line();
        writer.Line("public void WriteMembers(" + Writer + " writer, global::System.Text.Json.JsonSerializerOptions options, bool omitNulls)").OpenBrace();
        bool first = true;
        foreach (CaseMemberSpec member in members)
        {
            if (!first)
            {
                writer.Line();
            }

            first = false;
            if (arguments)
            {
                CaseParameterSpec parameter = unionCase.Parameters[member.Argument];
                EmitMember(writer, member, Field(parameter), parameter.Type);
            }
            else
            {
                EmitMember(writer, member, "_value." + member.Property, member.Type);
            }
        }

        writer.CloseBrace();
        writer.CloseBrace();
    }

    private static string Field(CaseParameterSpec parameter) => "_" + parameter.Name.TrimStart('@');

    // The member's value is source (a field of the argument or the case object's property) of type type.
    private static void EmitMember(SourceWriter writer, CaseMemberSpec member, string source, string type)
    {
        string name = Wasm.Literal(member.JsonName) + "u8";
        switch (member.Kind)
        {
            case JsonValueRead.Boolean when member.IsValueType:
                writer.Line("writer.WriteBoolean(" + name + ", " + source + ");");
                return;
            case JsonValueRead.Int32 or JsonValueRead.Int64 or JsonValueRead.Double when member.IsValueType:
                writer.Line("writer.WriteNumber(" + name + ", " + source + ");");
                return;
            case JsonValueRead.Metadata when member.IsValueType:
                writer.Line("writer.WritePropertyName(" + name + ");");
                writer.Line(Serialize(member, source) + ";");
                return;
        }

        string local = "member" + member.Property;
        writer.Line(type + " " + local + " = " + source + ";");
        if (member.EmptyWhenNull)
        {
            // The property holds an empty list for a null argument: the member is never null.
            writer.Line("writer.WriteStartArray(" + name + ");");
            writer.Line("if (" + local + " is not null)").OpenBrace();
            EmitItems(writer, member, local);
            writer.CloseBrace();
            writer.Line();
            writer.Line("writer.WriteEndArray();");
            return;
        }

        writer.Line("if (" + local + " is not null)").OpenBrace();
        switch (member.Kind)
        {
            case JsonValueRead.String:
                writer.Line("writer.WriteString(" + name + ", " + local + ");");
                break;
            case JsonValueRead.StringList:
                writer.Line("writer.WriteStartArray(" + name + ");");
                EmitItems(writer, member, local);
                writer.Line();
                writer.Line("writer.WriteEndArray();");
                break;
            default:
                writer.Line("writer.WritePropertyName(" + name + ");");
                writer.Line(Serialize(member, local) + ";");
                break;
        }

        writer.CloseBrace();
        writer.Line("else if (!omitNulls)").OpenBrace();
        writer.Line("writer.WriteNull(" + name + ");");
        writer.CloseBrace();
    }

    // A list of strings by index, null items as null.
    private static void EmitItems(SourceWriter writer, CaseMemberSpec member, string list)
    {
        string count = member.BareType.EndsWith("[]", System.StringComparison.Ordinal) ? "Length" : "Count";
        writer.Line("for (int i = 0; i < " + list + "." + count + "; i++)").OpenBrace();
        writer.Line("string? item = " + list + "[i];");
        writer.Line("if (item is null)").OpenBrace();
        writer.Line("writer.WriteNullValue();");
        writer.CloseBrace();
        writer.Line("else").OpenBrace();
        writer.Line("writer.WriteStringValue(item);");
        writer.CloseBrace();
        writer.CloseBrace();
    }

    private static string Serialize(CaseMemberSpec member, string field)
        => "global::System.Text.Json.JsonSerializer.Serialize(writer, " + field + ", (global::System.Text.Json.Serialization.Metadata.JsonTypeInfo<" + member.BareType + ">)options.GetTypeInfo(typeof(" + member.BareType + ")))";
}
