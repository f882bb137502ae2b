using System.Collections.Generic;
using System.Linq;
using Airlock.Generators.Emitting.Marshalling;
using Airlock.Generators.Infrastructure;
using Airlock.Generators.Model;

namespace Airlock.Generators.Emitting;

/// <summary>
/// Emits the wiring of a <c>[WasmHost]</c> interface: its import-module descriptor and one linker
/// definition per import that reads arguments from guest memory, calls the application's
/// implementation and hands the result back through the guest's <c>alloc</c>.
/// </summary>
internal static class HostEmitter
{
    private const string ImportsName = "AirlockImports";
    private const string JsonTypeInfo = "global::System.Text.Json.Serialization.Metadata.JsonTypeInfo";

    public static string Emit(HostSpec host)
    {
        var writer = new SourceWriter();
        bool hasNamespace = Wasm.BeginFile(writer, host.Type);

        string self = host.Type.FullName;
        string contract = "global::Airlock.IWasmHost<" + self + ">";
        writer.Line("partial interface " + host.Type.Name + " : " + contract).OpenBrace();

        // Marked like every member added to the interface, so the parser never takes one for the user's.
        writer.Line(Wasm.GeneratedCode);
        writer.Line("static " + Wasm.Abi + "WasmHostModule " + contract + ".Module => " + ImportsName + ".Module;");
        writer.Line();
        writer.Line(Wasm.GeneratedCode);
        writer.Line("static void " + contract + ".DefineImports(global::Wasmtime.Linker linker, " + self + " implementation)");
        writer.Indent().Line("=> " + ImportsName + ".Define(linker, implementation);").Outdent();
        writer.Line();
        writer.Line(Wasm.GeneratedCode);
        writer.Line("private static class " + ImportsName).OpenBrace();
        EmitModule(writer, host);
        writer.Line();
        EmitDefine(writer, host);
        writer.CloseBrace();
        writer.CloseBrace();
        Wasm.EndFile(writer, hasNamespace);
        return writer.ToString();
    }

    private static void EmitModule(SourceWriter writer, HostSpec host)
    {
        AbiMarshaller marshaller = AbiMarshaller.For(host.Abi);
        writer.Line("internal static readonly " + Wasm.Abi + "WasmHostModule Module = new " + Wasm.Abi + "WasmHostModule(");
        writer.Indent();
        writer.Line(Wasm.Literal(host.Module) + ",");
        writer.Line("new " + Wasm.Abi + "WasmImportDescriptor[]").OpenBrace();
        foreach (ImportSpec import in host.Imports)
        {
            WasmScalar result = marshaller.Result(import.Result);
            writer.Line("new " + Wasm.Abi + "WasmImportDescriptor(" + Wasm.Literal(import.ImportName) + ", " + Wasm.FunctionType(Wasm.ParameterTypes(import.Parameters), result) + ")" + marshaller.ImportDescriptorInitializer(import) + ",");
        }

        marshaller.EndHostModule(writer, host);
        writer.Outdent();
    }

    private static void EmitDefine(SourceWriter writer, HostSpec host)
    {
        writer.Line("internal static void Define(global::Wasmtime.Linker linker, " + host.Type.FullName + " implementation)").OpenBrace();
        writer.Line("global::System.ArgumentNullException.ThrowIfNull(linker);");
        writer.Line("global::System.ArgumentNullException.ThrowIfNull(implementation);");
        Dictionary<string, string> infos = Wasm.JsonInfoNames(host.Imports.SelectMany(i => i.Parameters.Select(p => p.JsonType).Concat([i.Result.JsonType])), string.Empty);
        if (infos.Count > 0)
        {
            writer.Line("global::System.Text.Json.Serialization.JsonSerializerContext json = " + host.JsonContext + ".Default;");
            foreach (KeyValuePair<string, string> info in infos)
            {
                writer.Line(JsonTypeInfo + "<" + info.Key + "> " + info.Value + " = " + Wasm.Abi + "WasmJson.GetTypeInfo<" + info.Key + ">(json, " + Wasm.Literal(host.Type.HintName) + ");");
            }
        }

        foreach (ImportSpec import in host.Imports)
        {
            writer.Line();
            EmitImport(writer, host, import, infos);
        }

        writer.CloseBrace();
    }

