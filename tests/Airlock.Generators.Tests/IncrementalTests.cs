using System.Collections;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Airlock.Generators.Tests;

/// <summary>The pipeline caches: an unrelated edit regenerates nothing, and models hold no symbols.</summary>
public sealed class IncrementalTests
{
    [Fact]
    public void An_unrelated_edit_regenerates_nothing()
    {
        CSharpCompilation compilation = GeneratorHarness.Compile(Contracts.Greeter, Contracts.Connector, Contracts.Host);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);

        CSharpCompilation edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Other; public static class Unrelated { public static int Value => 42; }", GeneratorHarness.ParseOptions));
        GeneratorRunResult result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        foreach (string step in new[] { TrackingNames.Contracts, TrackingNames.Hosts })
        {
            IncrementalGeneratorRunStep[] runs = [.. result.TrackedSteps[step]];
            Assert.NotEmpty(runs);
            Assert.All(runs.SelectMany(r => r.Outputs), output => Assert.True(output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step} output was {output.Reason}"));
        }

        Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(r => r.Outputs), output => Assert.Equal(IncrementalStepRunReason.Cached, output.Reason));
    }

    [Fact]
    public void Editing_a_contract_regenerates_it()
    {
        CSharpCompilation compilation = GeneratorHarness.Compile(Contracts.Greeter);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        SyntaxTree old = compilation.SyntaxTrees.Single();
        CSharpCompilation edited = compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(Contracts.Greeter.Replace("\"add\"", "\"sum\"", StringComparison.Ordinal), GeneratorHarness.ParseOptions, path: old.FilePath));
        GeneratorRunResult result = driver.RunGenerators(edited).GetRunResult().Results.Single();
        Assert.Contains(result.TrackedSteps[TrackingNames.Contracts].SelectMany(r => r.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains("\"sum\"", result.GeneratedSources.Single().SourceText.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Models_hold_no_symbols_or_syntax()
    {
        GeneratorRunResult result = GeneratorHarness.Run(Contracts.Greeter, Contracts.Connector, Contracts.Host).Results.Single();
        foreach (string step in new[] { TrackingNames.Contracts, TrackingNames.Hosts })
        {
            foreach (object model in result.TrackedSteps[step].SelectMany(r => r.Outputs).Select(o => o.Value))
            {
                AssertNoCompilerObjects(model, [], step);
            }
        }
    }

    internal static void AssertNoCompilerObjects(object? value, HashSet<object> seen, string path)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || !seen.Add(value))
        {
            return;
        }

        Type type = value.GetType();
        Assert.False(value is ISymbol or SyntaxNode or Compilation or SemanticModel or SyntaxTree, $"{path} holds a {type.Name}");
        if (value is IEnumerable items)
        {
            int i = 0;
            foreach (object? item in items)
            {
                AssertNoCompilerObjects(item, seen, $"{path}[{i++}]");
            }
        }

        foreach (FieldInfo field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            if (field.FieldType == typeof(Microsoft.CodeAnalysis.Text.TextSpan) || field.FieldType == typeof(Microsoft.CodeAnalysis.Text.LinePositionSpan) || field.FieldType == typeof(DiagnosticDescriptor))
            {
                continue;
            }

            AssertNoCompilerObjects(field.GetValue(value), seen, path + "." + field.Name);
        }
    }
}
