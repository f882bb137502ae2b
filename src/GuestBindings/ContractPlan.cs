// Compiled into both the guest-bindings generator (net10.0) and the source generator (netstandard2.0, for the wire hash):
// no BCL API newer than netstandard2.0.
using System;
using System.Collections.Generic;
using System.Linq;
using Airlock.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Airlock.GuestBindings;

/// <summary>A parameter of an export or a host function as the bindings pass it.</summary>
/// <param name="Name">Its name in snake case (each language spells it its own way).</param>
/// <param name="Value">How it crosses the boundary.</param>
/// <param name="Json">Its JSON representation, for JSON payloads and enum scalars.</param>
internal sealed record ParamPlan(string Name, ValueSpec Value, CType? Json);

/// <summary>A contract export: the function the author implements, its parameters and result, or its union's cases.</summary>
/// <param name="Spec">The export as the generator's parser read it.</param>
/// <param name="Function">The function the author implements, in the language's naming.</param>
/// <param name="Parameters">Its parameters, without the cancellation token.</param>
/// <param name="ResultJson">The JSON type of its result, when the result is JSON and not a union's.</param>
/// <param name="Union">The tagged union it takes, with its cases.</param>
/// <param name="ResultNullable">Whether the result may be absent (<c>null</c>, or "no change" for a fixed-offset hook).</param>
internal sealed record ExportPlan(ExportSpec Spec, string Function, List<ParamPlan> Parameters, CType? ResultJson, CUnion? Union, bool ResultNullable)
{
    /// <summary>Whether the module may leave the export out (the host then uses its documented fallback).</summary>
    public bool Optional => Spec.WhenMissing != MissingExportKind.RefuseModule;
}

/// <summary>A host function the plugin imports.</summary>
/// <param name="Module">The wasm import module.</param>
/// <param name="Spec">The host function as the generator's parser read it.</param>
/// <param name="Function">The wrapper's name, in the language's naming.</param>
/// <param name="Parameters">Its parameters, without the guest context.</param>
/// <param name="ResultJson">The JSON type of its result, when the result is JSON.</param>
/// <param name="Fixed">Whether the host answers through the fixed-offset frame.</param>
/// <param name="ResultOffset">Where the host writes that frame.</param>
internal sealed record ImportPlan(string Module, ImportSpec Spec, string Function, List<ParamPlan> Parameters, CType? ResultJson, bool Fixed, int ResultOffset);

/// <summary>
/// What every language's bindings are made of, read once from a contract: its exports (with the JSON type of each payload, and
/// a tagged union's cases) and its host functions. Function names come from the language's own naming.
/// </summary>
internal sealed class ContractPlan
{
    private readonly LoadedContract contract;
    private readonly CTypeMap types;
    private readonly Func<string, string> function;

    /// <summary>The contract's exports, in declaration order.</summary>
    public List<ExportPlan> Exports { get; } = [];

    /// <summary>The host functions of every imported host interface, in declaration order.</summary>
    public List<ImportPlan> Imports { get; } = [];

