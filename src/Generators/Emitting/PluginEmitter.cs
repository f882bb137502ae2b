using System.Collections.Generic;
using System.Linq;
using Airlock.Generators.Infrastructure;
using Airlock.Generators.Model;

namespace Airlock.Generators.Emitting;

/// <summary>
/// Emits the binding of a <c>[WasmPlugin]</c> contract: the interface's static factory and contract
/// descriptor, one method per union case, and a private sealed client whose methods run allocation-free
/// operation structs on the host's instance pool.
/// </summary>
internal static class PluginEmitter
{
    private const string ClientName = "AirlockClient";
    private const string ExportsName = "BoundExports";
    private const string CancellationToken = "global::System.Threading.CancellationToken";
    private const string JsonTypeInfo = "global::System.Text.Json.Serialization.Metadata.JsonTypeInfo";

    public static string Emit(ContractSpec contract)
    {
        var plan = new Plan(contract);
        var writer = new SourceWriter();
        bool hasNamespace = Wasm.BeginFile(writer, contract.Type);

        string self = contract.Type.FullName;
        string plugin = "global::Airlock.IWasmPlugin<" + self + ">";
        writer.Line("partial interface " + contract.Type.Name + " : " + plugin).OpenBrace();
        writer.Line("static " + Wasm.Abi + "WasmContract " + plugin + ".Contract => " + ClientName + ".Contract;");
        writer.Line();
        writer.Line("static " + self + " " + plugin + ".Create(" + Wasm.Abi + "WasmPluginActivator activator) => new " + ClientName + "(activator);");
        foreach (ExportSpec export in contract.Exports)
        {
            foreach (UnionCaseSpec union in export.UnionCases)
            {
                writer.Line();
                EmitCaseDeclaration(writer, export, union);
            }
        }

        writer.Line();
        EmitClient(writer, contract, plan);
        writer.CloseBrace();
        Wasm.EndFile(writer, hasNamespace);
        return writer.ToString();
    }

    private static void EmitCaseDeclaration(SourceWriter writer, ExportSpec export, UnionCaseSpec union)
    {
        writer.Line("/// <summary>");
        writer.Line("/// Sends a <c>" + Escape(union.Discriminator) + "</c> request (<see cref=\"" + union.CaseType + "\"/>) through <c>" + Escape(export.ExportName) + "</c>.");
        writer.Line("/// </summary>");
        foreach (CaseParameterSpec parameter in union.Parameters)
        {
            string doc = parameter.Documentation ?? "The request's <c>" + parameter.Name.TrimStart('@') + "</c>.";
            writer.Line("/// <param name=\"" + parameter.Name.TrimStart('@') + "\">" + doc.Replace("\n", " ") + "</param>");
        }

        writer.Line("/// <param name=\"cancellationToken\">Cancels the call.</param>");
        writer.Line("/// <returns>The plugin's answer as <see cref=\"" + union.ResultType + "\"/>.</returns>");
        if (export.StatusEnvelope)
        {
            writer.Line("/// <exception cref=\"global::Airlock.PluginErrorException\">The plugin answered with an error response.</exception>");
        }

        IEnumerable<string> parameters = union.Parameters
            .Select(p => p.Type + " " + p.Name + (p.DefaultValue is null ? string.Empty : " = " + p.DefaultValue))
            .Concat([CancellationToken + " cancellationToken = default"]);
        writer.Line(ReturnType(export.Shape, union.ResultType) + " " + union.MethodName + "(" + string.Join(", ", parameters) + ");");
    }

    private static void EmitClient(SourceWriter writer, ContractSpec contract, Plan plan)
    {
        writer.Line(Wasm.GeneratedCode);
        writer.Line("private sealed class " + ClientName + " : " + contract.Type.FullName).OpenBrace();
        EmitDescriptor(writer, contract);
        writer.Line();
        writer.Line("private readonly " + Wasm.Abi + "WasmPluginRuntime<" + ExportsName + "> _runtime;");
        foreach (KeyValuePair<string, string> info in plan.JsonInfos)
        {
            writer.Line("private readonly " + JsonTypeInfo + "<" + info.Key + "> " + info.Value + ";");
        }

        writer.Line();
        writer.Line("public " + ClientName + "(" + Wasm.Abi + "WasmPluginActivator activator)").OpenBrace();
        writer.Line("global::System.ArgumentNullException.ThrowIfNull(activator);");
        writer.Line("_runtime = activator.CreateRuntime(static instance => new " + ExportsName + "(instance));");
        if (plan.JsonInfos.Count > 0)
        {
            writer.Line("global::System.Text.Json.Serialization.JsonSerializerContext json = " + contract.JsonContext + ".Default;");
            foreach (KeyValuePair<string, string> info in plan.JsonInfos)
            {
                writer.Line(info.Value + " = " + Wasm.Abi + "WasmJson.GetTypeInfo<" + info.Key + ">(json, " + Wasm.Literal(contract.Type.HintName) + ");");
            }
        }

        writer.CloseBrace();
        writer.Line();
        writer.Line("public global::Airlock.WasmPluginInfo Info => _runtime.Info;");
        writer.Line();
        writer.Line("public global::System.Threading.Tasks.ValueTask DisposeAsync() => _runtime.DisposeAsync();");
        foreach (ExportSpec export in contract.Exports)
        {
            writer.Line();
            EmitMethod(writer, export, plan);
            foreach (UnionCaseSpec union in export.UnionCases)
            {
                writer.Line();
                EmitCaseMethod(writer, export, union, plan);
            }
        }

        foreach (ExportSpec export in contract.Exports)
        {
            writer.Line();
            EmitOperation(writer, export, plan);
        }

        writer.Line();
        EmitExports(writer, contract, plan);
        writer.CloseBrace();
    }

