using Airlock.Contracts.SocialScale;
using Chirp.Sandbox;

namespace Airlock.PostgreSql.Tests;

/// <summary>
/// Instances of a fleet pointed at one module cache directory (PluginHostOptions.ModuleCache): two processes compile
/// and publish the same module into it at the same time, again and again, and read it back. Needs no PostgreSQL (the
/// instances run on their SQLite stores). In the PostgreSQL tests' collection all the same, so its two compiling
/// processes never run beside (and starve) the database tests' time-bounded commits.
/// </summary>
[Collection("postgres")]
public sealed class SharedModuleCacheTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("airlock-shared-cache-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Two_processes_publishing_the_same_module_into_one_directory_at_once_never_read_a_corrupt_file()
    {
        const int Rounds = 24;
        string cache = Directory.CreateDirectory(Path.Combine(_root, "modules")).FullName;
        string wasm = Path.Combine(Node.Root, "samples", "plugins", "chirp-c", "chirp.wasm");
        await using var a = await Node.StartAsync("sqlite:" + Path.Combine(_root, "a"), "-", "a", approve: false);
        await using var b = await Node.StartAsync("sqlite:" + Path.Combine(_root, "b"), "-", "b", approve: false);

        // Both start with an empty directory, and every second round each deletes what is there (as another instance's
        // eviction would): the two compile and publish the same file at once, and read what the other published.
        Task<string> fromA = a.AskAsync($"cache {cache} {wasm} {Rounds} 2");
        Task<string> fromB = b.AskAsync($"cache {cache} {wasm} {Rounds} 2");
        CacheRun runA = CacheRun.Parse(await fromA), runB = CacheRun.Parse(await fromB);
        foreach (CacheRun run in new[] { runA, runB })
        {
            Assert.Equal(Rounds, run.Calls);

            // A file that failed its checks (a torn, partial or mixed write) would have been counted as rejected.
            Assert.Equal(0, run.Rejected);
            Assert.Equal(Rounds, run.Compiled + run.Read);
        }

        Assert.True(runA.Read + runB.Read > 0, $"no round read a published file: {runA} {runB}");
        Assert.True(runA.Compiled + runB.Compiled >= 2, $"the instances did not publish concurrently: {runA} {runB}");

        // Nothing half-written is left behind, and what is published reads back, verified, in a third process.
        Assert.Empty(Directory.GetFiles(cache, "*.tmp"));
        Assert.Single(Directory.GetFiles(cache, "*.airmod"));
        await using var host = new PluginHost(new PluginHostOptions { ModuleCache = new ModuleCacheOptions { Directory = cache } });
        using var services = new SandboxHostServices(new Uri("http://127.0.0.1:9/"));
        await using (ISocialScalePlugin plugin = await host.LoadFileAsync<ISocialScalePlugin>("com.airlock.samples.chirp-c", "1.0.0", wasm, options: new PluginLoadOptions().AddImports<ISocialScaleHost>(services)))
        {
            Assert.Equal(["chirp"], (await plugin.GetCapabilitiesAsync()).Platforms);
        }

        Assert.Equal(new ModuleCacheStatistics(0, 1, 0, 0, 0), host.ModuleCacheStatistics);
    }

    /// <summary>A node's answer to "cache": "rounds &lt;n&gt; compiled &lt;n&gt; read &lt;n&gt; rejected &lt;n&gt; calls &lt;n&gt;".</summary>
    private sealed record CacheRun(long Compiled, long Read, long Rejected, long Calls)
    {
        public static CacheRun Parse(string answer)
        {
            string[] words = answer.Split(' ');
            Assert.True(words is ["rounds", _, "compiled", _, "read", _, "rejected", _, "calls", _], "unexpected answer: " + answer);
            long Number(int i) => long.Parse(words[i], System.Globalization.CultureInfo.InvariantCulture);
            return new CacheRun(Number(3), Number(5), Number(7), Number(9));
        }
    }
}
