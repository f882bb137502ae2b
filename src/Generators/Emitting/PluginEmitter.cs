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

        // Every member added to the interface is marked, so that the contract's parser, seeing the
        // interface with these declarations (in the IDE, or from a referenced assembly), knows they are
        // not members the user must bind.
        writer.Line(Wasm.GeneratedCode);
        writer.Line("static " + Wasm.Abi + "WasmContract " + plugin + ".Contract => " + ClientName + ".Contract;");
        writer.Line();
        writer.Line(Wasm.GeneratedCode);
        writer.Line("static " + self + " " + plugin + ".Create(" + Wasm.Abi + "WasmPluginActivator activator) => new " + ClientName + "(activator);");
        foreach (ExportSpec export in contract.Exports)
        {
            if (export.WhenMissing != MissingExportKind.RefuseModule)
            {
                writer.Line();
                writer.Line("/// <summary>");
                writer.Line("/// Whether the plugin exports <c>" + Escape(export.ExportName) + "</c>. When it does not, <see cref=\"" + export.MethodName + "\"/> "
                    + (export.WhenMissing == MissingExportKind.Skip ? "does nothing and returns the default result." : "fails with <see cref=\"global::Airlock.PluginExportMissingException\"/>."));
                writer.Line("/// </summary>");
                writer.Line(Wasm.GeneratedCode);
                writer.Line("bool " + plan.HasNames[export] + " { get; }");
            }

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
        if (export.Envelope != EnvelopeKind.None)
        {
            writer.Line("/// <exception cref=\"global::Airlock.PluginErrorException\">The plugin answered with an error response.</exception>");
        }

        IEnumerable<string> parameters = union.Parameters
            .Select(p => p.Type + " " + p.Name + (p.DefaultValue is null ? string.Empty : " = " + p.DefaultValue))
            .Concat([CancellationToken + " cancellationToken = default"]);

        writer.Line(Wasm.GeneratedCode);
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

        foreach (KeyValuePair<string, string> union in plan.Unions)
        {
            writer.Line("private readonly " + Wasm.Abi + "WasmJsonUnion<" + union.Key + "> " + union.Value + ";");
        }

        foreach (KeyValuePair<ExportSpec, string> has in plan.HasNames)
        {
            writer.Line("private readonly bool _" + Camel(has.Value) + ";");
        }

        writer.Line();
        writer.Line("public " + ClientName + "(" + Wasm.Abi + "WasmPluginActivator activator)").OpenBrace();
        writer.Line("global::System.ArgumentNullException.ThrowIfNull(activator);");
        writer.Line("_runtime = activator.CreateRuntime(static instance => new " + ExportsName + "(instance));");
        foreach (KeyValuePair<ExportSpec, string> has in plan.HasNames)
        {
            writer.Line("_" + Camel(has.Value) + " = activator.HasExport(" + Wasm.Literal(has.Key.ExportName) + ");");
        }

        if (plan.JsonInfos.Count > 0)
        {
            writer.Line("global::System.Text.Json.Serialization.JsonSerializerContext json = " + contract.JsonContext + ".Default;");
            foreach (KeyValuePair<string, string> info in plan.JsonInfos)
            {
                writer.Line(info.Value + " = " + Wasm.Abi + "WasmJson.GetTypeInfo<" + info.Key + ">(json, " + Wasm.Literal(contract.Type.HintName) + ");");
            }

            foreach (KeyValuePair<string, string> union in plan.Unions)
            {
                writer.Line(union.Value + " = new " + Wasm.Abi + "WasmJsonUnion<" + union.Key + ">(" + plan.JsonInfos[union.Key] + ");");
            }
        }

        writer.CloseBrace();
        writer.Line();
        writer.Line("public global::Airlock.WasmPluginInfo Info => _runtime.Info;");
        writer.Line();
        writer.Line("public global::System.Threading.Tasks.ValueTask DisposeAsync() => _runtime.DisposeAsync();");
        foreach (KeyValuePair<ExportSpec, string> has in plan.HasNames)
        {
            writer.Line();
            writer.Line("public bool " + has.Value + " => _" + Camel(has.Value) + ";");
        }

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
        writer.Line(Wasm.AbiValue(contract.Abi) + ",");
        writer.Line("new " + Wasm.Abi + "WasmExportDescriptor[]").OpenBrace();
        foreach (ExportSpec export in contract.Exports)
        {
            string optional = export.WhenMissing == MissingExportKind.RefuseModule ? string.Empty : ", IsRequired: false";
            writer.Line("new " + Wasm.Abi + "WasmExportDescriptor(" + Wasm.Literal(export.ExportName) + ", " + Wasm.FunctionType(Wasm.ParameterTypes(export.Parameters), Wasm.ExportResult(export, contract.Abi)) + optional + "),");
        }

        writer.CloseBrace(",");
        writer.Line("new " + Wasm.Abi + "WasmHostModule[]").OpenBrace();
        foreach (string import in contract.Imports)
        {
            writer.Line(Wasm.Abi + "WasmHostModule.Of<" + import + ">(),");
        }

        if (contract.Abi == AbiKind.FixedOffset)
        {
            writer.CloseBrace(",");
            writer.Line("InputOffset: " + contract.InputOffset + ",");
            writer.Line("ResultLengthExport: " + Wasm.Literal(contract.ResultLengthExport) + ")" + WasiInitializer(contract) + ";");
        }
        else
        {
            writer.CloseBrace(")" + WasiInitializer(contract) + ";");
        }
        writer.Outdent();
    }

    private static string WasiInitializer(ContractSpec contract)
        => contract.AllowsWasi ? string.Empty : " { AllowsWasi = false }";

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
        EmitBody(writer, export, plan, resultType, Invocation(export.Shape, operationType, resultType, "new " + operationType + "(" + string.Join(", ", arguments) + ")", token));
    }

    // An expression body, or for an optional export a block that first checks the export is there.
    private static void EmitBody(SourceWriter writer, ExportSpec export, Plan plan, string? resultType, string invocation)
    {
        if (export.WhenMissing == MissingExportKind.RefuseModule)
        {
            writer.Indent();
            writer.Line("=> " + invocation + ";");
            writer.Outdent();
            return;
        }

        writer.OpenBrace();
        writer.Line("if (!_" + Camel(plan.HasNames[export]) + ")").OpenBrace();
        writer.Line(WhenMissing(export, resultType));
        writer.CloseBrace();
        writer.Line();
        writer.Line((export.Shape == ResultShape.Synchronous && resultType is null ? string.Empty : "return ") + invocation + ";");
        writer.CloseBrace();
    }

    private static string WhenMissing(ExportSpec export, string? resultType)
    {
        const string Tasks = "global::System.Threading.Tasks.";
        if (export.WhenMissing == MissingExportKind.Skip)
        {
            return (export.Shape, resultType) switch
            {
                (ResultShape.Synchronous, null) => "return;",
                (ResultShape.Synchronous, _) => "return default!;",
                (ResultShape.ValueTask, _) => "return default;",
                (ResultShape.Task, null) => "return " + Tasks + "Task.CompletedTask;",
                _ => "return " + Tasks + "Task.FromResult<" + resultType + ">(default!);",
            };
        }

        string exception = Wasm.Abi + "WasmBinding.ExportNotPresent(_runtime.Info, " + Wasm.Literal(export.ExportName) + ")";
        string generic = resultType is null ? string.Empty : "<" + resultType + ">";
        return export.Shape switch
        {
            ResultShape.Synchronous => "throw " + exception + ";",
            ResultShape.ValueTask => "return " + Tasks + "ValueTask.FromException" + generic + "(" + exception + ");",
            _ => "return " + Tasks + "Task.FromException" + generic + "(" + exception + ");",
        };
    }

    private static void EmitCaseMethod(SourceWriter writer, ExportSpec export, UnionCaseSpec union, Plan plan)
    {
        IEnumerable<string> parameters = union.Parameters.Select(p => p.Type + " " + p.Name).Concat([CancellationToken + " cancellationToken"]);
        writer.Line("public " + ReturnType(export.Shape, union.ResultType) + " " + union.MethodName + "(" + string.Join(", ", parameters) + ")");
        string operationType = plan.OperationNames[export] + "<" + union.ResultType + ">";
        string request = "new " + union.CaseType + "(" + string.Join(", ", union.Parameters.Select(p => p.Name)) + ")";
        string operation = "new " + operationType + "(this, " + request + ", " + plan.JsonInfos[union.ResultType] + ")";
        EmitBody(writer, export, plan, union.ResultType, Invocation(export.Shape, operationType, union.ResultType, operation, "cancellationToken"));
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

        if (plan.Abi == AbiKind.FixedOffset && inputs.Any(Wasm.IsBuffer))
        {
            EmitFixedOffsetBody(writer, export, plan, inputs, generic);
        }
        else
        {
            EmitPackedBody(writer, export, plan, inputs, generic);
        }

        writer.CloseBrace();
        writer.CloseBrace();
    }

    private static void EmitPackedBody(SourceWriter writer, ExportSpec export, Plan plan, List<ValueSpec> inputs, bool generic)
    {
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
            string purpose = Purpose(input, export);
            string write = input.Kind switch
            {
                PayloadKind.Utf8 => Wasm.Abi + "Utf8Payload.Write(call, " + field + ", " + purpose + ")",
                PayloadKind.Json => Wasm.Abi + "JsonPayload.Write(call, " + field + ", _client." + plan.JsonWriter(input) + ", " + purpose + ")",
                PayloadKind.BytesMemory => Wasm.Abi + "BytesPayload.Write(call, " + field + ".Span, " + purpose + ")",
                _ => Wasm.Abi + "BytesPayload.Write(call, " + field + ", " + purpose + ")",
            };
            writer.Line(Wasm.Abi + "GuestBuffer " + buffer + " = " + write + ";");
            arguments.Add(buffer + ".WasmPointer");
            arguments.Add(buffer + ".WasmLength");
            buffers.Add(buffer);
        }

        string call = ExportCall(export, plan, arguments);
        WasmScalar wasmResult = Wasm.ExportResult(export, plan.Abi);
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
        string info = ResultInfo(export, plan, generic);
        writer.Line(export.Result.Kind switch
        {
            PayloadKind.None => "return default;",
            PayloadKind.Scalar => "return " + Wasm.FromWasm(export.Result, "result") + ";",
            PayloadKind.Utf8 => "return " + Wasm.Abi + "Utf8Payload.Take(call, result, " + region + ");",
            PayloadKind.Bytes or PayloadKind.BytesMemory => "return " + Wasm.Abi + "BytesPayload.Take(call, result, " + region + ");",
            _ when export.Envelope == EnvelopeKind.Status => "return " + Wasm.Abi + "StatusEnvelope.Take(call, result, " + info + ", " + region + ");",
            _ when export.Envelope == EnvelopeKind.ErrorMember => "return " + Wasm.Abi + "ErrorEnvelope.Take(call, result, " + info + ", " + region + ");",
            _ when export.Result.IsNullable => "return " + Wasm.Abi + "JsonPayload.TakeOptional(call, result, " + info + ", " + region + ");",
            _ => "return " + Wasm.Abi + "JsonPayload.Take(call, result, " + info + ", " + region + ");",
        });
    }

    // The input goes to the contract's input offset; the result is read where the export says, with
    // the length from the result-length export or the input's. Nothing is allocated or freed.
    private static void EmitFixedOffsetBody(SourceWriter writer, ExportSpec export, Plan plan, List<ValueSpec> inputs, bool generic)
    {
        string offset = plan.InputOffset.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var arguments = new List<string>();
        string length = "inputLength";
        foreach (ValueSpec input in inputs)
        {
            string field = "_" + input.Name.TrimStart('@');
            if (input.Kind == PayloadKind.Scalar)
            {
                arguments.Add(Wasm.ToWasm(input, field));
                continue;
            }

            string purpose = Purpose(input, export);
            string write = input.Kind switch
            {
                PayloadKind.Utf8 => Wasm.Abi + "FixedOffset.WriteUtf8(call, " + field + ", " + offset + ", " + purpose + ")",
                PayloadKind.Json => Wasm.Abi + "FixedOffset.WriteJson(call, " + field + ", _client." + plan.JsonWriter(input) + ", " + offset + ", " + purpose + ")",
                PayloadKind.BytesMemory => Wasm.Abi + "FixedOffset.WriteInput(call, " + field + ".Span, " + offset + ", " + purpose + ")",
                _ => Wasm.Abi + "FixedOffset.WriteInput(call, " + field + ", " + offset + ", " + purpose + ")",
            };
            writer.Line("int " + length + " = " + write + ";");
            arguments.Add(offset);
            arguments.Add(length);
        }

        string call = ExportCall(export, plan, arguments);
        if (export.Result.Kind == PayloadKind.None)
        {
            writer.Line(call + ";");
            writer.Line("return default;");
            return;
        }

        string region = Wasm.Literal("result of " + export.ExportName);
        writer.Line("int resultOffset = " + call + ";");
        writer.Line(Wasm.Abi + "GuestBuffer result = " + Wasm.Abi + "FixedOffset.TakeResult(call, resultOffset, " + length + ", call.Exports." + plan.ResultLengthField + ", " + region + ");");
        writer.Line("if (result.IsEmpty)").OpenBrace();
        writer.Line("return default;");
        writer.CloseBrace();
        writer.Line();
        string info = ResultInfo(export, plan, generic);
        writer.Line(export.Result.Kind switch
        {
            PayloadKind.Utf8 => "return " + Wasm.Abi + "Utf8Payload.Read(call, result, " + region + ");",
            PayloadKind.Bytes or PayloadKind.BytesMemory => "return " + Wasm.Abi + "BytesPayload.Read(call, result, " + region + ");",
            _ when export.Envelope == EnvelopeKind.Status => "return " + Wasm.Abi + "StatusEnvelope.Read(call, result, " + info + ", " + region + ");",
            _ when export.Envelope == EnvelopeKind.ErrorMember => "return " + Wasm.Abi + "ErrorEnvelope.ReadOptional(call, result, " + info + ", " + region + ");",
            _ => "return " + Wasm.Abi + "JsonPayload.ReadOptional(call, result, " + info + ", " + region + ");",
        });
    }

    private static string ExportCall(ExportSpec export, Plan plan, List<string> arguments)
        => "call.Exports." + plan.FieldNames[export] + (export.WhenMissing == MissingExportKind.RefuseModule ? string.Empty : "!") + "(" + string.Join(", ", arguments) + ")";

    private static string ResultInfo(ExportSpec export, Plan plan, bool generic)
        => generic ? "_resultInfo" : export.Result.JsonType is { } jsonType ? "_client." + plan.JsonInfos[jsonType] : string.Empty;

    private static string Purpose(ValueSpec input, ExportSpec export) => Wasm.Literal(input.Name.TrimStart('@') + " of " + export.ExportName);

    private static void EmitExports(SourceWriter writer, ContractSpec contract, Plan plan)
    {
        writer.Line("private sealed class " + ExportsName).OpenBrace();
        foreach (ExportSpec export in contract.Exports)
        {
            string optional = export.WhenMissing == MissingExportKind.RefuseModule ? string.Empty : "?";
            writer.Line("public readonly " + DelegateType(export, contract.Abi) + optional + " " + plan.FieldNames[export] + ";");
        }

        if (plan.ResultLengthField is { } resultLength)
        {
            writer.Line("public readonly global::System.Func<int, int>? " + resultLength + ";");
        }

        writer.Line();
        writer.Line("public " + ExportsName + "(global::Wasmtime.Instance instance)").OpenBrace();
        foreach (ExportSpec export in contract.Exports)
        {
            List<WasmScalar> parameters = Wasm.ParameterTypes(export.Parameters);
            WasmScalar result = Wasm.ExportResult(export, contract.Abi);
            var generics = parameters.Select(Wasm.ClrType).ToList();
            if (result != WasmScalar.None)
            {
                generics.Add(Wasm.ClrType(result));
            }

            string getter = (result == WasmScalar.None ? "GetAction" : "GetFunction") + (generics.Count == 0 ? string.Empty : "<" + string.Join(", ", generics) + ">");
            string bind = plan.FieldNames[export] + " = instance." + getter + "(" + Wasm.Literal(export.ExportName) + ")";
            if (export.WhenMissing != MissingExportKind.RefuseModule)
            {
                // Optional: absent stays null, and the client checks before it calls.
                writer.Line(bind + ";");
                continue;
            }

            writer.Line(bind);
            writer.Indent();
            writer.Line("?? throw " + Wasm.Abi + "WasmBinding.MissingExport(" + Wasm.Literal(contract.Type.HintName) + ", " + Wasm.Literal(export.ExportName) + ", " + Wasm.Literal(Wasm.Signature(parameters, result)) + ");");
            writer.Outdent();
        }

        if (plan.ResultLengthField is { } field)
        {
            writer.Line(field + " = instance.GetFunction<int, int>(" + Wasm.Literal(contract.ResultLengthExport) + ");");
        }

        writer.CloseBrace();
        writer.CloseBrace();
    }

    private static string DelegateType(ExportSpec export, AbiKind abi)
    {
        var generics = Wasm.ParameterTypes(export.Parameters).Select(Wasm.ClrType).ToList();
        WasmScalar result = Wasm.ExportResult(export, abi);
        if (result == WasmScalar.None)
        {
            return "global::System.Action" + (generics.Count == 0 ? string.Empty : "<" + string.Join(", ", generics) + ">");
        }

        generics.Add(Wasm.ClrType(result));
        return "global::System.Func<" + string.Join(", ", generics) + ">";
    }

    private static string ReturnType(ResultShape shape, string? result) => shape switch
    {
        ResultShape.ValueTask => result is null ? "global::System.Threading.Tasks.ValueTask" : "global::System.Threading.Tasks.ValueTask<" + result + ">",
        ResultShape.Task => result is null ? "global::System.Threading.Tasks.Task" : "global::System.Threading.Tasks.Task<" + result + ">",
        _ => result ?? "void",
    };

    private static string Camel(string name) => char.ToLowerInvariant(name[0]) + name.Substring(1);

    private static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    /// <summary>Names chosen once per contract: JSON metadata fields, operation structs, export fields.</summary>
    private sealed class Plan
    {
        public Plan(ContractSpec contract)
        {
            Abi = contract.Abi;
            InputOffset = contract.InputOffset;
            JsonInfos = Wasm.JsonInfoNames(
                contract.Exports.SelectMany(export => export.Parameters.Select(p => p.JsonType)
                    .Concat([export.Result.JsonType])
                    .Concat(export.UnionCases.Select(c => c.ResultType))),
                "_");

            // A union input is written through its cases' own metadata (WasmJsonUnion), next to its Info field.
            foreach (ExportSpec export in contract.Exports)
            {
                if (export.Parameters.FirstOrDefault(p => p.Name.TrimStart('@') == export.UnionParameter) is { JsonType: { } union })
                {
                    string info = JsonInfos[union];
                    int suffix = info.LastIndexOf("Info", System.StringComparison.Ordinal);
                    Unions[union] = info.Substring(0, suffix) + "Union" + info.Substring(suffix + 4);
                }
            }

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
                if (export.WhenMissing != MissingExportKind.RefuseModule)
                {
                    string has = "Has" + stem;
                    for (int i = 2; !members.Add(has); i++)
                    {
                        has = "Has" + stem + i;
                    }

                    HasNames[export] = has;
                }
            }

            if (Abi == AbiKind.FixedOffset && contract.Exports.Any(e => e.Parameters.Any(Wasm.IsBuffer) && Wasm.IsBuffer(e.Result)))
            {
                string field = "ResultLength";
                for (int i = 2; !members.Add(field); i++)
                {
                    field = "ResultLength" + i;
                }

                ResultLengthField = field;
            }
        }

        public AbiKind Abi { get; }

        public int InputOffset { get; }

        /// <summary>The bound result-length export, when a fixed-offset export returns a payload.</summary>
        public string? ResultLengthField { get; }

        /// <summary>The <c>Has…</c> property of each optional export, in contract order.</summary>
        public Dictionary<ExportSpec, string> HasNames { get; } = [];

        public Dictionary<string, string> JsonInfos { get; }

        /// <summary>The <c>WasmJsonUnion</c> field of each union input type.</summary>
        public Dictionary<string, string> Unions { get; } = [];

        /// <summary>What writes a JSON input: its union field, or its metadata field.</summary>
        public string JsonWriter(ValueSpec input)
            => Unions.TryGetValue(input.JsonType!, out string? union) ? union : JsonInfos[input.JsonType!];

        public Dictionary<ExportSpec, string> FieldNames { get; } = [];

        public Dictionary<ExportSpec, string> OperationNames { get; } = [];
    }
}
