using Microsoft.CodeAnalysis;

namespace Airlock.Generators.Diagnostics;

/// <summary>The diagnostics Airlock's generator reports. Each id has a page under <c>docs/diagnostics/</c>.</summary>
internal static class Descriptors
{
    private const string Category = "Airlock.Contracts";
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

    private static DiagnosticDescriptor Error(string id, string title, string message)
        => new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLinkBase + id + ".md");
}
