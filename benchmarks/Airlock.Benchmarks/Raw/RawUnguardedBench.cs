using Airlock.Benchmarks.Plugins;
using Airlock.Contracts.SocialScale;
using Wasmtime;

namespace Airlock.Benchmarks.Raw;

/// <summary>
/// The "raw Wasmtime" rows: <c>bench-c</c> called the way a developer would without any SDK and without
/// any safety work — an engine with neither fuel nor epoch interruption (no deadline can stop a call), one
/// store and one instance (no pool: one caller at a time), typed delegates. The marshalling is the
/// hand-written baseline's own (<see cref="RawBenchInstance"/>): the cheapest correct way to move the
/// same JSON across, so the difference to Airlock is what safety and the SDK cost together.
/// </summary>
public sealed class RawUnguardedBench : IDisposable
{
    private readonly RawEngine _engine;
    private readonly Module _module;
    private readonly Linker _linker;
    private readonly RawBenchInstance _instance;

    /// <summary>Compiles <c>bench-c</c> on an unguarded engine and instantiates it once.</summary>
    /// <param name="host">The host services the imports call.</param>
    public RawUnguardedBench(BenchHostServices host)
    {
        _engine = new RawEngine(epochs: false);
        _module = _engine.Compile(BenchModules.BenchId, BenchModules.Bench);
        _linker = new Linker(_engine.Engine);
        RawBenchPlugin.DefineImports(_linker, host);

        // The default limits only cap memory growth, which these calls never reach.
        _instance = new RawBenchInstance(_engine.Engine, _linker, _module, PluginLimits.Default);
    }

    /// <summary><c>add(a, b)</c> through the cached <c>Func&lt;int, int, int&gt;</c>.</summary>
    /// <param name="a">The first addend.</param>
    /// <param name="b">The second addend.</param>
    public int Add(int a, int b) => _instance.AddExport(a, b);

    /// <summary>The publish round trip: request written, allocated, called, response read and freed.</summary>
    /// <param name="text">The post's text.</param>
    /// <param name="mediaUrls">Its media.</param>
    /// <param name="hashtags">Its hashtags.</param>
    public PublishResult Publish(string text, IReadOnlyList<string> mediaUrls, IReadOnlyList<string> hashtags) => _instance.Publish(text, mediaUrls, hashtags);

    /// <inheritdoc/>
    public void Dispose()
    {
        _instance.Dispose();
        _linker.Dispose();
        _module.Dispose();
        _engine.Dispose();
    }
}
