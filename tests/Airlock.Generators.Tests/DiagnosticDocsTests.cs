using System.Reflection;
using Airlock.Generators.Diagnostics;
using Microsoft.CodeAnalysis;

namespace Airlock.Generators.Tests;

/// <summary>Every diagnostic has its help page, with the exact message format, and is release-tracked.</summary>
public sealed class DiagnosticDocsTests
{
    public static TheoryData<string> Ids => [.. Descriptors().Select(d => d.Id)];

    [Theory]
    [MemberData(nameof(Ids))]
    public void The_help_page_exists_and_shows_the_message(string id)
    {
        DiagnosticDescriptor descriptor = Descriptors().Single(d => d.Id == id);
        string page = Airlock.Tests.Checkout.PathOf("docs", "diagnostics", id + ".md");
        Assert.True(File.Exists(page), $"{page} is missing.");
        string text = File.ReadAllText(page);
        Assert.StartsWith($"# {id}: {descriptor.Title}", text, StringComparison.Ordinal);
        Assert.Contains(descriptor.MessageFormat.ToString(System.Globalization.CultureInfo.InvariantCulture), text, StringComparison.Ordinal);
        Assert.EndsWith("docs/diagnostics/" + id + ".md", descriptor.HelpLinkUri, StringComparison.Ordinal);
        string releases = File.ReadAllText(Airlock.Tests.Checkout.PathOf("src", "Generators", "AnalyzerReleases.Unshipped.md"))
            + File.ReadAllText(Airlock.Tests.Checkout.PathOf("src", "Generators", "AnalyzerReleases.Shipped.md"));
        Assert.Contains(id + " | " + descriptor.Category, releases, StringComparison.Ordinal);
    }

    private static IEnumerable<DiagnosticDescriptor> Descriptors()
        => typeof(Descriptors).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!);
}