    public ContractPlan(LoadedContract contract, CTypeMap types, Func<string, string> function)
    {
        this.contract = contract;
        this.types = types;
        this.function = function;
        foreach (ExportSpec export in contract.Spec.Exports)
        {
            IMethodSymbol method = FindMethod(contract.Symbol, export.MethodName);
            var parameters = new List<ParamPlan>();
            CUnion? union = null;
            foreach (ValueSpec value in export.Parameters)
            {
                if (value.Kind == PayloadKind.CancellationToken)
                {
                    continue;
                }

                IParameterSymbol symbol = method.Parameters.First(p => p.Name == value.Name.TrimStart('@'));
                CType? json = null;
                if (value.Kind == PayloadKind.Json)
                {
                    if (export.UnionParameter is not null && export.UnionCases.Count > 0)
                    {
                        union = Union((INamedTypeSymbol)symbol.Type, export);
                    }
                    else
                    {
                        json = types.Map(symbol.Type, export.MethodName + "(" + symbol.Name + ")");
                    }
                }

                parameters.Add(new ParamPlan(CTypeMap.Identifier(types.Snake(symbol.Name)), value, json));
            }

            CType? result = null;
            bool nullable = false;
            if (export.Result.Kind == PayloadKind.Json && union is null)
            {
                ITypeSymbol resultType = ResultType(method.ReturnType);
                result = types.Map(resultType, export.MethodName + " result");
                nullable = resultType.NullableAnnotation == NullableAnnotation.Annotated && export.Envelope != EnvelopeKind.Status;
            }

            if (export.Envelope != EnvelopeKind.None && result is not null && result.Kind is not (CKind.Struct or CKind.Json or CKind.JsonObject))
            {
                throw new GuestBindingsException($"{export.MethodName}: an enveloped result must be an object.");
            }

            if (contract.Spec.Abi == AbiKind.FixedOffset && export.Parameters.Count(p => p.Kind is not (PayloadKind.CancellationToken or PayloadKind.Scalar)) > 1)
            {
                throw new GuestBindingsException($"{export.MethodName}: a fixed-offset export takes one payload.");
            }

            Exports.Add(new ExportPlan(export, function(export.ExportName), parameters, result, union, nullable));
        }

        foreach (HostSpec host in contract.Hosts)
        {
            INamedTypeSymbol hostSymbol = contract.TypeOf(host.Type.FullName)!;
            foreach (ImportSpec import in host.Imports)
            {
                IMethodSymbol method = FindMethod(hostSymbol, import.MethodName);
                var parameters = new List<ParamPlan>();
                foreach (ValueSpec value in import.Parameters)
                {
                    if (value.Kind == PayloadKind.GuestContext)
                    {
                        continue;
                    }

                    IParameterSymbol symbol = method.Parameters.First(p => p.Name == value.Name.TrimStart('@') || p.Name + "Value" == value.Name);
                    CType? json = value.Kind == PayloadKind.Json ? types.Map(symbol.Type, host.Type.Name + "." + import.MethodName + "(" + symbol.Name + ")") : null;
                    if (value.Kind == PayloadKind.Scalar && symbol.Type.TypeKind == TypeKind.Enum)
                    {
                        json = types.Map(symbol.Type, host.Type.Name + "." + import.MethodName);
                    }

                    parameters.Add(new ParamPlan(CTypeMap.Identifier(types.Snake(symbol.Name)), value, json));
                }

                CType? result = import.Result.Kind == PayloadKind.Json ? types.Map(method.ReturnType, host.Type.Name + "." + import.MethodName + " result") : null;
                Imports.Add(new ImportPlan(host.Module, import, function(import.ImportName), parameters, result, host.Abi == AbiKind.FixedOffset, host.ResultOffset));
            }
        }
    }

    private CUnion Union(INamedTypeSymbol unionType, ExportSpec export)
    {
        AttributeData polymorphic = unionType.GetAttributes().First(a => a.AttributeClass?.ToDisplayString() == "System.Text.Json.Serialization.JsonPolymorphicAttribute");
        string discriminator = polymorphic.NamedArguments.FirstOrDefault(a => a.Key == "TypeDiscriminatorPropertyName").Value.Value as string ?? "$type";
        var cases = new List<CUnionCase>();
        foreach (UnionCaseSpec unionCase in export.UnionCases)
        {
            var caseType = (INamedTypeSymbol)contract.TypeOf(unionCase.CaseType)!;
            ITypeSymbol resultType = contract.TypeOf(unionCase.ResultType)!;
            CStruct request = types.StructOf(caseType);
            CType result = types.Map(resultType, unionCase.Discriminator + " result");
            if (result.Kind is not (CKind.Struct or CKind.Json or CKind.JsonObject))
            {
                throw new GuestBindingsException($"The result of '{unionCase.Discriminator}' must be an object.");
            }

            cases.Add(new CUnionCase(unionCase.Discriminator, request, result, function(unionCase.Discriminator)));
        }

        return new CUnion(discriminator, types.OutOfOrder, cases);
    }

    private static ITypeSymbol ResultType(ITypeSymbol type)
        => type is INamedTypeSymbol { IsGenericType: true, Name: "ValueTask" or "Task" } task ? task.TypeArguments[0] : type;

    private static IMethodSymbol FindMethod(INamedTypeSymbol owner, string name)
        => owner.GetMembers(name).OfType<IMethodSymbol>().FirstOrDefault()
            ?? owner.AllInterfaces.SelectMany(i => i.GetMembers(name)).OfType<IMethodSymbol>().First();
}
