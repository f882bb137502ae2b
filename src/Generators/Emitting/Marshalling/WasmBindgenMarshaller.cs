using System.Collections.Generic;
using Airlock.Generators.Infrastructure;
using Airlock.Generators.Model;

namespace Airlock.Generators.Emitting.Marshalling;

/// <summary>
/// The wasm-bindgen ABI of Rust <c>#[wasm_bindgen]</c> exports: each buffer argument is allocated with
/// <c>__wbindgen_malloc</c> and passed as <c>(ptr, len)</c>, and from then on belongs to the callee,
/// so the host never frees it. A buffer result is written as <c>(ptr, len)</c> to a return slot
/// passed as the first parameter (the export itself returns nothing); the host reads it from there
/// and frees it with <c>__wbindgen_free</c>, exactly like a packed result. Scalars travel as values.
/// Host functions follow the packed ABI (wasm-bindgen has no convention for a host returning a buffer).
/// </summary>
internal sealed class WasmBindgenMarshaller : AbiMarshaller
{
    public static readonly WasmBindgenMarshaller Instance = new();

    // The type a buffer result has as a host function's result (the packed ABI's).
    protected override WasmScalar BufferResult => WasmScalar.I64;

    public override List<WasmScalar> ExportParameters(ExportSpec export)
    {
        List<WasmScalar> parameters = Wasm.ParameterTypes(export.Parameters);
        if (Wasm.IsResultBuffer(export.Result))
        {
            parameters.Insert(0, WasmScalar.I32);
        }

        return parameters;
    }

    public override WasmScalar ExportResult(ExportSpec export)
        => Wasm.IsResultBuffer(export.Result) ? WasmScalar.None : Result(export.Result);

    public override void EmitInvoke(SourceWriter writer, OperationShape operation)
    {
        var arguments = new List<string>();
        bool slot = Wasm.IsResultBuffer(operation.Export.Result);
        if (slot)
        {
            writer.Line("int returnSlot = " + Abi + "WasmBindgen.ReturnSlot(call);");
            arguments.Add("returnSlot");
        }

        foreach (ValueSpec input in operation.Inputs)
        {
            string field = OperationShape.Field(input);
            if (input.Kind == PayloadKind.Scalar)
            {
                arguments.Add(Wasm.ToWasm(input, field));
                continue;
            }

            // Handed over to the callee, which frees it: the host must not free it again.
            string buffer = input.Name.TrimStart('@') + "Buffer";
            writer.Line(Abi + "GuestBuffer " + buffer + " = " + PackedPtrLenMarshaller.WriteInput(operation, input, field) + ";");
            arguments.Add(Abi + "WasmBindgen.Pointer(" + buffer + ")");
            arguments.Add(buffer + ".WasmLength");
        }

        if (!slot)
        {
            EmitCallAndTake(writer, operation, arguments, [], ExportResult(operation.Export));
            return;
        }

        writer.Line(operation.ExportCall(arguments) + ";");
        writer.Line("long result = " + Abi + "WasmBindgen.TakeReturn(call, returnSlot, " + operation.ResultRegion + ");");
        EmitTake(writer, operation);
    }

    public override string ImportReturn(HostSpec host, ImportSpec import, IReadOnlyDictionary<string, string> jsonInfos, string purpose)
        => PackedPtrLenMarshaller.Instance.ImportReturn(host, import, jsonInfos, purpose);
}