    private static void EmitDescriptor(SourceWriter writer, ContractSpec contract)
    {
        writer.Line("internal static readonly " + Wasm.Abi + "WasmContract Contract = new " + Wasm.Abi + "WasmContract(");
        writer.Indent();
        writer.Line(Wasm.Literal(contract.Type.HintName) + ",");
        writer.Line("(global::Airlock.WasmAbi)" + contract.Abi + ",");
        writer.Line("new " + Wasm.Abi + "WasmExportDescriptor[]").OpenBrace();
        foreach (ExportSpec export in contract.Exports)
        {
            writer.Line("new " + Wasm.Abi + "WasmExportDescriptor(" + Wasm.Literal(export.ExportName) + ", " + Wasm.FunctionType(WasmParameters(export), Wasm.Result(export.Result)) + "),");
        }

        writer.CloseBrace(",");
        writer.Line("new " + Wasm.Abi + "WasmHostModule[]").OpenBrace();
        foreach (string import in contract.Imports)
        {
            writer.Line(Wasm.Abi + "WasmHostModule.Of<" + import + ">(),");
        }

        writer.CloseBrace(");");
        writer.Outdent();
    }

    private static void EmitMethod(SourceWriter writer, ExportSpec export, Plan plan)
    {
        string parameters = string.Join(", ", export.Parameters.Select(p => p.Type + " " + p.Name));
        string? resultType = export.Result.Kind == PayloadKind.None ? null : export.Result.Type;
        writer.Line("public " + ReturnType(export.Shape, resultType) + " " + export.MethodName + "(" + parameters + ")");
        var arguments = new List<string> { "this" };
        arguments.AddRange(export.Parameters.Where(p => p.Kind != PayloadKind.CancellationToken).Select(p => p.Name));
        string operationType = plan.OperationNames[export];
        if (export.UnionCases.Count > 0)
        {
            operationType += "<" + export.Result.Type + ">";
            arguments.Add(plan.JsonInfos[export.Result.JsonType!]);
        }

        string token = export.Parameters.FirstOrDefault(p => p.Kind == PayloadKind.CancellationToken)?.Name ?? CancellationToken + ".None";
        writer.Indent();
        writer.Line("=> " + Invocation(export.Shape, operationType, resultType, "new " + operationType + "(" + string.Join(", ", arguments) + ")", token) + ";");
        writer.Outdent();
    }

    private static void EmitCaseMethod(SourceWriter writer, ExportSpec export, UnionCaseSpec union, Plan plan)
    {
        IEnumerable<string> parameters = union.Parameters.Select(p => p.Type + " " + p.Name).Concat([CancellationToken + " cancellationToken"]);
        writer.Line("public " + ReturnType(export.Shape, union.ResultType) + " " + union.MethodName + "(" + string.Join(", ", parameters) + ")");
        string operationType = plan.OperationNames[export] + "<" + union.ResultType + ">";
        string request = "new " + union.CaseType + "(" + string.Join(", ", union.Parameters.Select(p => p.Name)) + ")";
        string operation = "new " + operationType + "(this, " + request + ", " + plan.JsonInfos[union.ResultType] + ")";
        writer.Indent();
        writer.Line("=> " + Invocation(export.Shape, operationType, union.ResultType, operation, "cancellationToken") + ";");
        writer.Outdent();
    }

    private static string Invocation(ResultShape shape, string operationType, string? resultType, string operation, string token)
    {
        string result = resultType ?? Wasm.Abi + "WasmVoid";
        return (shape, resultType) switch
        {
            (ResultShape.Synchronous, _) => "_runtime.Invoke<" + operationType + ", " + result + ">(" + operation + ", " + token + ")",
            (ResultShape.ValueTask, null) => "_runtime.InvokeVoidAsync(" + operation + ", " + token + ")",
            (ResultShape.ValueTask, _) => "_runtime.InvokeAsync<" + operationType + ", " + result + ">(" + operation + ", " + token + ")",
            (ResultShape.Task, null) => "_runtime.InvokeVoidAsync(" + operation + ", " + token + ").AsTask()",
            _ => "_runtime.InvokeAsync<" + operationType + ", " + result + ">(" + operation + ", " + token + ").AsTask()",
        };
    }

