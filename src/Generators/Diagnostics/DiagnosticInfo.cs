using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Airlock.Generators.Diagnostics;

/// <summary>A source location as a value: no syntax tree, so a model holding it compares by value.</summary>
/// <param name="FilePath">The file.</param>
/// <param name="Span">The span in the file (empty for a whole file).</param>
/// <param name="LineSpan">The span as lines and columns.</param>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    /// <summary>The value of a location in source, or null for metadata and other locations.</summary>
    public static LocationInfo? From(Location? location)
        => location is { IsInSource: true, SourceTree: { } tree } ? new LocationInfo(tree.FilePath, location.SourceSpan, location.GetLineSpan().Span) : null;

    /// <summary>A whole file that is not C# (a plugin module).</summary>
    public static LocationInfo File(string path) => new(path, default, default);

    public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);
}

/// <summary>
/// A diagnostic as the incremental pipeline carries it: no symbols, no syntax trees, only values, so
/// that an unchanged input compares equal and its outputs are cached.
/// </summary>
internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, LocationInfo? Location, Infrastructure.ImmutableEquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] arguments)
        => new(descriptor, location, new Infrastructure.ImmutableEquatableArray<string>(arguments));

    public Diagnostic ToDiagnostic()
    {
        object[] arguments = new object[Arguments.Count];
        for (int i = 0; i < arguments.Length; i++)
        {
            arguments[i] = Arguments[i];
        }

        return Diagnostic.Create(Descriptor, Location?.ToLocation() ?? Microsoft.CodeAnalysis.Location.None, arguments);
    }
}
