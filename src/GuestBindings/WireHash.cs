// Compiled into both the guest-bindings generator (net10.0) and the source generator (netstandard2.0): the generator
// puts the same hash in every contract's WasmContract, so the build and the host refuse a module built on bindings of
// another version of its contract. No BCL API newer than netstandard2.0.
using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using Airlock.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Airlock.GuestBindings;

/// <summary>
/// The wire hash of a contract: a hash of everything on the wire (the ABI, each export's name, wasm signature, envelope
/// and payload shapes, each union case, each JSON type's members with JSON name, kind, nullability, requiredness and
/// default, each enum and each host function). Independent of any language's names, comments and the generator's
/// version, so it changes exactly when a plugin built on older bindings would misread. Generated bindings write it into
/// the module (custom section <c>airlock.bindings:Namespace.IContract:hash</c>).
/// </summary>
internal static class ContractWireHash
{
    /// <summary>The prefix of the custom section generated bindings put in every module.</summary>
    public const string SectionPrefix = Airlock.Wasm.ModuleVerifier.BindingsSectionPrefix;

    /// <summary>The wire hash of <paramref name="contract"/> (16 lower-case hex digits).</summary>
    /// <exception cref="GuestBindingsException">The contract has a type the bindings cannot represent (then no bindings, and no stamped module, can exist).</exception>
    public static string Of(LoadedContract contract)
    {
        INamedTypeSymbol? context = contract.Spec.JsonContext is { } name ? contract.TypeOf(name) : null;
        var types = new CTypeMap("airlock_hash", context);
        var plan = new ContractPlan(contract, types, name => name);
        AbiKind abi = contract.Spec.Abi;
        ContractSpec spec = contract.Spec;
        var d = new StringBuilder();
        d.Append(FormattableString.Invariant($"abi {abi} {spec.AllocExport} {spec.FreeExport} {spec.ResultLengthExport} {spec.InputOffset} {spec.SuccessStatus}\n"));
        foreach (ExportPlan e in plan.Exports)
        {
            (string result, List<(string Type, string Name)> parameters) = WasmSignature(abi, e);
            d.Append(FormattableString.Invariant($"export {e.Spec.ExportName} {e.Spec.Envelope} {e.Optional} {e.ResultNullable} ({string.Join(",", parameters.Select(p => p.Type))}) -> {result} {Shape(e.ResultJson)}"));
            d.Append(string.Concat(e.Parameters.Select(p => " " + p.Value.Kind + ":" + Shape(p.Json))));
            if (e.Union is { } u)
            {
                d.Append(FormattableString.Invariant($" union {u.Discriminator} {u.OutOfOrder}"));
                d.Append(string.Concat(u.Cases.Select(c => FormattableString.Invariant($" {c.Tag}:{c.Request.ClrName}->{Shape(c.Result)}"))));
            }

            d.Append('\n');
        }

        foreach (CStruct t in types.Ordered.OrderBy(t => t.ClrName, StringComparer.Ordinal))
        {
            d.Append(FormattableString.Invariant($"type {t.ClrName} {t.HasExtensionData}"));
            d.Append(string.Concat(t.Members.Select(m => FormattableString.Invariant($" {m.JsonName}:{Shape(m.Type)}:{m.Nullable}:{m.Required}:{m.Default}"))));
            d.Append('\n');
        }

        foreach (KeyValuePair<string, INamedTypeSymbol> e in types.Enums.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            d.Append("enum ").Append(e.Value.ToDisplayString());
            d.Append(string.Concat(e.Value.GetMembers().OfType<IFieldSymbol>().Where(f => f.HasConstantValue).Select(f => FormattableString.Invariant($" {f.Name}={f.ConstantValue}"))));
            d.Append('\n');
        }

        foreach (ImportPlan i in plan.Imports)
        {
            d.Append(FormattableString.Invariant($"import {i.Module}.{i.Spec.ImportName} {i.Fixed} {i.ResultOffset} {i.Spec.Result.Kind}:{Shape(i.ResultJson)}"));
            d.Append(string.Concat(i.Parameters.Select(p => " " + p.Value.Kind + ":" + Shape(p.Json))));
            d.Append('\n');
        }

        using var sha = SHA256.Create();
        byte[] digest = sha.ComputeHash(Encoding.UTF8.GetBytes(d.ToString()));
        var hex = new StringBuilder(16);
        for (int b = 0; b < 8; b++)
        {
            hex.Append(digest[b].ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        }

        return hex.ToString();
    }

    /// <summary>The export's wasm signature in C spelling: its result type and its (type, name) parameters.</summary>
    public static (string Result, List<(string Type, string Name)> Parameters) WasmSignature(AbiKind abi, ExportPlan export)
    {
        ExportSpec spec = export.Spec;
        var parameters = new List<(string Type, string Name)>();
        bool slot = abi == AbiKind.WasmBindgen && spec.Result.Kind is not (PayloadKind.None or PayloadKind.Scalar);
        if (slot)
        {
            parameters.Add(("uint32_t *", "retptr"));
        }

        foreach (ParamPlan p in export.Parameters)
        {
            if (p.Value.Kind == PayloadKind.Scalar)
            {
                parameters.Add((WasmC(p.Value.Scalar), p.Name));
            }
            else
            {
                parameters.Add(("const char *", p.Name + "_ptr"));
                parameters.Add(("uint32_t", p.Name + "_len"));
            }
        }

        string result = spec.Result.Kind switch
        {
            PayloadKind.None => "void",
            PayloadKind.Scalar => WasmC(spec.Result.Scalar),
            _ when slot => "void",
            _ when abi == AbiKind.FixedOffset => "int32_t",
            _ => "int64_t",
        };
        return (result, parameters);
    }

    /// <summary>The C spelling of a wasm scalar.</summary>
    public static string WasmC(WasmScalar scalar) => scalar switch
    {
        WasmScalar.I64 => "int64_t",
        WasmScalar.F32 => "float",
        WasmScalar.F64 => "double",
        _ => "int32_t",
    };

    private static string Shape(CType? type) => type is null ? "-" : type.Kind + (type.Struct is { } s ? "<" + s.ClrName + ">" : string.Empty) + (type.Enum is null ? string.Empty : "<enum>");
}
