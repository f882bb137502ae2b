using System.Collections.Generic;
using Airlock.Generators.Model;

namespace Airlock.Generators.Emitting.Marshalling;

/// <summary>
/// The packed ABI: inputs are allocated with the guest's <c>alloc</c>, passed as <c>(ptr, len)</c> and
/// freed after the call; a buffer result is one <c>i64</c> <c>(ptr &lt;&lt; 32) | len</c> the host takes
/// (reads and frees). Host functions return buffers the same way, allocated in the guest.
/// </summary>
internal sealed class PackedPtrLenMarshaller : AbiMarshaller
{
    public static readonly PackedPtrLenMarshaller Instance = new();

    protected override WasmScalar BufferResult => WasmScalar.I64;

    public override void EmitInvoke(Infrastructure.SourceWriter writer, OperationShape operation)
    {
        var arguments = new List<string>();
        var buffers = new List<string>();
        foreach (ValueSpec input in operation.Inputs)
        {
            string field = OperationShape.Field(input);
            if (input.Kind == PayloadKind.Scalar)
            {
                arguments.Add(Wasm.ToWasm(input, field));
                continue;
            }

            string buffer = input.Name.TrimStart('@') + "Buffer";
            writer.Line(Abi + "GuestBuffer " + buffer + " = " + WriteInput(operation, input, field) + ";");
            arguments.Add(buffer + ".WasmPointer");
            arguments.Add(buffer + ".WasmLength");
            buffers.Add(buffer);
        }

        EmitCallAndTake(writer, operation, arguments, buffers, ExportResult(operation.Export));
    }

    /// <summary>The expression that allocates <paramref name="input"/> in the guest and writes it there.</summary>
    internal static string WriteInput(OperationShape operation, ValueSpec input, string field)
    {
        string purpose = operation.Purpose(input);
        return input.Kind switch
        {
            PayloadKind.Utf8 => Abi + "Utf8Payload.Write(call, " + field + ", " + purpose + ")",
            PayloadKind.Json when operation.CaseWriter && input.Name.TrimStart('@') == operation.Export.UnionParameter
                => Abi + "JsonPayload.Write(call, in " + field + ", _client." + operation.Plan.JsonWriter(input) + ", _direct, " + purpose + ")",
            PayloadKind.Json => Abi + "JsonPayload.Write(call, " + field + ", _client." + operation.Plan.JsonWriter(input) + ", " + purpose + ")",
            PayloadKind.BytesMemory => Abi + "BytesPayload.Write(call, " + field + ".Span, " + purpose + ")",
            _ => Abi + "BytesPayload.Write(call, " + field + ", " + purpose + ")",
        };
    }

    public override string ImportReturn(HostSpec host, ImportSpec import, IReadOnlyDictionary<string, string> jsonInfos, string purpose)
        => import.Result.Kind switch
        {
            PayloadKind.Scalar => Wasm.ToWasm(import.Result, "result"),
            PayloadKind.Utf8 => Abi + "Utf8Payload.Return(guest, result, " + purpose + ")",
            PayloadKind.Json => Abi + "JsonPayload.Return(guest, result, " + jsonInfos[import.Result.JsonType!] + ", " + purpose + ")",
            PayloadKind.BytesMemory => Abi + "BytesPayload.Return(guest, result.Span, " + purpose + ")",
            _ => Abi + "BytesPayload.Return(guest, result, " + purpose + ")",
        };
}