    private static void EmitOperation(SourceWriter writer, ExportSpec export, Plan plan)
    {
        bool generic = export.UnionCases.Count > 0;
        string result = generic ? "TResult" : export.Result.Kind == PayloadKind.None ? Wasm.Abi + "WasmVoid" : export.Result.Type;
        string name = plan.OperationNames[export] + (generic ? "<TResult>" : string.Empty);
        List<ValueSpec> inputs = export.Parameters.Where(p => p.Kind != PayloadKind.CancellationToken).ToList();

        writer.Line("private readonly struct " + name + " : " + Wasm.Abi + "IWasmOperation<" + ExportsName + ", " + result + ">").OpenBrace();
        writer.Line("private readonly " + ClientName + " _client;");
        foreach (ValueSpec input in inputs)
        {
            writer.Line("private readonly " + input.Type + " _" + input.Name.TrimStart('@') + ";");
        }

        if (generic)
        {
            writer.Line("private readonly " + JsonTypeInfo + "<TResult> _resultInfo;");
        }

        writer.Line();
        IEnumerable<string> constructorParameters = new[] { ClientName + " client" }
            .Concat(inputs.Select(p => p.Type + " " + p.Name))
            .Concat(generic ? [JsonTypeInfo + "<TResult> resultInfo"] : []);
        writer.Line("public " + plan.OperationNames[export] + "(" + string.Join(", ", constructorParameters) + ")").OpenBrace();
        writer.Line("_client = client;");
        foreach (ValueSpec input in inputs)
        {
            writer.Line("_" + input.Name.TrimStart('@') + " = " + input.Name + ";");
        }

        if (generic)
        {
            writer.Line("_resultInfo = resultInfo;");
        }

        writer.CloseBrace();
        writer.Line();
        writer.Line("public string Export => " + Wasm.Literal(export.ExportName) + ";");
        writer.Line();
        writer.Line("public " + result + " Invoke(" + Wasm.Abi + "GuestCall<" + ExportsName + "> call)").OpenBrace();

        var arguments = new List<string>();
        var buffers = new List<string>();
        foreach (ValueSpec input in inputs)
        {
            string field = "_" + input.Name.TrimStart('@');
            if (input.Kind == PayloadKind.Scalar)
            {
                arguments.Add(Wasm.ToWasm(input, field));
                continue;
            }

            string buffer = input.Name.TrimStart('@') + "Buffer";
            string purpose = Wasm.Literal(input.Name.TrimStart('@') + " of " + export.ExportName);
            string write = input.Kind switch
            {
                PayloadKind.Utf8 => Wasm.Abi + "Utf8Payload.Write(call, " + field + ", " + purpose + ")",
                PayloadKind.Json => Wasm.Abi + "JsonPayload.Write(call, " + field + ", _client." + plan.JsonInfos[input.JsonType!] + ", " + purpose + ")",
                PayloadKind.BytesMemory => Wasm.Abi + "BytesPayload.Write(call, " + field + ".Span, " + purpose + ")",
                _ => Wasm.Abi + "BytesPayload.Write(call, " + field + ", " + purpose + ")",
            };
            writer.Line(Wasm.Abi + "GuestBuffer " + buffer + " = " + write + ";");
            arguments.Add(buffer + ".WasmPointer");
            arguments.Add(buffer + ".WasmLength");
            buffers.Add(buffer);
        }

        string call = "call.Exports." + plan.FieldNames[export] + "(" + string.Join(", ", arguments) + ")";
        WasmScalar wasmResult = Wasm.Result(export.Result);
        if (wasmResult == WasmScalar.None)
        {
            writer.Line(call + ";");
        }
        else
        {
            writer.Line(Wasm.ClrType(wasmResult) + " result = " + call + ";");
        }

        for (int i = buffers.Count - 1; i >= 0; i--)
        {
            writer.Line("call.Free(" + buffers[i] + ");");
        }

        string region = Wasm.Literal("result of " + export.ExportName);
        string info = generic ? "_resultInfo" : export.Result.JsonType is { } jsonType ? "_client." + plan.JsonInfos[jsonType] : string.Empty;
        writer.Line(export.Result.Kind switch
        {
            PayloadKind.None => "return default;",
            PayloadKind.Scalar => "return " + Wasm.FromWasm(export.Result, "result") + ";",
            PayloadKind.Utf8 => "return " + Wasm.Abi + "Utf8Payload.Take(call, result, " + region + ");",
            PayloadKind.Bytes or PayloadKind.BytesMemory => "return " + Wasm.Abi + "BytesPayload.Take(call, result, " + region + ");",
            _ when export.StatusEnvelope => "return " + Wasm.Abi + "StatusEnvelope.Take(call, result, " + info + ", " + region + ");",
            _ when export.Result.IsNullable => "return " + Wasm.Abi + "JsonPayload.TakeOptional(call, result, " + info + ", " + region + ");",
            _ => "return " + Wasm.Abi + "JsonPayload.Take(call, result, " + info + ", " + region + ");",
        });
        writer.CloseBrace();
        writer.CloseBrace();
    }

