using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Xml.Linq;
using Airlock.Generators.Diagnostics;
using Airlock.Generators.Infrastructure;
using Airlock.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Airlock.Generators.Parsing;

/// <summary>
/// Turns an attributed interface into an equatable spec. Everything the emitter needs is read here,
/// so that later pipeline stages hold no symbols and compare by value.
/// </summary>
internal static class ContractParser
{
    public const string PluginAttribute = "Airlock.WasmPluginAttribute";
    public const string HostAttribute = "Airlock.WasmHostAttribute";
    private const string ExportAttribute = "Airlock.WasmExportAttribute";
    private const string ImportAttribute = "Airlock.WasmImportAttribute";
    private const string RequestInterface = "Airlock.IWasmRequest`1";
    private const string PolymorphicAttribute = "System.Text.Json.Serialization.JsonPolymorphicAttribute";
    private const string DerivedTypeAttribute = "System.Text.Json.Serialization.JsonDerivedTypeAttribute";
    private const string GeneratedCodeAttribute = "System.CodeDom.Compiler.GeneratedCodeAttribute";
    private const string GeneratorName = "Airlock.Generators";

    // Names the generated host wiring uses for its own locals; wasm parameters avoid them.
    private static readonly HashSet<string> ReservedLocals = ["caller", "guest", "exception", "declined", "result", "implementation", "linker"];

    /// <summary>Parses a <c>[WasmPlugin]</c> interface; returns null (and adds to <paramref name="diagnostics"/>) when it cannot be bound.</summary>
    /// <param name="symbol">The interface, declared in source or in a referenced assembly.</param>
    /// <param name="attribute">Its <c>[WasmPlugin]</c> attribute.</param>
    /// <param name="diagnostics">Receives every problem found, at its source location.</param>
    /// <param name="cancellationToken">Cancels the parse.</param>
    public static ContractSpec? ParsePlugin(INamedTypeSymbol symbol, AttributeData attribute, List<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        int before = diagnostics.Count;
        if (!CheckDeclaration(symbol, "WasmPlugin", diagnostics, cancellationToken))
        {
            return null;
        }

        int inputOffset = NamedInt(attribute, "InputOffset", 0);
        AbiKind abi = ReadAbi(attribute, inputOffset, "InputOffset", symbol, diagnostics);
        string resultLengthExport = ReservedExports.ResultLengthExport(attribute);
        if (abi == AbiKind.FixedOffset && inputOffset <= 0)
        {
            diagnostics.Add(Diagnostic.Create(Descriptors.FixedOffsetMisuse, symbol.Locations.FirstOrDefault(), symbol.Name, "set InputOffset to the address where the host writes inputs, for example InputOffset = 65536"));
        }

        JsonPayloadChecker? jsonContext = JsonChecker(attribute, symbol, diagnostics);
        bool allowsWasi = NamedBool(attribute, "AllowWasi", true);
        string successStatus = attribute.NamedArguments.FirstOrDefault(a => a.Key == "SuccessStatus").Value.Value is string success && success.Length > 0 ? success : "ok";
        bool errorCodeRequired = NamedBool(attribute, "ErrorCodeRequired", true);
        var imports = new List<string>();
        foreach (TypedConstant import in NamedArray(attribute, "Imports"))
        {
            if (import.Value is INamedTypeSymbol importType)
            {
                imports.Add(TypeClassifier.DisplayWithoutNullable(importType));
            }
        }

        var exports = new List<ExportSpec>();
        var readers = new Dictionary<string, JsonReaderSpec>();
        var bound = new Dictionary<string, IMethodSymbol>();
        foreach (ISymbol member in ContractMembers(symbol))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!IsAbstractInstanceMember(member))
            {
                continue;
            }

