using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Airlock.Generators.Diagnostics;
using Airlock.Generators.Emitting;
using Airlock.Generators.Infrastructure;
using Airlock.Generators.Model;
using Airlock.Wasm;
using Microsoft.CodeAnalysis;

namespace Airlock.Generators.Parsing;

/// <summary>
/// Reads a <c>[WasmPlugin]</c> interface into what the generator needs: the bindings to emit and the
/// expectations a tied module is checked against (its exports' wasm types, the host modules it may
/// import from). Problems in the declaration are the analyzer's to report; here they only mean there is
/// nothing to emit or check.
/// </summary>
internal static class PluginModelParser
{
    public static PluginModel Parse(INamedTypeSymbol symbol, AttributeData attribute, Compilation compilation, CancellationToken cancellationToken)
    {
        var problems = new List<Diagnostic>();
        ContractSpec? spec = ContractParser.ParsePlugin(symbol, attribute, problems, cancellationToken);
        if (spec is not null)
        {
            spec = spec with { WireHash = WireHash(spec, symbol, compilation, cancellationToken) };
        }

        return new PluginModel(spec, spec is null ? UnboundSpec(symbol, attribute, problems) : CheckSpec(symbol, attribute, spec, cancellationToken));
    }

    // The wire hash guest bindings of the contract stamp into a module (the guest-bindings tool's own computation, compiled
    // in here), or null when the bindings cannot represent the contract: then no stamped module can exist.
    private static string? WireHash(ContractSpec spec, INamedTypeSymbol symbol, Compilation compilation, CancellationToken cancellationToken)
    {
        var hosts = new List<HostSpec>();
        foreach (string import in spec.Imports)
        {
            string name = import.StartsWith("global::", System.StringComparison.Ordinal) ? import.Substring("global::".Length) : import;
            INamedTypeSymbol? host = compilation.GetTypeByMetadataName(name);
            AttributeData? attribute = host?.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == ContractParser.HostAttribute);
            if (host is null || attribute is null || ContractParser.ParseHost(host, attribute, [], cancellationToken) is not { } parsed)
            {
                return null;
            }

            hosts.Add(parsed);
        }

