using System.Linq;
using Airlock.Generators.Infrastructure;

namespace Airlock.Generators.Model;

/// <summary>How a value crosses the boundary between host and guest.</summary>
internal enum PayloadKind
{
    /// <summary>Nothing crosses (a void result).</summary>
    None,

    /// <summary>A wasm scalar passed straight through (i32, i64, f32, f64).</summary>
    Scalar,

    /// <summary>UTF-8 text in a ptr+len buffer.</summary>
    Utf8,

    /// <summary>Raw bytes in a ptr+len buffer, copied into a <c>byte[]</c>.</summary>
    Bytes,

    /// <summary>Raw bytes in a ptr+len buffer, copied into a <c>ReadOnlyMemory&lt;byte&gt;</c>.</summary>
    BytesMemory,

    /// <summary>Raw bytes viewed in place (host functions only): a <c>ReadOnlySpan&lt;byte&gt;</c> over guest memory.</summary>
    BytesSpan,

    /// <summary>JSON through a <c>JsonTypeInfo</c> of the contract's context.</summary>
    Json,

    /// <summary>JSON checked and viewed in place (host function parameters only): a <c>JsonArgument</c> over guest memory, no document built.</summary>
    JsonView,

    /// <summary>The cancellation token of the call (exports only; nothing crosses).</summary>
    CancellationToken,

    /// <summary>The calling instance (host functions only; nothing crosses).</summary>
    GuestContext,
}

/// <summary>The wasm value types a scalar can travel as.</summary>
internal enum WasmScalar
{
    None,
    I32,
    I64,
    F32,
    F64,
}

/// <summary>How a C# scalar converts to and from its wasm type.</summary>
internal enum ScalarConversion
{
    /// <summary>The C# type is the wasm type's own CLR type (int, long, float, double).</summary>
    Identity,

    /// <summary>An unchecked numeric cast (uint, short, byte, enums, ...).</summary>
    Cast,

    /// <summary>bool as 0 or 1.</summary>
    Boolean,
}

/// <summary>How a contract method delivers its result.</summary>
internal enum ResultShape
{
    /// <summary>Returns the value directly and blocks.</summary>
    Synchronous,

    /// <summary><c>ValueTask</c> or <c>ValueTask&lt;T&gt;</c>.</summary>
    ValueTask,

    /// <summary><c>Task</c> or <c>Task&lt;T&gt;</c>.</summary>
    Task,
}

/// <summary>One value that crosses the boundary: a parameter or a result.</summary>
/// <param name="Name">The C# parameter name (empty for results).</param>
/// <param name="Type">The fully qualified C# type, with nullable annotations.</param>
/// <param name="Kind">How it crosses.</param>
/// <param name="Scalar">The wasm type of a scalar.</param>
/// <param name="Conversion">How a scalar converts.</param>
/// <param name="JsonType">The fully qualified type whose <c>JsonTypeInfo</c> carries a JSON value, without nullable annotation.</param>
/// <param name="IsNullable">Whether the value may be null (optional JSON results, absent host results).</param>
internal sealed record ValueSpec(
    string Name,
    string Type,
    PayloadKind Kind,
    WasmScalar Scalar,
    ScalarConversion Conversion,
    string? JsonType,
    bool IsNullable);

/// <summary>One case of a tagged union: the per-case method generated for it.</summary>
/// <param name="Discriminator">The discriminator value on the wire.</param>
/// <param name="MethodName">The generated method's name.</param>
/// <param name="CaseType">The fully qualified case type.</param>
/// <param name="ResultType">The fully qualified result type of the case (without nullable annotation).</param>
/// <param name="Parameters">The case constructor's parameters, in order.</param>
internal sealed record UnionCaseSpec(
    string Discriminator,
    string MethodName,
    string CaseType,
    string ResultType,
    ImmutableEquatableArray<CaseParameterSpec> Parameters)
{
    /// <summary>The members a generated case writer writes from the method's arguments, in order; null when the case object is built and written through its metadata.</summary>
    public ImmutableEquatableArray<CaseMemberSpec>? Writer { get; init; }

    /// <summary>Whether the writer writes every member from the method's arguments, with no case object built.</summary>
    public bool WritesArguments => Writer is { } members && members.All(m => m.Argument >= 0);
}

/// <summary>A parameter of a union case's constructor, surfaced on the per-case method.</summary>
/// <param name="Name">The method parameter name (camelCase, escaped).</param>
/// <param name="Type">The fully qualified type with nullable annotations.</param>
/// <param name="DefaultValue">The C# literal of its default, or null when it has none.</param>
/// <param name="Documentation">The parameter's documentation from the case, or null.</param>
internal sealed record CaseParameterSpec(string Name, string Type, string? DefaultValue, string? Documentation);