    private static void EmitImport(SourceWriter writer, HostSpec host, ImportSpec import, Dictionary<string, string> infos)
    {
        AbiMarshaller marshaller = AbiMarshaller.For(host.Abi);
        List<(WasmScalar Type, string Name)> wasmParameters = import.Parameters.SelectMany(Wasm.Parameters).ToList();
        WasmScalar result = marshaller.Result(import.Result);
        var generics = wasmParameters.Select(p => Wasm.ClrType(p.Type)).ToList();
        string delegateType;
        if (result == WasmScalar.None)
        {
            delegateType = "global::Wasmtime.CallerAction" + (generics.Count == 0 ? string.Empty : "<" + string.Join(", ", generics) + ">");
        }
        else
        {
            generics.Add(Wasm.ClrType(result));
            delegateType = "global::Wasmtime.CallerFunc<" + string.Join(", ", generics) + ">";
        }

        string module = Wasm.Literal(host.Module);
        string function = Wasm.Literal(import.ImportName);
        string lambdaParameters = string.Join(", ", new[] { "caller" }.Concat(wasmParameters.Select(p => p.Name)));
        writer.Line("linker.DefineFunction(" + module + ", " + function + ", (" + delegateType + ")((" + lambdaParameters + ") =>").OpenBrace();
        writer.Line(Wasm.Abi + "GuestContext guest = " + Wasm.Abi + "GuestContext.EnterImport(caller, " + module + ", " + function + ");");
        writer.Line("try").OpenBrace();

        var arguments = new List<string>();
        foreach (ValueSpec parameter in import.Parameters)
        {
            string bare = parameter.Name.TrimStart('@');
            string region = Wasm.Literal(bare + " of " + host.Module + "." + import.ImportName);
            string pointer = bare + "Ptr";
            string length = bare + "Len";
            switch (parameter.Kind)
            {
                case PayloadKind.GuestContext:
                    arguments.Add("guest");
                    continue;
                case PayloadKind.Scalar:
                    arguments.Add(Wasm.FromWasm(parameter, parameter.Name));
                    continue;
            }

            string read = parameter.Kind switch
            {
                PayloadKind.Utf8 => Wasm.Abi + "Utf8Payload.ReadArgument(guest, " + pointer + ", " + length + ", " + region + ")",
                PayloadKind.BytesSpan => Wasm.Abi + "BytesPayload.ViewArgument(guest, " + pointer + ", " + length + ", " + region + ")",
                PayloadKind.JsonView => Wasm.Abi + "JsonArgument.Read(guest, " + pointer + ", " + length + ", " + region + ")",
                PayloadKind.Json => Wasm.Abi + (parameter.IsNullable ? "JsonPayload.ReadOptionalArgument(guest, " : "JsonPayload.ReadArgument(guest, ") + pointer + ", " + length + ", " + infos[parameter.JsonType!] + ", " + region + ")",
                _ => Wasm.Abi + "BytesPayload.ReadArgument(guest, " + pointer + ", " + length + ", " + region + ")",
            };
            writer.Line(parameter.Type + " " + parameter.Name + " = " + read + ";");
            arguments.Add(parameter.Name);
        }

        string invocation = "implementation." + import.MethodName + "(" + string.Join(", ", arguments) + ")";
        if (import.Result.Kind == PayloadKind.None)
        {
            writer.Line(invocation + ";");
        }
        else
        {
            writer.Line(import.Result.Type + " result = " + invocation + ";");
            writer.Line("return " + marshaller.ImportReturn(host, import, infos, Wasm.Literal("result of " + host.Module + "." + import.ImportName)) + ";");
        }

        writer.CloseBrace();
        if (Wasm.IsBuffer(import.Result))
        {
            // Functions with a buffer result can answer with a status code instead of trapping.
            string cast = marshaller.StatusCast;
            writer.Line("catch (global::Airlock.HostCallException declined)").OpenBrace();
            writer.Line("return " + cast + "guest.ImportDeclined(" + module + ", " + function + ", declined);");
            writer.CloseBrace();
            writer.Line("catch (global::Airlock.MalformedResponseException malformed)").OpenBrace();
            writer.Line("return " + cast + "guest.ImportRejected(" + module + ", " + function + ", malformed);");
            writer.CloseBrace();
        }

        writer.Line("catch (global::System.Exception exception)").OpenBrace();
        writer.Line("throw guest.ImportFailed(" + module + ", " + function + ", exception);");
        writer.CloseBrace();
        writer.Line("finally").OpenBrace();
        writer.Line("guest.ExitImport();");
        writer.CloseBrace();
        writer.CloseBrace("));");
    }
}
