using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Airlock.Generators.Diagnostics;

/// <summary>
/// A diagnostic as the incremental pipeline carries it: no symbols, no syntax trees, only values, so
/// that an unchanged contract compares equal and its outputs are cached.
/// </summary>
internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, string? FilePath, TextSpan Span, LinePositionSpan LineSpan, Infrastructure.ImmutableEquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, Location? location, params string[] arguments)
    {
        Location? source = location is { IsInSource: true } ? location : null;
        return new DiagnosticInfo(
            descriptor,
            source?.SourceTree?.FilePath,
            source?.SourceSpan ?? default,
            source?.GetLineSpan().Span ?? default,
            new Infrastructure.ImmutableEquatableArray<string>(arguments));
    }

    public Diagnostic ToDiagnostic()
    {
        Location location = FilePath is null ? Location.None : Location.Create(FilePath, Span, LineSpan);
        object[] arguments = new object[Arguments.Count];
        for (int i = 0; i < arguments.Length; i++)
        {
            arguments[i] = Arguments[i];
        }

        return Diagnostic.Create(Descriptor, location, arguments);
    }
}

/// <summary>The outcome of parsing one contract: a model to emit (when it is sound) and what to report.</summary>
internal sealed record ParseResult<T>(T? Spec, Infrastructure.ImmutableEquatableArray<DiagnosticInfo> Diagnostics)
    where T : class;
