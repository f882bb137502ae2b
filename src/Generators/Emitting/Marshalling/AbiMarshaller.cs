using System.Collections.Generic;
using System.Linq;
using Airlock.Generators.Infrastructure;
using Airlock.Generators.Model;

namespace Airlock.Generators.Emitting.Marshalling;

/// <summary>
/// How one ABI moves a contract's arguments and results across the wasm boundary, in both
/// directions: the wasm signatures it gives exports and host functions, the body of each export's
/// operation, and what a host function returns. Each ABI is one strategy; the emitters hold no ABI
/// branches of their own.
/// </summary>
internal abstract class AbiMarshaller
{
    protected const string Abi = Wasm.Abi;

    /// <summary>The marshaller of <paramref name="abi"/>.</summary>
    public static AbiMarshaller For(AbiKind abi) => abi switch
    {
        AbiKind.FixedOffset => FixedOffsetMarshaller.Instance,
        AbiKind.WasmBindgen => WasmBindgenMarshaller.Instance,
        _ => PackedPtrLenMarshaller.Instance,
    };

    /// <summary>The wasm type a buffer result (string, bytes, JSON) travels as.</summary>
    protected abstract WasmScalar BufferResult { get; }

    /// <summary>The wasm result a value occupies, or <see cref="WasmScalar.None"/>.</summary>
    public WasmScalar Result(ValueSpec value) => value.Kind switch
    {
        PayloadKind.Scalar => value.Scalar,
        _ when Wasm.IsResultBuffer(value) => BufferResult,
        _ => WasmScalar.None,
    };

    /// <summary>The wasm parameters of an export, in order.</summary>
    public virtual List<WasmScalar> ExportParameters(ExportSpec export) => Wasm.ParameterTypes(export.Parameters);

    /// <summary>The wasm result of an export.</summary>
    public virtual WasmScalar ExportResult(ExportSpec export) => Result(export.Result);

    /// <summary>The wasm signature of an export as the module checks compare it.</summary>
    public Airlock.Wasm.WasmFunctionSignature ExportSignature(ExportSpec export)
        => Wasm.FunctionSignature(ExportParameters(export), ExportResult(export));

    /// <summary>Exports the ABI binds besides the contract's own, such as a result-length function.</summary>
    public virtual IEnumerable<ExtraExport> ExtraExports(ContractSpec contract) => [];

    /// <summary>Ends the contract descriptor's constructor call, adding what the ABI needs to describe.</summary>
    public virtual void EndContractDescriptor(SourceWriter writer, ContractSpec contract, string initializer)
        => writer.CloseBrace(")" + initializer + ";");

    /// <summary>Writes the statements of an operation's <c>Invoke(GuestCall call)</c>.</summary>
    public abstract void EmitInvoke(SourceWriter writer, OperationShape operation);

    /// <summary>Whether a host function writes its result into guest memory the guest did not allocate.</summary>
    public virtual bool WritesResult(ImportSpec import) => false;

    /// <summary>An object initializer for a host function's descriptor, when the ABI has something to add.</summary>
    public virtual string ImportDescriptorInitializer(ImportSpec import) => string.Empty;

    /// <summary>Ends the host module descriptor's constructor call, adding what the ABI needs to describe.</summary>
    public virtual void EndHostModule(SourceWriter writer, HostSpec host) => writer.CloseBrace(");");

    /// <summary>The expression a host function returns for its C# <c>result</c>.</summary>
    public abstract string ImportReturn(HostSpec host, ImportSpec import, IReadOnlyDictionary<string, string> jsonInfos, string purpose);

    /// <summary>The cast from a status code (<c>long</c>) to the host function's wasm result.</summary>
    public virtual string StatusCast => string.Empty;

    /// <summary>
    /// The call shared by every ABI for an export whose inputs are all scalars, or whose buffers the
    /// ABI has already written: call, then read the result as the packed ABI returns it.
    /// </summary>
    protected static void EmitCallAndTake(SourceWriter writer, OperationShape operation, List<string> arguments, List<string> buffers, WasmScalar wasmResult)
    {
        string call = operation.ExportCall(arguments);
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

        EmitTake(writer, operation);
    }