            AttributeData? export = member.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == ExportAttribute);
            if (member is not IMethodSymbol method || export is null)
            {
                diagnostics.Add(Diagnostic.Create(Descriptors.UnboundMember, member.Locations.FirstOrDefault(), member.Name, symbol.Name, "WasmExport", "export"));
                continue;
            }

            string exportName = export.ConstructorArguments.FirstOrDefault().Value as string ?? method.Name;
            if (bound.TryGetValue(exportName, out IMethodSymbol? other))
            {
                diagnostics.Add(Diagnostic.Create(Descriptors.DuplicateBinding, method.Locations.FirstOrDefault(), other.Name, method.Name, "export", exportName));
                continue;
            }

            bound[exportName] = method;
            if (ReservedExports.Reason(exportName, attribute, out string? owner) is { } reserved)
            {
                diagnostics.Add(Diagnostic.Create(Descriptors.ReservedExportName, method.Locations.FirstOrDefault(), method.Name, exportName, owner ?? AbiName(abi), reserved));
                continue;
            }

            var envelope = (EnvelopeKind)NamedInt(export, "Envelope", 0);
            var whenMissing = (MissingExportKind)NamedInt(export, "WhenMissing", 0);
            if (ParseExport(symbol, method, exportName, envelope, whenMissing, abi, jsonContext, readers, diagnostics) is { } spec)
            {
                exports.Add(spec);
            }
        }

        if (diagnostics.Count > before)
        {
            return null;
        }

        var contract = new ContractSpec(
            Identity(symbol),
            abi,
            abi == AbiKind.FixedOffset ? inputOffset : 0,
            resultLengthExport,
            jsonContext?.ContextName,
            imports.ToImmutableEquatableArray(),
            exports.ToImmutableEquatableArray(),
            allowsWasi,
            successStatus,
            errorCodeRequired)
        {
            AllocExport = ReservedExports.AllocExport(attribute),
            FreeExport = ReservedExports.FreeExport(attribute),
            Readers = readers.Values.ToImmutableEquatableArray(),
        };
        return contract;
    }

    // The interface's own members, then the [WasmExport] methods it inherits: several contracts (one per
    // ABI, say) can share one set of exports declared on a base interface. Other members of base
    // interfaces are not the contract's (an explicit implementation covers them, as with
    // IWasmPluginInitializer).
    private static IEnumerable<ISymbol> ContractMembers(INamedTypeSymbol symbol)
    {
        foreach (ISymbol member in symbol.GetMembers())
        {
            yield return member;
        }

        foreach (INamedTypeSymbol inherited in symbol.AllInterfaces)
        {
            foreach (ISymbol member in inherited.GetMembers())
            {
                if (member is IMethodSymbol && member.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == ExportAttribute))
                {
                    yield return member;
                }
            }
        }
    }

    /// <summary>Parses a <c>[WasmHost]</c> interface; returns null (and adds to <paramref name="diagnostics"/>) when it cannot be bound.</summary>
    /// <param name="symbol">The interface, declared in source or in a referenced assembly.</param>
    /// <param name="attribute">Its <c>[WasmHost]</c> attribute.</param>
    /// <param name="diagnostics">Receives every problem found, at its source location.</param>
    /// <param name="cancellationToken">Cancels the parse.</param>
    public static HostSpec? ParseHost(INamedTypeSymbol symbol, AttributeData attribute, List<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        int before = diagnostics.Count;
        if (!CheckDeclaration(symbol, "WasmHost", diagnostics, cancellationToken))
        {
            return null;
        }

        string module = attribute.ConstructorArguments.FirstOrDefault().Value as string ?? "env";
        int resultOffset = NamedInt(attribute, "ResultOffset", 0);
        AbiKind abi = ReadAbi(attribute, resultOffset, "ResultOffset", symbol, diagnostics);
        if (abi == AbiKind.FixedOffset && resultOffset <= 0)
        {
            diagnostics.Add(Diagnostic.Create(Descriptors.FixedOffsetMisuse, symbol.Locations.FirstOrDefault(), symbol.Name, "set ResultOffset to the address where host functions write their results, for example ResultOffset = 4096"));
        }

        JsonPayloadChecker? jsonContext = JsonChecker(attribute, symbol, diagnostics);
        var imports = new List<ImportSpec>();
        var bound = new Dictionary<string, IMethodSymbol>();
        foreach (ISymbol member in symbol.GetMembers())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!IsAbstractInstanceMember(member))
            {
                continue;
            }

            AttributeData? import = member.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == ImportAttribute);
            if (member is not IMethodSymbol method || import is null)
            {
                diagnostics.Add(Diagnostic.Create(Descriptors.UnboundMember, member.Locations.FirstOrDefault(), member.Name, symbol.Name, "WasmImport", "import"));
                continue;
            }

            string importName = import.ConstructorArguments.FirstOrDefault().Value as string ?? method.Name;
            if (bound.TryGetValue(importName, out IMethodSymbol? other))
            {
                diagnostics.Add(Diagnostic.Create(Descriptors.DuplicateBinding, method.Locations.FirstOrDefault(), other.Name, method.Name, "import", module + "." + importName));
                continue;
            }

            bound[importName] = method;
            if (ParseImport(symbol, method, importName, abi, jsonContext, diagnostics) is { } spec)
            {
                imports.Add(spec);
            }
        }

        if (diagnostics.Count > before)
        {
            return null;
        }

        var host = new HostSpec(
            Identity(symbol),
            module,
            abi,
            abi == AbiKind.FixedOffset ? resultOffset : 0,
            jsonContext?.ContextName,
            imports.ToImmutableEquatableArray());
        return host;
    }

    private static ExportSpec? ParseExport(INamedTypeSymbol contract, IMethodSymbol method, string exportName, EnvelopeKind envelope, MissingExportKind whenMissing, AbiKind abi, JsonPayloadChecker? jsonContext, Dictionary<string, JsonReaderSpec> readers, List<Diagnostic> diagnostics)
    {
        int before = diagnostics.Count;
        (ResultShape shape, ITypeSymbol? resultType) = UnwrapResult(method.ReturnType);
        ValueSpec result = resultType is null
            ? Void()
            : ClassifyOrReport(contract, method, resultType, string.Empty, isHostSide: false, abi, jsonContext, diagnostics, "WasmPlugin") ?? Void();
        if (result.Kind is PayloadKind.CancellationToken or PayloadKind.BytesSpan or PayloadKind.JsonView)
        {
            diagnostics.Add(Diagnostic.Create(Descriptors.UnsupportedType, method.Locations.FirstOrDefault(), "Result", "return value", method.Name, method.ReturnType.ToDisplayString(), AbiName(abi), "it is not a value"));
        }

        if (envelope != EnvelopeKind.None && result.Kind != PayloadKind.Json)
        {
            string name = envelope == EnvelopeKind.Status ? "status envelope" : "error-member envelope";
            diagnostics.Add(Diagnostic.Create(Descriptors.UnsupportedType, method.Locations.FirstOrDefault(), "Result", "return value", method.Name, method.ReturnType.ToDisplayString(), name, "the envelope wraps a JSON object"));
        }

        var parameters = new List<ValueSpec>();
        foreach (IParameterSymbol parameter in method.Parameters)
        {
            if (ClassifyOrReport(contract, method, parameter.Type, parameter.Name, isHostSide: false, abi, jsonContext, diagnostics, "WasmPlugin", parameter) is { } value)
            {
                parameters.Add(value with { Name = EscapeIdentifier(parameter.Name) });
            }
        }

        if (diagnostics.Count == before && abi == AbiKind.FixedOffset)
        {
            CheckFixedOffsetExport(contract, method, result, parameters, diagnostics);
        }

        if (diagnostics.Count > before)
        {
            return null;
        }

        if (result.Kind == PayloadKind.Json && resultType is not null)
        {
            jsonContext?.AddReader(resultType, contract.ContainingAssembly, readers);
        }

        // A tagged union: the one payload of the export is a [JsonPolymorphic] type.
        var payloads = parameters.Where(p => p.Kind is not PayloadKind.CancellationToken).ToList();
        var cases = new List<UnionCaseSpec>();
        IParameterSymbol? unionSymbol = payloads.Count == 1 && payloads[0].Kind == PayloadKind.Json
            ? method.Parameters.First(p => EscapeIdentifier(p.Name) == payloads[0].Name)
            : null;
        INamedTypeSymbol? unionType = unionSymbol?.Type is INamedTypeSymbol candidate && HasAttribute(candidate, PolymorphicAttribute) ? candidate : null;
        string? unionParameter = unionType is null ? null : unionSymbol!.Name;

        // Per-case methods read each case's result as JSON, so they need an export whose result is JSON.
        if (unionType is not null && result.Kind == PayloadKind.Json)
        {
            string suffix = shape == ResultShape.Synchronous ? string.Empty : "Async";
            foreach (AttributeData derived in unionType.GetAttributes().Where(a => a.AttributeClass?.ToDisplayString() == DerivedTypeAttribute))
            {
                if (derived.ConstructorArguments.Length < 2
                    || derived.ConstructorArguments[0].Value is not INamedTypeSymbol caseType
                    || derived.ConstructorArguments[1].Value is not string discriminator)
                {
                    continue;
                }

                string methodName = PascalCase(discriminator) + suffix;
                if (methodName.Length == suffix.Length || contract.GetMembers(methodName).Any(m => !IsGenerated(m)) || cases.Any(c => c.MethodName == methodName))
                {
                    continue;
                }

                ITypeSymbol? caseResult = FindRequestResult(caseType) ?? resultType;
                if (caseResult is null || UnionCaseParameters(caseType) is not { } caseParameters)
                {
                    continue;
                }

                cases.Add(new UnionCaseSpec(discriminator, methodName, TypeClassifier.DisplayWithoutNullable(caseType), TypeClassifier.DisplayWithoutNullable(caseResult), caseParameters)
                {
                    Writer = abi == AbiKind.FixedOffset ? null : jsonContext?.CaseWriter(caseType),
                });
                jsonContext?.AddReader(caseResult, contract.ContainingAssembly, readers);
            }
        }

        // A method inherited from a base interface is named through it where the contract refers to it.
        string? declaringType = SymbolEqualityComparer.Default.Equals(method.ContainingType, contract) ? null : method.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        return new ExportSpec(method.Name, exportName, envelope, whenMissing, shape, result, parameters.ToImmutableEquatableArray(), unionParameter, cases.ToImmutableEquatableArray(), declaringType);
    }

    // One input at the input offset; a payload result needs an input and must be nullable, because a
    // result offset of 0 means "no change".
    private static void CheckFixedOffsetExport(INamedTypeSymbol contract, IMethodSymbol method, ValueSpec result, List<ValueSpec> parameters, List<Diagnostic> diagnostics)
    {
        string subject = contract.Name + "." + method.Name;
        Location? location = method.Locations.FirstOrDefault();
        var payloads = parameters.Where(IsPayload).ToList();
        if (payloads.Count > 1)
        {
            diagnostics.Add(Diagnostic.Create(Descriptors.FixedOffsetMisuse, location, subject, "it passes " + payloads.Count + " payloads (" + string.Join(", ", payloads.Select(p => p.Name.TrimStart('@'))) + "), but a fixed-offset export takes one input at the input offset"));
            return;
        }

        if (payloads.Count == 1 && result.Kind == PayloadKind.Scalar)
        {
            diagnostics.Add(Diagnostic.Create(Descriptors.FixedOffsetMisuse, location, subject, "an export that takes an input returns the offset of its result; declare the result as a nullable string, byte[] or JSON type, or as void"));
            return;
        }

        if (!IsPayload(result))
        {
            return;
        }

        if (payloads.Count == 0)
        {
            diagnostics.Add(Diagnostic.Create(Descriptors.FixedOffsetMisuse, location, subject, "it returns a payload but takes no input; a fixed-offset export answers an input written at the input offset"));
        }
        else if (!result.IsNullable)
        {
            string nullable = result.Kind == PayloadKind.BytesMemory ? "byte[]?" : result.Type + "?";
            diagnostics.Add(Diagnostic.Create(Descriptors.FixedOffsetMisuse, location, subject, "its result must be nullable (" + nullable + ") because a result offset of 0 means no change, which the method returns as null"));
        }
    }

    private static bool IsPayload(ValueSpec value)
        => value.Kind is PayloadKind.Utf8 or PayloadKind.Bytes or PayloadKind.BytesMemory or PayloadKind.Json;

    private static ImportSpec? ParseImport(INamedTypeSymbol host, IMethodSymbol method, string importName, AbiKind abi, JsonPayloadChecker? jsonContext, List<Diagnostic> diagnostics)
    {
        int before = diagnostics.Count;
        ValueSpec result = Void();
        if (UnwrapResult(method.ReturnType).Shape != ResultShape.Synchronous)
        {
            diagnostics.Add(Diagnostic.Create(Descriptors.UnsupportedType, method.Locations.FirstOrDefault(), "Result", "return value", method.Name, method.ReturnType.ToDisplayString(), AbiName(abi), "wasm calls host functions synchronously; return the value itself"));
        }
        else if (!method.ReturnsVoid)
        {
            result = ClassifyOrReport(host, method, method.ReturnType, string.Empty, isHostSide: true, abi, jsonContext, diagnostics, "WasmHost") ?? Void();
        }

        if (result.Kind is PayloadKind.GuestContext)
        {
            diagnostics.Add(Diagnostic.Create(Descriptors.UnsupportedType, method.Locations.FirstOrDefault(), "Result", "return value", method.Name, method.ReturnType.ToDisplayString(), AbiName(abi), "it is not a value"));
        }

        var parameters = new List<ValueSpec>();
        foreach (IParameterSymbol parameter in method.Parameters)
        {
            if (ClassifyOrReport(host, method, parameter.Type, parameter.Name, isHostSide: true, abi, jsonContext, diagnostics, "WasmHost", parameter) is { } value)
            {
                string name = ReservedLocals.Contains(parameter.Name) ? parameter.Name + "Value" : parameter.Name;
                parameters.Add(value with { Name = EscapeIdentifier(name) });
            }
        }

        return diagnostics.Count > before ? null : new ImportSpec(method.Name, importName, result, parameters.ToImmutableEquatableArray());
    }

    private static ValueSpec? ClassifyOrReport(INamedTypeSymbol owner, IMethodSymbol method, ITypeSymbol type, string name, bool isHostSide, AbiKind abi, JsonPayloadChecker? jsonContext, List<Diagnostic> diagnostics, string attribute, IParameterSymbol? parameter = null)
    {
        Location? location = parameter?.Locations.FirstOrDefault() ?? method.Locations.FirstOrDefault();
        ValueSpec? value = TypeClassifier.Classify(type, name, isHostSide, out string? reason);
        if (value is null)
        {
            diagnostics.Add(Diagnostic.Create(Descriptors.UnsupportedType, location, name.Length == 0 ? "Result" : "Parameter", name.Length == 0 ? "return value" : name, method.Name, type.ToDisplayString(), AbiName(abi), reason ?? "it has no wasm representation"));
            return null;
        }

        if (value.Kind == PayloadKind.Json && jsonContext is null)
        {
            diagnostics.Add(Diagnostic.Create(Descriptors.MissingJsonContext, location, owner.Name + "." + method.Name, type.ToDisplayString(), attribute));
            return null;
        }

        if (value.Kind == PayloadKind.Json && jsonContext is not null)
        {
            int before = diagnostics.Count;
            jsonContext.Check(type, location, diagnostics);
            if (diagnostics.Count > before)
            {
                return null;
            }
        }

        return value;
    }

    private static JsonPayloadChecker? JsonChecker(AttributeData attribute, INamedTypeSymbol owner, List<Diagnostic> diagnostics)
    {
        if (NamedType(attribute, "JsonContext") is not { } context)
        {
            return null;
        }

        var checker = new JsonPayloadChecker(context, owner.Name);
        checker.CheckContext(owner.Locations.FirstOrDefault(), diagnostics);
        return checker;
    }

    private static string AbiName(AbiKind abi) => abi switch
    {
        AbiKind.FixedOffset => "fixed-offset ABI",
        AbiKind.WasmBindgen => "wasm-bindgen ABI",
        _ => "packed ptr+len ABI",
    };

    // An offset without an explicit ABI means the fixed-offset ABI; an offset with another ABI is a mistake.
    private static AbiKind ReadAbi(AttributeData attribute, int offset, string offsetName, INamedTypeSymbol symbol, List<Diagnostic> diagnostics)
    {
        AbiKind abi = ReservedExports.SelectsFixedOffset(attribute, offsetName) ? AbiKind.FixedOffset
            : ReservedExports.SelectsWasmBindgen(attribute) ? AbiKind.WasmBindgen
            : AbiKind.PackedPtrLen;
        if (abi != AbiKind.FixedOffset && offset != 0)
        {
            diagnostics.Add(Diagnostic.Create(Descriptors.FixedOffsetMisuse, symbol.Locations.FirstOrDefault(), symbol.Name, offsetName + " applies only to the fixed-offset ABI; remove it or set Abi = WasmAbi.FixedOffset"));
        }

        return abi;
    }

    private static ValueSpec Void() => new(string.Empty, "void", PayloadKind.None, WasmScalar.None, ScalarConversion.Identity, null, false);

    private static (ResultShape Shape, ITypeSymbol? Result) UnwrapResult(ITypeSymbol type)
    {
        if (type is INamedTypeSymbol named && named.ContainingNamespace?.ToDisplayString() == "System.Threading.Tasks")
        {
            ResultShape? shape = named.Name switch
            {
                "ValueTask" => ResultShape.ValueTask,
                "Task" => ResultShape.Task,
                _ => null,
            };
            if (shape is { } known)
            {
                return (known, named.TypeArguments.Length == 1 ? named.TypeArguments[0] : null);
            }
        }

        return (ResultShape.Synchronous, type.SpecialType == SpecialType.System_Void ? null : type);
    }

    private static ITypeSymbol? FindRequestResult(INamedTypeSymbol caseType)
        => caseType.AllInterfaces
            .FirstOrDefault(i => i.IsGenericType && TypeClassifier.FullMetadataName(i.OriginalDefinition) == RequestInterface)
            ?.TypeArguments[0];

    /// <summary>The constructor a per-case method calls: the public one with the most parameters (not a record's copy constructor).</summary>
    /// <param name="caseType">The union case type.</param>
    internal static IMethodSymbol? CaseConstructor(INamedTypeSymbol caseType)
        => caseType.IsAbstract
            ? null
            : caseType.InstanceConstructors
                .Where(c => c.DeclaredAccessibility == Accessibility.Public && !IsCopyConstructor(c, caseType))
                .OrderByDescending(c => c.Parameters.Length)
                .FirstOrDefault();

    private static ImmutableEquatableArray<CaseParameterSpec>? UnionCaseParameters(INamedTypeSymbol caseType)
    {
        if (CaseConstructor(caseType) is not { } constructor)
        {
            return null;
        }

        Dictionary<string, string> docs = ParameterDocs(caseType);
        var parameters = new List<CaseParameterSpec>();
        foreach (IParameterSymbol parameter in constructor.Parameters)
        {
            docs.TryGetValue(parameter.Name, out string? doc);
            parameters.Add(new CaseParameterSpec(
                EscapeIdentifier(CamelCase(parameter.Name)),
                TypeClassifier.Display(parameter.Type),
                parameter.HasExplicitDefaultValue ? DefaultLiteral(parameter) : null,
                doc));
        }

        return parameters.ToImmutableEquatableArray();
    }

    private static bool IsCopyConstructor(IMethodSymbol constructor, INamedTypeSymbol type)
        => constructor.Parameters.Length == 1 && SymbolEqualityComparer.Default.Equals(constructor.Parameters[0].Type, type);

    private static Dictionary<string, string> ParameterDocs(INamedTypeSymbol type)
    {
        var docs = new Dictionary<string, string>();
        string? xml = type.GetDocumentationCommentXml();
        if (string.IsNullOrWhiteSpace(xml))
        {
            return docs;
        }

        try
        {
            foreach (XElement param in XElement.Parse(xml).Elements("param"))
            {
                if (param.Attribute("name")?.Value is { } name)
                {
                    docs[name] = string.Concat(param.Nodes().Select(n => n.ToString())).Trim();
                }
            }
        }
        catch (System.Xml.XmlException)
        {
            // Malformed documentation is the compiler's to report; the generated method goes without it.
        }

        return docs;
    }

    internal static string DefaultLiteral(IParameterSymbol parameter)
    {
        object? value = parameter.ExplicitDefaultValue;
        ITypeSymbol type = parameter.Type;
        if (value is null)
        {
            return type.IsValueType && type.OriginalDefinition.SpecialType != SpecialType.System_Nullable_T ? "default" : "null";
        }

        if (type.TypeKind == TypeKind.Enum)
        {
            return "(" + TypeClassifier.DisplayWithoutNullable(type) + ")" + SymbolDisplay.FormatPrimitive(value, quoteStrings: false, useHexadecimalNumbers: false);
        }

        return value switch
        {
            string text => SymbolDisplay.FormatLiteral(text, quote: true),
            bool flag => flag ? "true" : "false",
            char c => SymbolDisplay.FormatLiteral(c, quote: true),
            float f => f.ToString("R", System.Globalization.CultureInfo.InvariantCulture) + "f",
            double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture) + "d",
            decimal m => m.ToString(System.Globalization.CultureInfo.InvariantCulture) + "m",
            long l => l.ToString(System.Globalization.CultureInfo.InvariantCulture) + "L",
            ulong ul => ul.ToString(System.Globalization.CultureInfo.InvariantCulture) + "UL",
            uint ui => ui.ToString(System.Globalization.CultureInfo.InvariantCulture) + "U",
            _ => SymbolDisplay.FormatPrimitive(value, quoteStrings: true, useHexadecimalNumbers: false),
        };
    }

    // A contract from a referenced assembly has no syntax: it was checked when that assembly was built.
    private static bool CheckDeclaration(INamedTypeSymbol symbol, string attribute, List<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        Location? location = symbol.Locations.FirstOrDefault();
        foreach (SyntaxReference reference in symbol.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(cancellationToken) is InterfaceDeclarationSyntax declaration && !declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                diagnostics.Add(Diagnostic.Create(Descriptors.NotPartial, declaration.Identifier.GetLocation(), symbol.Name, attribute));
                return false;
            }
        }

        string? problem = symbol.ContainingType is not null ? "nested in " + symbol.ContainingType.Name
            : symbol.IsGenericType ? "generic"
            : null;
        if (problem is not null)
        {
            diagnostics.Add(Diagnostic.Create(Descriptors.UnsupportedDeclaration, location, symbol.Name, attribute, problem));
            return false;
        }

        return true;
    }

    private static bool IsAbstractInstanceMember(ISymbol member)
        => member.IsAbstract && !member.IsStatic && member is not IMethodSymbol { MethodKind: not MethodKind.Ordinary } && !IsGenerated(member);

    // Members Airlock generated into the interface (per-case union methods) are not the user's to bind.
    private static bool IsGenerated(ISymbol member)
        => member.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == GeneratedCodeAttribute
            && a.ConstructorArguments.Length > 0
            && a.ConstructorArguments[0].Value as string == GeneratorName);

    /// <summary>How generated code and the host name <paramref name="symbol"/>.</summary>
    internal static TypeIdentity Identity(INamedTypeSymbol symbol)
    {
        string ns = symbol.ContainingNamespace is { IsGlobalNamespace: false } container ? container.ToDisplayString() : string.Empty;
        string hint = (ns.Length == 0 ? string.Empty : ns + ".") + symbol.Name;
        return new TypeIdentity(ns, symbol.Name, symbol.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), hint);
    }

    private static bool HasAttribute(INamedTypeSymbol type, string attribute)
        => type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == attribute);

    private static int NamedInt(AttributeData attribute, string name, int fallback)
    {
        foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
        {
            if (argument.Key == name && argument.Value.Value is int value)
            {
                return value;
            }
        }

        return fallback;
    }

    private static bool NamedBool(AttributeData attribute, string name, bool fallback)
        => attribute.NamedArguments.FirstOrDefault(a => a.Key == name).Value.Value is bool value ? value : fallback;

    private static INamedTypeSymbol? NamedType(AttributeData attribute, string name)
        => attribute.NamedArguments.FirstOrDefault(a => a.Key == name).Value.Value as INamedTypeSymbol;

    private static IEnumerable<TypedConstant> NamedArray(AttributeData attribute, string name)
    {
        TypedConstant value = attribute.NamedArguments.FirstOrDefault(a => a.Key == name).Value;
        return value.Kind == TypedConstantKind.Array ? value.Values : Enumerable.Empty<TypedConstant>();
    }

    internal static string PascalCase(string wireName)
    {
        var builder = new System.Text.StringBuilder(wireName.Length);
        bool upper = true;
        foreach (char c in wireName)
        {
            if (!char.IsLetterOrDigit(c))
            {
                upper = true;
                continue;
            }

            if (builder.Length == 0 && char.IsDigit(c))
            {
                builder.Append('_');
            }

            builder.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }

        return builder.ToString();
    }

    private static string CamelCase(string name)
        => name.Length == 0 || char.IsLower(name[0]) ? name : char.ToLowerInvariant(name[0]) + name.Substring(1);

    private static string EscapeIdentifier(string name)
        => SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) is SyntaxKind.AwaitKeyword
            ? "@" + name
            : name;
}
