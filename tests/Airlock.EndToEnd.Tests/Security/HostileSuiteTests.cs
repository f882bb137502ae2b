using System.Text;
using static Airlock.EndToEnd.Tests.Security.HostileWorld;

namespace Airlock.EndToEnd.Tests.Security;

/// <summary>
/// Every hostile behaviour of <see cref="HostileCases"/>: the typed outcome, then the same checks for
/// all — the misbehaving plugin serves its next call, the bystander plugin is unaffected, and the
/// value acknowledged before the attack is still there.
/// </summary>
public sealed class HostileSuiteTests(HostileWorld world) : IClassFixture<HostileWorld>
{
    private const string DocPath = "docs/security.md";
    private const string Begin = "<!-- hostile-suite:begin -->";
    private const string End = "<!-- hostile-suite:end -->";

    public static TheoryData<string> Cases => [.. HostileCases.All.Select(c => c.Id)];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_hostile_plugin_gets_its_typed_outcome_and_harms_nothing(string id)
    {
        HostileCase hostile = HostileCases.All.Single(c => c.Id == id);
        IHostileProbe? probe = await hostile.Run(world);

        if (probe is not null)
        {
            Assert.Equal(0, probe.Invoke(HostileAction.Log, Bytes("still serving"), []));
        }

        Assert.True(world.Bystander.Invoke(HostileAction.StoreGet, Bytes(AcknowledgedKey), []) > 0);
        Assert.Equal(AcknowledgedValue, Encoding.UTF8.GetString(world.Store.Get("bystander", AcknowledgedKey)!));
        Assert.Equal(0, world.Bystander.Invoke(HostileAction.Log, Bytes("bystander fine"), []));
    }

    [Fact]
    public void The_suite_has_at_least_thirty_behaviours_with_unique_ids()
    {
        Assert.True(HostileCases.All.Count >= 30, $"{HostileCases.All.Count} behaviours");
        Assert.Equal(HostileCases.All.Count, HostileCases.All.Select(c => c.Id).Distinct().Count());
    }

    [Fact]
    public async Task The_security_doc_lists_every_behaviour_as_tested()
    {
        string path = Airlock.Tests.Checkout.PathOf(DocPath);
        string doc = await File.ReadAllTextAsync(path);
        var table = new StringBuilder();
        table.Append(Begin).Append('\n');
        table.Append("| # | behaviour | module | outcome (asserted by the suite) |\n|---|---|---|---|\n");
        int row = 1;
        foreach (HostileCase hostile in HostileCases.All)
        {
            table.Append($"| {row++} | `{hostile.Id}`: {hostile.Behaviour} | {hostile.Module} | {hostile.Outcome} |\n");
        }

        table.Append(End);
        int start = doc.IndexOf(Begin, StringComparison.Ordinal);
        int end = doc.IndexOf(End, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, $"{DocPath} has no {Begin} ... {End} block.");
        string current = doc[start..(end + End.Length)].ReplaceLineEndings("\n");
        if (Environment.GetEnvironmentVariable("AIRLOCK_UPDATE_DOCS") == "1")
        {
            await File.WriteAllTextAsync(path, doc[..start] + table + doc[(end + End.Length)..]);
            return;
        }

        Assert.Equal(table.ToString(), current);
    }
}