    /// <summary>Returns the result from <c>result</c>: a scalar as is, a buffer packed as <c>(ptr &lt;&lt; 32) | len</c>, read and freed.</summary>
    protected static void EmitTake(SourceWriter writer, OperationShape operation)
    {
        ExportSpec export = operation.Export;
        string region = operation.ResultRegion;
        string info = operation.ResultInfo;
        writer.Line(export.Result.Kind switch
        {
            PayloadKind.None => "return default;",
            PayloadKind.Scalar => "return " + Wasm.FromWasm(export.Result, "result") + ";",
            PayloadKind.Utf8 => "return " + Abi + "Utf8Payload.Take(call, result, " + region + ");",
            PayloadKind.Bytes or PayloadKind.BytesMemory => "return " + Abi + "BytesPayload.Take(call, result, " + region + ");",
            _ when export.Envelope == EnvelopeKind.Status => "return " + Abi + "StatusEnvelope.Take(call, result, " + info + ", " + region + operation.StatusWords + ");",
            _ when export.Envelope == EnvelopeKind.ErrorMember => "return " + Abi + "ErrorEnvelope." + (export.Result.IsNullable ? "TakeOptional" : "Take") + "(call, result, " + info + ", " + region + ");",
            _ when export.Result.IsNullable => "return " + Abi + "JsonPayload.TakeOptional(call, result, " + info + ", " + region + ");",
            _ => "return " + Abi + "JsonPayload.Take(call, result, " + info + ", " + region + ");",
        });
    }

    /// <summary>An export the ABI binds besides the contract's own.</summary>
    /// <param name="ExportName">The wasm export's name.</param>
    /// <param name="Field">The preferred name of its field on the bound exports.</param>
    /// <param name="DelegateType">The field's delegate type, nullable when the export is optional.</param>
    /// <param name="Getter">The <c>Instance</c> method that binds it, with its type arguments.</param>
    internal sealed record ExtraExport(string ExportName, string Field, string DelegateType, string Getter);
}

/// <summary>One export's operation as a marshaller sees it: its inputs, and how to name what it uses.</summary>
internal sealed class OperationShape
{
    public OperationShape(ExportSpec export, BindingPlan plan, bool generic)
    {
        Export = export;
        Plan = plan;
        Generic = generic;
        Inputs = export.Parameters.Where(p => p.Kind != PayloadKind.CancellationToken).ToList();
    }

    public ExportSpec Export { get; }

    public BindingPlan Plan { get; }

    /// <summary>Whether the operation is generic over a union case's result type.</summary>
    public bool Generic { get; }

    /// <summary>Whether the union input is a generated case writer (<c>TCase</c>) rather than the union value.</summary>
    public bool CaseWriter { get; init; }

    /// <summary>The parameters that travel to the guest, in order.</summary>
    public List<ValueSpec> Inputs { get; }

    /// <summary>The operation's field holding <paramref name="input"/>.</summary>
    public static string Field(ValueSpec input) => "_" + input.Name.TrimStart('@');

    /// <summary>What an input is called in errors, e.g. <c>"content of plugin_publish"</c>.</summary>
    public string Purpose(ValueSpec input) => Wasm.Literal(input.Name.TrimStart('@') + " of " + Export.ExportName);

    /// <summary>What the result is called in errors.</summary>
    public string ResultRegion => Wasm.Literal("result of " + Export.ExportName);

    /// <summary>
    /// The status envelope's extra arguments when the contract has its own success word or takes errors
    /// without a code; empty for the default (<c>"ok"</c>, code required).
    /// </summary>
    public string StatusWords => Plan.Contract is { SuccessStatus: "ok", ErrorCodeRequired: true }
        ? string.Empty
        : ", " + Wasm.Literal(Plan.Contract.SuccessStatus) + ", " + (Plan.Contract.ErrorCodeRequired ? "true" : "false");

    /// <summary>The reader the JSON result is read with (<c>WasmJsonReader</c>: generated, or the type's metadata).</summary>
    public string ResultInfo
        => Generic ? "_resultReader" : Export.Result.JsonType is { } jsonType ? "_client." + Plan.Readers[jsonType] : string.Empty;

    /// <summary>The call of the bound export with <paramref name="arguments"/>.</summary>
    public string ExportCall(IEnumerable<string> arguments)
        => "call.Exports." + Plan.FieldNames[Export] + (Export.WhenMissing == MissingExportKind.RefuseModule ? string.Empty : "!") + "(" + string.Join(", ", arguments) + ")";

    /// <summary>The field of an extra export the ABI binds.</summary>
    public string ExtraField(string exportName)
        => "call.Exports." + Plan.ExtraExportFields.First(e => e.Key.ExportName == exportName).Value;
}
