using System.Collections.Generic;
using System.Linq;
using Airlock.Generators.Emitting.Marshalling;
using Airlock.Generators.Model;

namespace Airlock.Generators.Emitting;

/// <summary>
/// Names chosen once per contract (JSON metadata fields, operation structs, export fields) and the
/// marshaller of its ABI.
/// </summary>
internal sealed class BindingPlan
{
    public const string ClientName = "AirlockClient";
    public const string ExportsName = "BoundExports";

    public BindingPlan(ContractSpec contract)
    {
        Contract = contract;
        Marshaller = AbiMarshaller.For(contract.Abi);
        JsonInfos = Wasm.JsonInfoNames(
            contract.Exports.SelectMany(export => export.Parameters.Select(p => p.JsonType)
                .Concat([export.Result.JsonType])
                .Concat(export.UnionCases.Select(c => c.ResultType))),
            "_");

        // Every JSON result is read through a WasmJsonReader: generated when the type allows, else its metadata.
        var resultTypes = contract.Exports.Select(export => export.Result.JsonType)
            .Concat(contract.Exports.SelectMany(export => export.UnionCases.Select(c => c.ResultType)));
        foreach (string? resultType in resultTypes)
        {
            if (resultType is not null && !Readers.ContainsKey(resultType))
            {
                string info = JsonInfos[resultType];
                Readers[resultType] = info.Substring(0, info.LastIndexOf("Info", System.StringComparison.Ordinal)) + "Reader" + info.Substring(info.LastIndexOf("Info", System.StringComparison.Ordinal) + 4);
            }
        }

        var readerClasses = new HashSet<string>();
        foreach (JsonReaderSpec reader in contract.Readers)
        {
            if (Readers.ContainsKey(reader.Type))
            {
                ReaderClasses[reader.Type] = reader with { ClassName = Unique(readerClasses, reader.ClassName) };
            }
        }

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

        // A union case with a generated writer: a struct of the method's arguments and the union's verdict on it.
        foreach (ExportSpec export in contract.Exports)
        {
            foreach (UnionCaseSpec unionCase in export.UnionCases)
            {
                if (unionCase.Writer is not null)
                {
                    string stem = unionCase.MethodName.EndsWith("Async", System.StringComparison.Ordinal) ? unionCase.MethodName.Substring(0, unionCase.MethodName.Length - 5) : unionCase.MethodName;
                    string type = Unique(members, stem + "Case");
                    CaseWriters[unionCase] = (type, "_" + char.ToLowerInvariant(type[0]) + type.Substring(1) + "Direct");
                }
            }
        }

        foreach (ExportSpec export in contract.Exports)
        {
            string stem = export.MethodName.EndsWith("Async", System.StringComparison.Ordinal) && export.MethodName.Length > 5
                ? export.MethodName.Substring(0, export.MethodName.Length - 5)
                : export.MethodName;
            FieldNames[export] = Unique(members, stem);
            OperationNames[export] = Unique(members, stem + "Operation");
            if (export.WhenMissing != MissingExportKind.RefuseModule)
            {
                HasNames[export] = Unique(members, "Has" + stem);
            }
        }

        foreach (AbiMarshaller.ExtraExport extra in Marshaller.ExtraExports(contract))
        {
            ExtraExportFields[extra] = Unique(members, extra.Field);
        }
    }

    public ContractSpec Contract { get; }

    /// <summary>How the contract's ABI moves arguments and results.</summary>
    public AbiMarshaller Marshaller { get; }

    /// <summary>The fields of the exports the ABI needs besides the contract's own (such as a result-length export).</summary>
    public Dictionary<AbiMarshaller.ExtraExport, string> ExtraExportFields { get; } = [];

    /// <summary>The <c>Has…</c> property of each optional export, in contract order.</summary>
    public Dictionary<ExportSpec, string> HasNames { get; } = [];

    public Dictionary<string, string> JsonInfos { get; }

    /// <summary>The <c>WasmJsonReader</c> field of each JSON result type.</summary>
    public Dictionary<string, string> Readers { get; } = [];

    /// <summary>The generated reader of each result type that has one, with its class name made unique.</summary>
    public Dictionary<string, JsonReaderSpec> ReaderClasses { get; } = [];

    /// <summary>The case-writer struct of each union case that has one, and the client's field that says whether it may write.</summary>
    public Dictionary<UnionCaseSpec, (string Type, string DirectField)> CaseWriters { get; } = [];

    /// <summary>The <c>WasmJsonUnion</c> field of each union input type.</summary>
    public Dictionary<string, string> Unions { get; } = [];

    public Dictionary<ExportSpec, string> FieldNames { get; } = [];

    public Dictionary<ExportSpec, string> OperationNames { get; } = [];

    /// <summary>What writes a JSON input: its union field, or its metadata field.</summary>
    public string JsonWriter(ValueSpec input)
        => Unions.TryGetValue(input.JsonType!, out string? union) ? union : JsonInfos[input.JsonType!];

    private static string Unique(HashSet<string> members, string name)
    {
        string unique = name;
        for (int i = 2; !members.Add(unique); i++)
        {
            unique = name + i;
        }

        return unique;
    }
}
