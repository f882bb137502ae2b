using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Airlock.Generators.Infrastructure;
using Airlock.Generators.Model;

namespace Airlock.Generators.Emitting.Marshalling;

/// <summary>
/// The fixed-offset ABI: an input is written at the contract's input offset and the export returns
/// its result's offset (0: no change), with the length from the result-length export or the input's.
/// Nothing is allocated or freed. Host functions write a buffer result at their module's result
/// offset and return its length.
/// </summary>
internal sealed class FixedOffsetMarshaller : AbiMarshaller
{
    public static readonly FixedOffsetMarshaller Instance = new();

    private const string ResultLengthField = "ResultLength";

    protected override WasmScalar BufferResult => WasmScalar.I32;

    /// <summary>An export that takes an input always returns its result's offset, even when the contract ignores the result.</summary>
    public override WasmScalar ExportResult(ExportSpec export)
        => export.Parameters.Any(Wasm.IsBuffer) ? WasmScalar.I32 : Result(export.Result);

    public override IEnumerable<ExtraExport> ExtraExports(ContractSpec contract)
    {
        if (contract.Exports.Any(e => e.Parameters.Any(Wasm.IsBuffer) && Wasm.IsBuffer(e.Result)))
        {
            yield return new ExtraExport(contract.ResultLengthExport, ResultLengthField, "global::System.Func<int, int>?", "GetFunction<int, int>");
        }
    }

    public override void EndContractDescriptor(SourceWriter writer, ContractSpec contract, string initializer)
    {
        writer.CloseBrace(",");
        writer.Line("InputOffset: " + contract.InputOffset + ",");
        writer.Line("ResultLengthExport: " + Wasm.Literal(contract.ResultLengthExport) + ")" + initializer + ";");
    }

    public override void EmitInvoke(SourceWriter writer, OperationShape operation)
    {
        if (!operation.Inputs.Any(Wasm.IsBuffer))
        {
            // Only scalars: a plain call, exactly as under the packed ABI.
            EmitCallAndTake(writer, operation, operation.Inputs.Select(i => Wasm.ToWasm(i, OperationShape.Field(i))).ToList(), [], ExportResult(operation.Export));
            return;
        }

        ExportSpec export = operation.Export;
        string offset = operation.Plan.Contract.InputOffset.ToString(CultureInfo.InvariantCulture);
        var arguments = new List<string>();
        const string Length = "inputLength";
        foreach (ValueSpec input in operation.Inputs)
        {
            string field = OperationShape.Field(input);
            if (input.Kind == PayloadKind.Scalar)
            {
                arguments.Add(Wasm.ToWasm(input, field));
                continue;
            }

            string purpose = operation.Purpose(input);
            string write = input.Kind switch
            {
                PayloadKind.Utf8 => Abi + "FixedOffset.WriteUtf8(call, " + field + ", " + offset + ", " + purpose + ")",
                PayloadKind.Json => Abi + "FixedOffset.WriteJson(call, " + field + ", _client." + operation.Plan.JsonWriter(input) + ", " + offset + ", " + purpose + ")",
                PayloadKind.BytesMemory => Abi + "FixedOffset.WriteInput(call, " + field + ".Span, " + offset + ", " + purpose + ")",
                _ => Abi + "FixedOffset.WriteInput(call, " + field + ", " + offset + ", " + purpose + ")",
            };
            writer.Line("int " + Length + " = " + write + ";");
            arguments.Add(offset);
            arguments.Add(Length);
        }

        string call = operation.ExportCall(arguments);
        if (export.Result.Kind == PayloadKind.None)
        {
            writer.Line(call + ";");
            writer.Line("return default;");
            return;
        }

        string region = operation.ResultRegion;
        writer.Line("int resultOffset = " + call + ";");
        writer.Line(Abi + "GuestBuffer result = " + Abi + "FixedOffset.TakeResult(call, resultOffset, " + Length + ", " + operation.ExtraField(operation.Plan.Contract.ResultLengthExport) + ", " + region + ");");
        writer.Line("if (result.IsEmpty)").OpenBrace();
        writer.Line("return default;");
        writer.CloseBrace();
        writer.Line();
        string info = operation.ResultInfo;
        writer.Line(export.Result.Kind switch
        {
            PayloadKind.Utf8 => "return " + Abi + "Utf8Payload.Read(call, result, " + region + ");",
            PayloadKind.Bytes or PayloadKind.BytesMemory => "return " + Abi + "BytesPayload.Read(call, result, " + region + ");",
            _ when export.Envelope == EnvelopeKind.Status => "return " + Abi + "StatusEnvelope.Read(call, result, " + info + ", " + region + operation.StatusWords + ");",
            _ when export.Envelope == EnvelopeKind.ErrorMember => "return " + Abi + "ErrorEnvelope.ReadOptional(call, result, " + info + ", " + region + ");",
            _ => "return " + Abi + "JsonPayload.ReadOptional(call, result, " + info + ", " + region + ");",
        });
    }

    /// <summary>Only a buffer result is written at the result offset; a scalar travels as the return value.</summary>
    public override bool WritesResult(ImportSpec import) => Wasm.IsBuffer(import.Result);

    /// <summary>A descriptor assumes a function with a result writes it at the offset; a scalar result does not.</summary>
    public override string ImportDescriptorInitializer(ImportSpec import)
        => Result(import.Result) != WasmScalar.None && !WritesResult(import) ? " { WritesResult = false }" : string.Empty;

    public override void EndHostModule(SourceWriter writer, HostSpec host)
    {
        writer.CloseBrace(",");
        writer.Line(Wasm.AbiValue(host.Abi) + ",");
        writer.Line(host.ResultOffset + ");");
    }

    public override string StatusCast => "(int)";

    public override string ImportReturn(HostSpec host, ImportSpec import, IReadOnlyDictionary<string, string> jsonInfos, string purpose)
    {
        string offset = host.ResultOffset.ToString(CultureInfo.InvariantCulture);
        return import.Result.Kind switch
        {
            PayloadKind.Scalar => Wasm.ToWasm(import.Result, "result"),
            PayloadKind.Utf8 => Abi + "FixedOffset.ReturnUtf8(guest, result, " + offset + ", " + purpose + ")",
            PayloadKind.Json => Abi + "FixedOffset.ReturnJson(guest, result, " + jsonInfos[import.Result.JsonType!] + ", " + offset + ", " + purpose + ")",
            PayloadKind.BytesMemory => Abi + "FixedOffset.ReturnResult(guest, result.Span, " + offset + ", " + purpose + ")",
            _ => Abi + "FixedOffset.ReturnBytes(guest, result, " + offset + ", " + purpose + ")",
        };
    }
}