        try
        {
            return Airlock.GuestBindings.ContractWireHash.Of(new Airlock.GuestBindings.LoadedContract(spec, hosts, symbol, compilation, string.Empty, string.Empty));
        }
        catch (System.Exception exception) when (exception is not System.OperationCanceledException)
        {
            // A generator that throws fails the user's whole build (CS8785) over an extra check: a contract whose wire the
            // bindings' model cannot follow (a type it cannot name or represent) gets no hash, and its stamps are not read.
            return null;
        }
    }

    /// <summary>The check spec of a contract found by name (in source or a referenced assembly), or why there is none.</summary>
    public static (ContractCheckSpec? Check, string? Error) Resolve(Compilation compilation, string name, CancellationToken cancellationToken)
    {
        string metadataName = name.StartsWith("global::", System.StringComparison.Ordinal) ? name.Substring("global::".Length) : name;
        INamedTypeSymbol? symbol = compilation.GetTypeByMetadataName(metadataName);
        if (symbol is null)
        {
            return (null, "the compilation has no type '" + metadataName + "' (use the namespace-qualified metadata name, such as MyApp.IMyPlugin)");
        }

        AttributeData? attribute = symbol.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == ContractParser.PluginAttribute);
        if (attribute is null)
        {
            return (null, "'" + metadataName + "' has no [WasmPlugin] attribute");
        }

        return (Parse(symbol, attribute, compilation, cancellationToken).Check, null);
    }

    private static ContractCheckSpec CheckSpec(INamedTypeSymbol symbol, AttributeData attribute, ContractSpec spec, CancellationToken cancellationToken)
    {
        var exports = new List<CheckedExport>();
        foreach (ExportSpec export in spec.Exports)
        {
            Location? location = symbol.GetMembers(export.MethodName).FirstOrDefault()?.Locations.FirstOrDefault();
            exports.Add(new CheckedExport(
                export.ExportName,
                export.MethodName,
                Emitting.Marshalling.AbiMarshaller.For(spec.Abi).ExportSignature(export),
                export.WhenMissing == MissingExportKind.RefuseModule,
                LocationInfo.From(location)));
        }

        var hosts = new List<CheckedHostModule>();
        TypedConstant imports = attribute.NamedArguments.FirstOrDefault(a => a.Key == "Imports").Value;
        if (imports.Kind == TypedConstantKind.Array)
        {
            foreach (TypedConstant import in imports.Values)
            {
                if (import.Value is INamedTypeSymbol hostType && HostModule(hostType, cancellationToken) is { } host)
                {
                    hosts.Add(host);
                }
            }
        }

        return new ContractCheckSpec(
            spec.Type.HintName,
            LocationInfo.From(symbol.Locations.FirstOrDefault()),
            ModulePath(attribute),
            spec.Abi == AbiKind.FixedOffset,
            (uint)spec.InputOffset,
            spec.ResultLengthExport,
            spec.AllowsWasi,
            exports.ToImmutableEquatableArray(),
            hosts.ToImmutableEquatableArray(),
            WasmBindgen: spec.Abi == AbiKind.WasmBindgen)
        {
            AllocExport = spec.AllocExport,
            FreeExport = spec.FreeExport,
            UsesGuestMemory = spec.UsesGuestMemory,
            BindingsHash = spec.WireHash,
        };
    }

    // A contract that cannot be bound still ties its module: the check reports why it is not run.
    private static ContractCheckSpec UnboundSpec(INamedTypeSymbol symbol, AttributeData attribute, List<Diagnostic> problems)
        => new(
            ContractParser.Identity(symbol).HintName,
            LocationInfo.From(symbol.Locations.FirstOrDefault()),
            ModulePath(attribute),
            FixedOffset: false,
            InputOffset: 0,
            ResultLengthExport: string.Empty,
            AllowsWasi: true,
            Exports: ImmutableEquatableArray<CheckedExport>.Empty,
            HostModules: ImmutableEquatableArray<CheckedHostModule>.Empty,
            Unbound: CannotBeBound("the contract", problems));

    private static string? ModulePath(AttributeData attribute)
        => attribute.NamedArguments.FirstOrDefault(a => a.Key == "Module").Value.Value is string module && !string.IsNullOrWhiteSpace(module) ? module : null;

    /// <summary>"<paramref name="subject"/> cannot be bound (AIRnnn: first problem, and N more problems)".</summary>
    private static string CannotBeBound(string subject, List<Diagnostic> problems)
    {
        if (problems.Count == 0)
        {
            return subject + " cannot be bound";
        }

        Diagnostic first = problems[0];
        string more = problems.Count == 1 ? string.Empty : $", and {problems.Count - 1} more problem" + (problems.Count == 2 ? string.Empty : "s");
        return $"{subject} cannot be bound ({first.Id}: {first.GetMessage(CultureInfo.InvariantCulture)}{more})";
    }

    private static CheckedHostModule? HostModule(INamedTypeSymbol hostType, CancellationToken cancellationToken)
    {
        AttributeData? attribute = hostType.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == ContractParser.HostAttribute);
        if (attribute is null)
        {
            return null;
        }

        var problems = new List<Diagnostic>();
        HostSpec? host = ContractParser.ParseHost(hostType, attribute, problems, cancellationToken);
        string name = host?.Module ?? attribute.ConstructorArguments.FirstOrDefault().Value as string ?? "env";
        if (host is null)
        {
            return new CheckedHostModule(name, null, null, CannotBeBound("host interface '" + ContractParser.Identity(hostType).HintName + "'", problems));
        }

        var marshaller = Emitting.Marshalling.AbiMarshaller.For(host.Abi);
        ImmutableEquatableArray<HostFunctionShape> functions = host.Imports
            .Select(i => new HostFunctionShape(i.ImportName, Emitting.Wasm.FunctionSignature(Emitting.Wasm.ParameterTypes(i.Parameters), marshaller.Result(i.Result)), marshaller.WritesResult(i)))
            .ToImmutableEquatableArray();
        return new CheckedHostModule(name, functions, host.Abi == AbiKind.FixedOffset ? (uint)host.ResultOffset : null);
    }
}
