using Airlock.Wasm;
using Microsoft.CodeAnalysis;

namespace Airlock.Generators.Diagnostics;

/// <summary>The diagnostics Airlock's generator reports. Each id has a page under <c>docs/diagnostics/</c>.</summary>
internal static class Descriptors
{
    private const string Category = "Airlock.Contracts";
    private const string ModuleCategory = "Airlock.Modules";
    private const string HelpLinkBase = "https://github.com/airlock-dev/airlock/blob/main/docs/diagnostics/";

    public static readonly DiagnosticDescriptor NotPartial = Error(
        "AIR001",
        "Contract interface must be partial",
        "Interface '{0}' has [{1}] but is not partial; Airlock cannot add its bindings");

    public static readonly DiagnosticDescriptor UnsupportedDeclaration = Error(
        "AIR002",
        "Contract interface cannot be generic or nested",
        "Interface '{0}' has [{1}] but is {2}; declare contracts as non-generic top-level interfaces");

    public static readonly DiagnosticDescriptor UnsupportedType = Error(
        "AIR003",
        "Type cannot cross the ABI",
        "{0} '{1}' of '{2}' has type '{3}', which cannot cross the {4}: {5}");

    public static readonly DiagnosticDescriptor MissingJsonContext = Error(
        "AIR004",
        "JSON payload without a JsonSerializerContext",
        "'{0}' passes '{1}' as JSON but [{2}] names no JsonContext; set JsonContext = typeof(...) to a JsonSerializerContext that covers it");

    public static readonly DiagnosticDescriptor DuplicateBinding = Error(
        "AIR005",
        "Two methods bind the same wasm name",
        "'{0}' and '{1}' both bind {2} '{3}'");

    public static readonly DiagnosticDescriptor UnboundMember = Error(
        "AIR006",
        "Contract member has no binding",
        "'{0}' is an abstract member of '{1}' without [{2}]; every abstract member of a contract must bind a wasm {3}");

    public static readonly DiagnosticDescriptor FixedOffsetMisuse = Error(
        "AIR007",
        "Declaration does not fit the fixed-offset ABI",
        "'{0}' cannot use the fixed-offset ABI as declared: {1}");

    public static readonly DiagnosticDescriptor ReservedExportName = Error(
        "AIR008",
        "Export name is reserved",
        "'{0}' binds export '{1}', which the {2} reserves: {3}; bind another name");

    public static readonly DiagnosticDescriptor UnionWithoutDiscriminator = Error(
        "AIR009",
        "Tagged union without discriminators",
        "Union '{0}' cannot cross as a tagged union: {1}");

    public static readonly DiagnosticDescriptor DuplicateDiscriminator = Error(
        "AIR010",
        "Two union cases share a discriminator",
        "Union '{0}' gives discriminator {1} to both '{2}' and '{3}'; each case needs its own");

    public static readonly DiagnosticDescriptor UnserialisableCase = Error(
        "AIR011",
        "Union case cannot be serialised",
        "Case '{0}' of union '{1}' (discriminator {2}) cannot be serialised: {3}");

    public static readonly DiagnosticDescriptor UncoveredJsonType = Error(
        "AIR012",
        "JsonContext does not cover a payload type",
        "JsonContext '{1}' of '{0}' cannot serialise its payloads: {2}");

    // Checks of a plugin module tied to a contract (an AdditionalFiles .wasm). The mismatch sentences
    // are the host's own, so the build reports exactly what loading would refuse.
    public static readonly DiagnosticDescriptor ModuleUnreadable = Module(
        ModuleDiagnostics.UnreadableId,
        "Plugin module cannot be read",
        ModuleDiagnostics.UnreadableFormat);

    public static readonly DiagnosticDescriptor ModuleMissingExport = Module(
        ModuleDiagnostics.MissingExportId,
        "Module lacks an export the contract binds",
        ModuleDiagnostics.MismatchFormat);

    public static readonly DiagnosticDescriptor ModuleExportSignature = Module(
        ModuleDiagnostics.ExportSignatureId,
        "Export signature does not fit the contract's ABI",
        ModuleDiagnostics.MismatchFormat);

    public static readonly DiagnosticDescriptor ModuleAbiSupport = Module(
        ModuleDiagnostics.AbiSupportId,
        "Module lacks what the ABI needs",
        ModuleDiagnostics.MismatchFormat);

    public static readonly DiagnosticDescriptor ModuleUnprovidedImport = Module(
        ModuleDiagnostics.ImportId,
        "Module imports what the host does not provide",
        ModuleDiagnostics.MismatchFormat);

    public static readonly DiagnosticDescriptor ModuleForbiddenImport = Module(
        ModuleDiagnostics.ForbiddenImportId,
        "Module imports WASI, which the contract forbids",
        ModuleDiagnostics.MismatchFormat);

    public static readonly DiagnosticDescriptor ModuleMemoryWindow = Module(
        ModuleDiagnostics.MemoryWindowId,
        "Fixed-offset window overlaps the module's memory",
        ModuleDiagnostics.MismatchFormat);

    public static readonly DiagnosticDescriptor ModuleStaleBindings = Module(
        ModuleDiagnostics.StaleBindingsId,
        "Module built on bindings of another version of its contract",
        ModuleDiagnostics.MismatchFormat);

    public static readonly DiagnosticDescriptor ModuleTie = Module(
        "AIR108",
        "Plugin module and contract cannot be matched",
        "{0}");

    // A warning, not an error: the module may well fit, but the build cannot say so, and it must not
    // stay silent about a check it skipped.
    public static readonly DiagnosticDescriptor ModuleUnchecked = Module(
        "AIR109",
        "Plugin module is not fully checked",
        "Module '{0}' tied to contract '{1}' is not fully checked: {2}",
        DiagnosticSeverity.Warning);

    /// <summary>The diagnostics of contract declarations, which the analyzer reports.</summary>
    public static readonly System.Collections.Immutable.ImmutableArray<DiagnosticDescriptor> ContractRules = System.Collections.Immutable.ImmutableArray.Create(
        NotPartial, UnsupportedDeclaration, UnsupportedType, MissingJsonContext, DuplicateBinding, UnboundMember, FixedOffsetMisuse,
        ReservedExportName, UnionWithoutDiscriminator, DuplicateDiscriminator, UnserialisableCase, UncoveredJsonType);

    private static DiagnosticDescriptor Error(string id, string title, string message)
        => new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLinkBase + id + ".md");

    private static DiagnosticDescriptor Module(string id, string title, string message, DiagnosticSeverity severity = DiagnosticSeverity.Error)
        => new(id, title, message, ModuleCategory, severity, isEnabledByDefault: true, helpLinkUri: HelpLinkBase + id + ".md");
}