/// <summary>The envelope around an export's JSON result (mirrors <c>WasmResponseEnvelope</c>).</summary>
internal enum EnvelopeKind
{
    None = 0,
    Status = 1,
    ErrorMember = 2,
}

/// <summary>What a contract expects when the module lacks an export (mirrors <c>WasmMissingExport</c>).</summary>
internal enum MissingExportKind
{
    RefuseModule = 0,
    Skip = 1,
    Throw = 2,
}

/// <summary>The ABIs (mirrors <c>WasmAbi</c>).</summary>
internal enum AbiKind
{
    PackedPtrLen = 1,
    FixedOffset = 2,
    WasmBindgen = 3,
}

/// <summary>A method of a <c>[WasmPlugin]</c> contract bound to an export.</summary>
internal sealed record ExportSpec(
    string MethodName,
    string ExportName,
    EnvelopeKind Envelope,
    MissingExportKind WhenMissing,
    ResultShape Shape,
    ValueSpec Result,
    ImmutableEquatableArray<ValueSpec> Parameters,
    string? UnionParameter,
    ImmutableEquatableArray<UnionCaseSpec> UnionCases,
    string? DeclaringType = null);

/// <summary>A method of a <c>[WasmHost]</c> interface bound to an import.</summary>
internal sealed record ImportSpec(
    string MethodName,
    string ImportName,
    ValueSpec Result,
    ImmutableEquatableArray<ValueSpec> Parameters);

/// <summary>Where a contract interface is declared.</summary>
/// <param name="Namespace">Its namespace, or empty for the global namespace.</param>
/// <param name="Name">Its simple name.</param>
/// <param name="FullName">Its fully qualified name with <c>global::</c>.</param>
/// <param name="HintName">A file-name-safe identity for the generated file.</param>
internal sealed record TypeIdentity(string Namespace, string Name, string FullName, string HintName);

/// <summary>Everything the emitter needs to bind a <c>[WasmPlugin]</c> contract. Holds no symbols.</summary>
internal sealed record ContractSpec(
    TypeIdentity Type,
    AbiKind Abi,
    int InputOffset,
    string ResultLengthExport,
    string? JsonContext,
    ImmutableEquatableArray<string> Imports,
    ImmutableEquatableArray<ExportSpec> Exports,
    bool AllowsWasi,
    string SuccessStatus = "ok",
    bool ErrorCodeRequired = true)
{
    /// <summary>The packed ABI's allocator export (<c>AllocExport</c>).</summary>
    public string AllocExport { get; init; } = Airlock.Wasm.PackedAbiExports.DefaultAlloc;

    /// <summary>The packed ABI's deallocator export (<c>FreeExport</c>).</summary>
    public string FreeExport { get; init; } = Airlock.Wasm.PackedAbiExports.DefaultFree;

    /// <summary>
    /// The contract's wire hash (what guest bindings generated from it stamp into a module), or null when guest bindings
    /// cannot represent the contract. Set by the generator; the guest-bindings tool computes its own.
    /// </summary>
    public string? WireHash { get; init; }

    /// <summary>The one-pass readers of the contract's JSON result types (those System.Text.Json alone does not read).</summary>
    public ImmutableEquatableArray<JsonReaderSpec> Readers { get; init; } = ImmutableEquatableArray<JsonReaderSpec>.Empty;

    /// <summary>
    /// Whether payloads cross through guest memory: false when every export takes and returns only scalars and the
    /// contract imports no host functions (then the module needs no memory and no allocator).
    /// </summary>
    public bool UsesGuestMemory
        => Abi == AbiKind.FixedOffset
            || Imports.Count > 0
            || Exports.Any(e => e.UnionParameter is not null || !IsScalar(e.Result) || e.Parameters.Any(p => !IsScalar(p)));

    private static bool IsScalar(ValueSpec value) => value.Kind is PayloadKind.None or PayloadKind.Scalar or PayloadKind.CancellationToken;
}

/// <summary>Everything the emitter needs to wire a <c>[WasmHost]</c> interface. Holds no symbols.</summary>
internal sealed record HostSpec(
    TypeIdentity Type,
    string Module,
    AbiKind Abi,
    int ResultOffset,
    string? JsonContext,
    ImmutableEquatableArray<ImportSpec> Imports);
