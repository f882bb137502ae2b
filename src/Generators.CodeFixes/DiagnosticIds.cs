namespace Airlock.Generators.CodeFixes;

/// <summary>The ids of the diagnostics these code fixes handle, as <c>Airlock.Generators</c>' descriptors report them.</summary>
internal static class DiagnosticIds
{
    /// <summary>Contract interface must be partial.</summary>
    public const string NotPartial = "AIR001";

    /// <summary>Contract member has no binding.</summary>
    public const string UnboundMember = "AIR006";

    /// <summary>Export name is reserved.</summary>
    public const string ReservedExportName = "AIR008";
}
