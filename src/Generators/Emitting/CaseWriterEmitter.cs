using System.Linq;
using Airlock.Generators.Infrastructure;
using Airlock.Generators.Model;

namespace Airlock.Generators.Emitting;

/// <summary>
/// Emits a union case's writer: a struct over the case object that writes its members as System.Text.Json
/// would (names, order, nulls kept or omitted as the options say, lists by index without a boxed
/// enumerator, other members through their metadata); the union's metadata writes the case when the
/// union says the writer may not.
/// </summary>
internal static class CaseWriterEmitter
{
    private const string Abi = Wasm.Abi;
    private const string Writer = "global::System.Text.Json.Utf8JsonWriter";

    public static void Emit(SourceWriter writer, UnionCaseSpec unionCase, string name, string unionType)
    {
        var members = unionCase.Writer!;
        writer.Line("private readonly struct " + name + " : " + Abi + "IWasmUnionCase<" + unionType + ">").OpenBrace();
        writer.Line("internal static readonly " + Abi + "WasmJsonMember[] Members =").OpenBrace();
        foreach (CaseMemberSpec member in members)
        {
            writer.Line("new " + Abi + "WasmJsonMember(" + Wasm.Literal(member.JsonName) + ", typeof(" + member.BareType + "), false),");
        }

        writer.CloseBrace(";");
        writer.Line();
        writer.Line("private readonly " + unionCase.CaseType + " _value;");
        writer.Line();
        writer.Line("public " + name + "(" + unionCase.CaseType + " value)").OpenBrace();
        writer.Line("_value = value;");
        writer.CloseBrace();
        writer.Line();
        writer.Line("public static global::System.Type CaseType => typeof(" + unionCase.CaseType + ");");
        writer.Line();
        writer.Line("public " + unionType + " Create() => _value;");
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
            EmitMember(writer, member);
        }

        writer.CloseBrace();
        writer.CloseBrace();
    }

    private static void EmitMember(SourceWriter writer, CaseMemberSpec member)
    {
        string name = Wasm.Literal(member.JsonName) + "u8";
        string field = "_value." + member.Property;
        switch (member.Kind)
        {
            case JsonValueRead.Boolean when member.IsValueType:
                writer.Line("writer.WriteBoolean(" + name + ", " + field + ");");
                return;
            case JsonValueRead.Int32 or JsonValueRead.Int64 or JsonValueRead.Double when member.IsValueType:
                writer.Line("writer.WriteNumber(" + name + ", " + field + ");");
                return;
            case JsonValueRead.Metadata when member.IsValueType:
                writer.Line("writer.WritePropertyName(" + name + ");");
                writer.Line(Serialize(member, field) + ";");
                return;
        }

        string local = "member" + member.Property;
        writer.Line(member.Type + " " + local + " = " + field + ";");
        field = local;
        writer.Line("if (" + field + " is not null)").OpenBrace();
        switch (member.Kind)
        {
            case JsonValueRead.String:
                writer.Line("writer.WriteString(" + name + ", " + field + ");");
                break;
            case JsonValueRead.StringList:
                string count = member.BareType.EndsWith("[]", System.StringComparison.Ordinal) ? "Length" : "Count";
                writer.Line("writer.WriteStartArray(" + name + ");");
                writer.Line("for (int i = 0; i < " + field + "." + count + "; i++)").OpenBrace();
                writer.Line("string? item = " + field + "[i];");
                writer.Line("if (item is null)").OpenBrace();
                writer.Line("writer.WriteNullValue();");
                writer.CloseBrace();
                writer.Line("else").OpenBrace();
                writer.Line("writer.WriteStringValue(item);");
                writer.CloseBrace();
                writer.CloseBrace();
                writer.Line();
                writer.Line("writer.WriteEndArray();");
                break;
            default:
                writer.Line("writer.WritePropertyName(" + name + ");");
                writer.Line(Serialize(member, field) + ";");
                break;
        }

        writer.CloseBrace();
        writer.Line("else if (!omitNulls)").OpenBrace();
        writer.Line("writer.WriteNull(" + name + ");");
        writer.CloseBrace();
    }

    private static string Serialize(CaseMemberSpec member, string field)
        => "global::System.Text.Json.JsonSerializer.Serialize(writer, " + field + ", (global::System.Text.Json.Serialization.Metadata.JsonTypeInfo<" + member.BareType + ">)options.GetTypeInfo(typeof(" + member.BareType + ")))";
}
