using System.Globalization;
using System.Linq;
using Airlock.Generators.Infrastructure;
using Airlock.Generators.Model;

namespace Airlock.Generators.Emitting;

/// <summary>
/// Emits a result type's one-pass reader: a <c>WasmJsonReader&lt;T&gt;</c> whose <c>TryReadObject</c>
/// matches each member name once, reads its value with System.Text.Json's token rules (or the member
/// type's own metadata), hands other names to the envelope, and builds the object as System.Text.Json
/// would. Whenever it cannot decide, it returns false and System.Text.Json reads the response.
/// </summary>
internal static class JsonReaderEmitter
{
    private const string Abi = Wasm.Abi;
    private const string JsonTypeInfo = "global::System.Text.Json.Serialization.Metadata.JsonTypeInfo";
    private const string Reader = "global::System.Text.Json.Utf8JsonReader";

    public static void Emit(SourceWriter writer, JsonReaderSpec spec)
    {
        writer.Line("private sealed class " + spec.ClassName + " : " + Abi + "WasmJsonReader<" + spec.Type + ">").OpenBrace();
        writer.Line("private static readonly " + Abi + "WasmJsonMember[] s_members =").OpenBrace();
        foreach (JsonMemberSpec member in spec.Members)
        {
            bool withoutDefault = member.Binding == JsonMemberBinding.Constructor && member.DefaultLiteral is null;
            writer.Line("new " + Abi + "WasmJsonMember(" + Wasm.Literal(member.JsonName) + ", typeof(" + member.BareType + "), " + (withoutDefault ? "true" : "false")
                + (member.Binding == JsonMemberBinding.ReadOnly ? ", IsSet: false" : string.Empty) + "),");
        }

        writer.CloseBrace(";");
        var metadata = spec.Members.Where(m => m.Read == JsonValueRead.Metadata && m.Binding != JsonMemberBinding.ReadOnly).ToList();
        foreach (JsonMemberSpec member in metadata)
        {
            writer.Line("private readonly " + JsonTypeInfo + "<" + member.BareType + ">? " + InfoField(member) + ";");
        }

        writer.Line();
        writer.Line("public " + spec.ClassName + "(" + JsonTypeInfo + "<" + spec.Type + "> typeInfo)");
        writer.Indent();
        writer.Line(": base(typeInfo, s_members)");
        writer.Outdent();
        writer.OpenBrace();
        foreach (JsonMemberSpec member in metadata)
        {
            writer.Line(InfoField(member) + " = MemberTypeInfo<" + member.BareType + ">();");
        }

        writer.CloseBrace();
        writer.Line();
        EmitTryReadObject(writer, spec);
        writer.CloseBrace();
    }

    private static void EmitTryReadObject(SourceWriter writer, JsonReaderSpec spec)
    {
        writer.Line("protected override bool TryReadObject(ref " + Reader + " reader, ref " + Abi + "WasmJsonEnvelope envelope, [global::System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out " + spec.Type + " value)").OpenBrace();
        writer.Line("value = default;");
        for (int i = 0; i < spec.Members.Count; i++)
        {
            JsonMemberSpec member = spec.Members[i];
            if (member.Binding != JsonMemberBinding.ReadOnly)
            {
                writer.Line(LocalType(member) + " " + Local(i) + " = " + (member.DefaultLiteral ?? "default") + ";");
            }
        }

        writer.Line("ulong seen = 0;");
        writer.Line("while (reader.Read() && reader.TokenType == global::System.Text.Json.JsonTokenType.PropertyName)").OpenBrace();
        for (int i = 0; i < spec.Members.Count; i++)
        {
            JsonMemberSpec member = spec.Members[i];
            writer.Line((i == 0 ? "if" : "else if") + " (reader.ValueTextEquals(" + Wasm.Literal(member.JsonName) + "u8))").OpenBrace();
            if (member.Binding == JsonMemberBinding.ReadOnly)
            {
                // System.Text.Json does not set it; whether it skips or refuses the value is its to say.
                writer.Line("return false;");
            }
            else
            {
                writer.Line("if ((seen & " + Bit(i) + ") != 0 || !" + ReadCall(member, i) + ")").OpenBrace();
                writer.Line("return false;");
                writer.CloseBrace();
                writer.Line();
                writer.Line("seen |= " + Bit(i) + ";");
            }

            writer.CloseBrace();
        }

        writer.Line("else if (!TryReadOther(ref reader, ref envelope))").OpenBrace();
        writer.Line("return false;");
        writer.CloseBrace();
        writer.CloseBrace();
        writer.Line();

        for (int i = 0; i < spec.Members.Count; i++)
        {
            if (spec.Members[i].Binding != JsonMemberBinding.ReadOnly)
            {
                writer.Line("if ((seen & " + Bit(i) + ") == 0 && IsRequired(" + i.ToString(CultureInfo.InvariantCulture) + "))").OpenBrace();
                writer.Line("return false;");
                writer.CloseBrace();
                writer.Line();
            }
        }

        string arguments = string.Join(", ", spec.Members
            .Select((member, index) => (member, index))
            .Where(m => m.member.Binding == JsonMemberBinding.Constructor)
            .OrderBy(m => m.member.Position)
            .Select(m => Value(m.member, m.index)));
        string initializers = string.Join(", ", spec.Members
            .Select((member, index) => (member, index))
            .Where(m => m.member.Binding == JsonMemberBinding.Initializer)
            .Select(m => m.member.ClrName + " = " + Value(m.member, m.index)));
        writer.Line("value = new " + spec.Type + "(" + arguments + ")" + (initializers.Length == 0 ? string.Empty : " { " + initializers + " }") + ";");
        for (int i = 0; i < spec.Members.Count; i++)
        {
            JsonMemberSpec member = spec.Members[i];
            if (member.Binding == JsonMemberBinding.Setter)
            {
                writer.Line("if ((seen & " + Bit(i) + ") != 0)").OpenBrace();
                writer.Line("value." + member.ClrName + " = " + Value(member, i) + ";");
                writer.CloseBrace();
                writer.Line();
            }
        }

        writer.Line("return true;");
        writer.CloseBrace();
    }

    private static string ReadCall(JsonMemberSpec member, int index)
    {
        string local = Local(index);
        string nullable = "AllowsNull(" + index.ToString(CultureInfo.InvariantCulture) + ")";
        return member.Read switch
        {
            JsonValueRead.String => "TryReadString(ref reader, " + nullable + ", out " + local + ")",
            JsonValueRead.Boolean => "TryReadBoolean(ref reader, out " + local + ")",
            JsonValueRead.Int32 => "TryReadInt32(ref reader, out " + local + ")",
            JsonValueRead.Int64 => "TryReadInt64(ref reader, out " + local + ")",
            JsonValueRead.Double => "TryReadDouble(ref reader, out " + local + ")",
            _ => "TryReadValue(ref reader, " + InfoField(member) + "!, " + nullable + ", out " + local + ")",
        };
    }

    private static string LocalType(JsonMemberSpec member) => member.IsValueType ? member.BareType : member.BareType + "?";

    private static string Value(JsonMemberSpec member, int index) => member.IsValueType ? Local(index) : Local(index) + "!";

    private static string Local(int index) => "member" + index.ToString(CultureInfo.InvariantCulture);

    private static string Bit(int index) => "0x" + (1UL << index).ToString("X", CultureInfo.InvariantCulture) + "UL";

    private static string InfoField(JsonMemberSpec member) => "_" + char.ToLowerInvariant(member.ClrName[0]) + member.ClrName.Substring(1) + "Info";
}
