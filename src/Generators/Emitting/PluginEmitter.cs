using System.Collections.Generic;
using System.Linq;
using Airlock.Generators.Emitting.Marshalling;
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
    private const string ClientName = BindingPlan.ClientName;
    private const string ExportsName = BindingPlan.ExportsName;
    private const string CancellationToken = "global::System.Threading.CancellationToken";

    // Wasmtime's typed Instance getters take at most five parameters; Function.Wrap* takes more.
    private const int MaxInstanceGetterParameters = 5;
    private const string JsonTypeInfo = "global::System.Text.Json.Serialization.Metadata.JsonTypeInfo";

    public static string Emit(ContractSpec contract)
    {
        var plan = new BindingPlan(contract);
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
                writer.Line("/// Whether the plugin exports <c>" + Escape(export.ExportName) + "</c>. When it does not, <see cref=\"" + (export.DeclaringType is { } declaring ? declaring.Replace("global::", string.Empty) + "." : string.Empty) + export.MethodName + "\"/> "
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

    private static void EmitClient(SourceWriter writer, ContractSpec contract, BindingPlan plan)
    {
        writer.Line(Wasm.GeneratedCode);
        writer.Line("private sealed class " + ClientName + " : " + contract.Type.FullName).OpenBrace();
        EmitDescriptor(writer, contract, plan.Marshaller);
        writer.Line();
        writer.Line("private readonly " + Wasm.Abi + "WasmPluginRuntime<" + ExportsName + "> _runtime;");
        foreach (KeyValuePair<string, string> info in plan.JsonInfos)
        {
            writer.Line("private readonly " + JsonTypeInfo + "<" + info.Key + "> " + info.Value + ";");
        }

        foreach (KeyValuePair<string, string> reader in plan.Readers)
        {
            writer.Line("private readonly " + Wasm.Abi + "WasmJsonReader<" + reader.Key + "> " + reader.Value + ";");
        }

        foreach (KeyValuePair<string, string> union in plan.Unions)
        {
            writer.Line("private readonly " + Wasm.Abi + "WasmJsonUnion<" + union.Key + "> " + union.Value + ";");
        }

        foreach (KeyValuePair<ExportSpec, string> has in plan.HasNames)
        {
            writer.Line("private readonly bool _" + Camel(has.Value) + ";");
        }

        foreach ((string _, string direct) in plan.CaseWriters.Values)
        {
            writer.Line("private readonly bool " + direct + ";");
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

            foreach (KeyValuePair<string, string> reader in plan.Readers)
            {
                string info = plan.JsonInfos[reader.Key];
                writer.Line(reader.Value + " = " + (plan.ReaderClasses.TryGetValue(reader.Key, out JsonReaderSpec? spec)
                    ? "new " + spec.ClassName + "(" + info + ")"
                    : Wasm.Abi + "WasmJsonReader<" + reader.Key + ">.FromMetadata(" + info + ")") + ";");
            }

            foreach (KeyValuePair<string, string> union in plan.Unions)
            {
                writer.Line(union.Value + " = new " + Wasm.Abi + "WasmJsonUnion<" + union.Key + ">(" + plan.JsonInfos[union.Key] + ");");
            }

            foreach (ExportSpec export in contract.Exports)
            {
                foreach (UnionCaseSpec unionCase in export.UnionCases)
                {
                    if (plan.CaseWriters.TryGetValue(unionCase, out (string Type, string Direct) caseWriter))
                    {
                        string union = plan.Unions[UnionType(export)];
                        writer.Line(caseWriter.Direct + " = " + union + ".CanWriteMembers<" + caseWriter.Type + ">(" + caseWriter.Type + ".Members);");
                    }
                }
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
            if (export.UnionCases.Any(plan.CaseWriters.ContainsKey))
            {
                writer.Line();
                EmitOperation(writer, export, plan, caseWriter: true);
            }

            foreach (UnionCaseSpec unionCase in export.UnionCases)
            {
                if (plan.CaseWriters.TryGetValue(unionCase, out (string Type, string Direct) caseWriter))
                {
                    writer.Line();
                    CaseWriterEmitter.Emit(writer, unionCase, caseWriter.Type, UnionType(export));
                }
            }
        }

        foreach (JsonReaderSpec reader in plan.ReaderClasses.Values)
        {
            writer.Line();
            JsonReaderEmitter.Emit(writer, reader);
        }

        writer.Line();
        EmitExports(writer, contract, plan);
        writer.CloseBrace();
    }

    private static void EmitDescriptor(SourceWriter writer, ContractSpec contract, AbiMarshaller marshaller)
    {
        writer.Line("internal static readonly " + Wasm.Abi + "WasmContract Contract = new " + Wasm.Abi + "WasmContract(");
        writer.Indent();
        writer.Line(Wasm.Literal(contract.Type.HintName) + ",");
        writer.Line(Wasm.AbiValue(contract.Abi) + ",");
        writer.Line("new " + Wasm.Abi + "WasmExportDescriptor[]").OpenBrace();
        foreach (ExportSpec export in contract.Exports)
        {
            string optional = export.WhenMissing == MissingExportKind.RefuseModule ? string.Empty : ", IsRequired: false";
            writer.Line("new " + Wasm.Abi + "WasmExportDescriptor(" + Wasm.Literal(export.ExportName) + ", " + Wasm.FunctionType(marshaller.ExportParameters(export), marshaller.ExportResult(export)) + optional + "),");
        }

        writer.CloseBrace(",");
        writer.Line("new " + Wasm.Abi + "WasmHostModule[]").OpenBrace();
        foreach (string import in contract.Imports)
        {
            writer.Line(Wasm.Abi + "WasmHostModule.Of<" + import + ">(),");
        }

        marshaller.EndContractDescriptor(writer, contract, WasiInitializer(contract));
        writer.Outdent();
    }

    // The contract descriptor's optional properties, written only when they differ from their defaults.
    private static string WasiInitializer(ContractSpec contract)
    {
        var properties = new List<string>();
        if (!contract.AllowsWasi)
        {
            properties.Add("AllowsWasi = false");
        }

        if (!contract.UsesGuestMemory)
        {
            properties.Add("UsesGuestMemory = false");
        }

        if (contract.Abi == AbiKind.PackedPtrLen && contract.AllocExport != Airlock.Wasm.PackedAbiExports.DefaultAlloc)
        {
            properties.Add("AllocExport = " + Wasm.Literal(contract.AllocExport));
        }

        if (contract.Abi == AbiKind.PackedPtrLen && contract.FreeExport != Airlock.Wasm.PackedAbiExports.DefaultFree)
        {
            properties.Add("FreeExport = " + Wasm.Literal(contract.FreeExport));
        }

        if (contract.WireHash is { } hash)
        {
            properties.Add("BindingsHash = " + Wasm.Literal(hash));
        }

        return properties.Count == 0 ? string.Empty : " { " + string.Join(", ", properties) + " }";
    }

    private static void EmitMethod(SourceWriter writer, ExportSpec export, BindingPlan plan)
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
            arguments.Add(plan.Readers[export.Result.JsonType!]);
        }

        string token = export.Parameters.FirstOrDefault(p => p.Kind == PayloadKind.CancellationToken)?.Name ?? CancellationToken + ".None";
        EmitBody(writer, export, plan, resultType, Invocation(export.Shape, operationType, resultType, "new " + operationType + "(" + string.Join(", ", arguments) + ")", token));
    }

    // An expression body, or for an optional export a block that first checks the export is there.
    private static void EmitBody(SourceWriter writer, ExportSpec export, BindingPlan plan, string? resultType, string invocation)
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

    private static void EmitCaseMethod(SourceWriter writer, ExportSpec export, UnionCaseSpec union, BindingPlan plan)
    {
        IEnumerable<string> parameters = union.Parameters.Select(p => p.Type + " " + p.Name).Concat([CancellationToken + " cancellationToken"]);
        writer.Line("public " + ReturnType(export.Shape, union.ResultType) + " " + union.MethodName + "(" + string.Join(", ", parameters) + ")");
        string arguments = string.Join(", ", union.Parameters.Select(p => p.Name));
        string operationType, operation;
        if (plan.CaseWriters.TryGetValue(union, out (string Type, string Direct) caseWriter))
        {
            operationType = plan.OperationNames[export] + "<" + union.ResultType + ", " + caseWriter.Type + ">";
            string caseValue = union.WritesArguments ? arguments : "new " + union.CaseType + "(" + arguments + ")";
            operation = "new " + operationType + "(this, new " + caseWriter.Type + "(" + caseValue + "), " + caseWriter.Direct + ", " + plan.Readers[union.ResultType] + ")";
        }
        else
        {
            operationType = plan.OperationNames[export] + "<" + union.ResultType + ">";
            operation = "new " + operationType + "(this, new " + union.CaseType + "(" + arguments + "), " + plan.Readers[union.ResultType] + ")";
        }

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

    // The operation of an export; with caseWriter, the variant per-case methods use when the case is
    // written from their arguments (the union input is a TCase struct, _direct the union's verdict on it).
    private static void EmitOperation(SourceWriter writer, ExportSpec export, BindingPlan plan, bool caseWriter = false)
    {
        bool generic = export.UnionCases.Count > 0;
        string result = generic ? "TResult" : export.Result.Kind == PayloadKind.None ? Wasm.Abi + "WasmVoid" : export.Result.Type;
        string name = plan.OperationNames[export] + (caseWriter ? "<TResult, TCase>" : generic ? "<TResult>" : string.Empty);
        List<ValueSpec> inputs = export.Parameters.Where(p => p.Kind != PayloadKind.CancellationToken).ToList();
        string InputType(ValueSpec input) => caseWriter && input.Name.TrimStart('@') == export.UnionParameter ? "TCase" : input.Type;

        writer.Line("private readonly struct " + name + " : " + Wasm.Abi + "IWasmOperation<" + ExportsName + ", " + result + ">");
        if (caseWriter)
        {
            writer.Indent();
            writer.Line("where TCase : struct, " + Wasm.Abi + "IWasmUnionCase<" + UnionType(export) + ">");
            writer.Outdent();
        }

        writer.OpenBrace();
        writer.Line("private readonly " + ClientName + " _client;");
        foreach (ValueSpec input in inputs)
        {
            writer.Line("private readonly " + InputType(input) + " _" + input.Name.TrimStart('@') + ";");
        }

        if (caseWriter)
        {
            writer.Line("private readonly bool _direct;");
        }

        if (generic)
        {
            writer.Line("private readonly " + Wasm.Abi + "WasmJsonReader<TResult> _resultReader;");
        }

        writer.Line();
        IEnumerable<string> constructorParameters = new[] { ClientName + " client" }
            .Concat(inputs.Select(p => InputType(p) + " " + p.Name))
            .Concat(caseWriter ? ["bool direct"] : [])
            .Concat(generic ? [Wasm.Abi + "WasmJsonReader<TResult> resultReader"] : []);
        writer.Line("public " + plan.OperationNames[export] + "(" + string.Join(", ", constructorParameters) + ")").OpenBrace();
        writer.Line("_client = client;");
        foreach (ValueSpec input in inputs)
        {
            writer.Line("_" + input.Name.TrimStart('@') + " = " + input.Name + ";");
        }

        if (caseWriter)
        {
            writer.Line("_direct = direct;");
        }

        if (generic)
        {
            writer.Line("_resultReader = resultReader;");
        }

        writer.CloseBrace();
        writer.Line();
        writer.Line("public string Export => " + Wasm.Literal(export.ExportName) + ";");
        writer.Line();
        writer.Line("public " + result + " Invoke(" + Wasm.Abi + "GuestCall<" + ExportsName + "> call)").OpenBrace();

        plan.Marshaller.EmitInvoke(writer, new OperationShape(export, plan, generic) { CaseWriter = caseWriter });
        writer.CloseBrace();
        writer.CloseBrace();
    }

    // The union input's type, fully qualified.
    private static string UnionType(ExportSpec export)
        => export.Parameters.First(p => p.Name.TrimStart('@') == export.UnionParameter).JsonType!;

    private static void EmitExports(SourceWriter writer, ContractSpec contract, BindingPlan plan)
    {
        writer.Line("private sealed class " + ExportsName).OpenBrace();
        foreach (ExportSpec export in contract.Exports)
        {
            string optional = export.WhenMissing == MissingExportKind.RefuseModule ? string.Empty : "?";
            writer.Line("public readonly " + DelegateType(export, plan.Marshaller) + optional + " " + plan.FieldNames[export] + ";");
        }

        foreach (KeyValuePair<AbiMarshaller.ExtraExport, string> extra in plan.ExtraExportFields)
        {
            writer.Line("public readonly " + extra.Key.DelegateType + " " + extra.Value + ";");
        }

        writer.Line();
        writer.Line("public " + ExportsName + "(global::Wasmtime.Instance instance)").OpenBrace();
        foreach (ExportSpec export in contract.Exports)
        {
            List<WasmScalar> parameters = plan.Marshaller.ExportParameters(export);
            WasmScalar result = plan.Marshaller.ExportResult(export);
            var generics = parameters.Select(Wasm.ClrType).ToList();
            if (result != WasmScalar.None)
            {
                generics.Add(Wasm.ClrType(result));
            }

            string typeArguments = generics.Count == 0 ? string.Empty : "<" + string.Join(", ", generics) + ">";
            string bind = parameters.Count <= MaxInstanceGetterParameters
                ? plan.FieldNames[export] + " = instance." + (result == WasmScalar.None ? "GetAction" : "GetFunction") + typeArguments + "(" + Wasm.Literal(export.ExportName) + ")"
                : plan.FieldNames[export] + " = instance.GetFunction(" + Wasm.Literal(export.ExportName) + ")?." + (result == WasmScalar.None ? "WrapAction" : "WrapFunc") + typeArguments + "()";
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

        foreach (KeyValuePair<AbiMarshaller.ExtraExport, string> extra in plan.ExtraExportFields)
        {
            writer.Line(extra.Value + " = instance." + extra.Key.Getter + "(" + Wasm.Literal(extra.Key.ExportName) + ");");
        }

        writer.CloseBrace();
        writer.CloseBrace();
    }

    private static string DelegateType(ExportSpec export, AbiMarshaller marshaller)
    {
        var generics = marshaller.ExportParameters(export).Select(Wasm.ClrType).ToList();
        WasmScalar result = marshaller.ExportResult(export);
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
}
