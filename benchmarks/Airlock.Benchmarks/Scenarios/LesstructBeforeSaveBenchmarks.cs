using System.Text.Json;
using Airlock.Benchmarks.Plugins;
using Airlock.Benchmarks.Raw;
using Airlock.Contracts.Lesstruct;
using BenchmarkDotNet.Attributes;

namespace Airlock.Benchmarks.Scenarios;

/// <summary>
/// Scenario 3: the Lesstruct <c>hook_before_save</c> of the real
/// <c>samples/plugins/lesstruct-redact-c/plugin.wasm</c> over the fixed-offset ABI, with a ~1 KB
/// <see cref="ContentItem"/> whose custom fields the plugin masks: the item written at 65536, the hook's
/// result (as long as the input) checked and read. The generated <see cref="ILesstructPlugin"/>
/// <c>BeforeSaveAsync</c> (taken as <c>await</c> would) against the hand-written baseline.
/// </summary>
[MemoryDiagnoser]
public class LesstructBeforeSaveBenchmarks
{
    private PluginHost? _host;
    private ILesstructPlugin? _plugin;
    private RawEngine? _engine;
    private RawRedactPlugin? _raw;
    private readonly ContentItem _item = Workloads.ContentItem;

    /// <summary>Loads both paths and checks they read the same masked custom fields.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _host = new PluginHost();
        _plugin = BenchSetup.LoadRedact(_host);
        _engine = new RawEngine();

        // The hand-written host works out the input window once, from the module's data layout.
        ulong windowEnd = _plugin.Info.MemoryLayout.WindowEnd(ILesstructPlugin.InputOffset, out _);
        _raw = new RawRedactPlugin(_engine, BenchModules.Redact, windowEnd, PluginLimits.Default);

        int inputLength = JsonSerializer.SerializeToUtf8Bytes(_item, LesstructJsonContext.Default.ContentItem).Length;
        Check.That(inputLength is >= 900 and <= 1200, $"before_save: the item is {inputLength} bytes, not about 1 KB.");
        string handWritten = Describe(_raw.BeforeSave(_item));
        string generated = Describe(BenchSetup.Result(_plugin.BeforeSaveAsync(_item)));
        Check.Same("before_save custom fields", handWritten, generated);
        Check.That(handWritten.Contains("**** good release", StringComparison.Ordinal) && handWritten.Contains("****, the build", StringComparison.Ordinal), $"before_save: the plugin did not mask the blocked words: {handWritten}");
        Console.WriteLine($"// before_save item: {inputLength} bytes");
    }

    /// <summary>Unloads both.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        BenchSetup.Unload(_plugin);
        _host?.Dispose();
        _raw?.Dispose();
        _engine?.Dispose();
    }

    /// <summary>The hand-written raw-Wasmtime hook call.</summary>
    [Benchmark(Baseline = true)]
    public ContentHookResult? HandWrittenWasmtime() => _raw!.BeforeSave(_item);

    /// <summary>The generated <c>ILesstructPlugin.BeforeSaveAsync</c>, awaited.</summary>
    [Benchmark]
    public ContentHookResult? AirlockGenerated() => BenchSetup.Result(_plugin!.BeforeSaveAsync(_item));

    private static string Describe(ContentHookResult? result)
        => result?.CustomFields is null ? "(no change)" : JsonSerializer.Serialize(result.CustomFields, LesstructJsonContext.Default.DictionaryStringJsonElement);
}