    private static void EmitExports(SourceWriter writer, ContractSpec contract, Plan plan)
    {
        writer.Line("private sealed class " + ExportsName).OpenBrace();
        foreach (ExportSpec export in contract.Exports)
        {
            writer.Line("public readonly " + DelegateType(export) + " " + plan.FieldNames[export] + ";");
        }

        writer.Line();
        writer.Line("public " + ExportsName + "(global::Wasmtime.Instance instance)").OpenBrace();
        foreach (ExportSpec export in contract.Exports)
        {
            List<WasmScalar> parameters = WasmParameters(export);
            WasmScalar result = Wasm.Result(export.Result);
            var generics = parameters.Select(Wasm.ClrType).ToList();
            if (result != WasmScalar.None)
            {
                generics.Add(Wasm.ClrType(result));
            }

            string getter = (result == WasmScalar.None ? "GetAction" : "GetFunction") + (generics.Count == 0 ? string.Empty : "<" + string.Join(", ", generics) + ">");
            writer.Line(plan.FieldNames[export] + " = instance." + getter + "(" + Wasm.Literal(export.ExportName) + ")");
            writer.Indent();
            writer.Line("?? throw " + Wasm.Abi + "WasmBinding.MissingExport(" + Wasm.Literal(contract.Type.HintName) + ", " + Wasm.Literal(export.ExportName) + ", " + Wasm.Literal(Wasm.Signature(parameters, result)) + ");");
            writer.Outdent();
        }

        writer.CloseBrace();
        writer.CloseBrace();
    }

    private static string DelegateType(ExportSpec export)
    {
        var generics = WasmParameters(export).Select(Wasm.ClrType).ToList();
        WasmScalar result = Wasm.Result(export.Result);
        if (result == WasmScalar.None)
        {
            return "global::System.Action" + (generics.Count == 0 ? string.Empty : "<" + string.Join(", ", generics) + ">");
        }

        generics.Add(Wasm.ClrType(result));
        return "global::System.Func<" + string.Join(", ", generics) + ">";
    }

    private static List<WasmScalar> WasmParameters(ExportSpec export)
        => export.Parameters.SelectMany(Wasm.Parameters).Select(p => p.Type).ToList();

    private static string ReturnType(ResultShape shape, string? result) => shape switch
    {
        ResultShape.ValueTask => result is null ? "global::System.Threading.Tasks.ValueTask" : "global::System.Threading.Tasks.ValueTask<" + result + ">",
        ResultShape.Task => result is null ? "global::System.Threading.Tasks.Task" : "global::System.Threading.Tasks.Task<" + result + ">",
        _ => result ?? "void",
    };

    private static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    /// <summary>Names chosen once per contract: JSON metadata fields, operation structs, export fields.</summary>
    private sealed class Plan
    {
        public Plan(ContractSpec contract)
        {
            JsonInfos = Wasm.JsonInfoNames(
                contract.Exports.SelectMany(export => export.Parameters.Select(p => p.JsonType)
                    .Concat([export.Result.JsonType])
                    .Concat(export.UnionCases.Select(c => c.ResultType))),
                "_");
            var members = new HashSet<string> { ClientName, ExportsName, "Contract", "Info", "DisposeAsync" };
            foreach (ExportSpec export in contract.Exports)
            {
                string stem = export.MethodName.EndsWith("Async", System.StringComparison.Ordinal) && export.MethodName.Length > 5
                    ? export.MethodName.Substring(0, export.MethodName.Length - 5)
                    : export.MethodName;
                string field = stem;
                for (int i = 2; !members.Add(field); i++)
                {
                    field = stem + i;
                }

                FieldNames[export] = field;
                string operation = stem + "Operation";
                for (int i = 2; !members.Add(operation); i++)
                {
                    operation = stem + "Operation" + i;
                }

                OperationNames[export] = operation;
            }
        }

        public Dictionary<string, string> JsonInfos { get; }

        public Dictionary<ExportSpec, string> FieldNames { get; } = [];

        public Dictionary<ExportSpec, string> OperationNames { get; } = [];
    }
}
