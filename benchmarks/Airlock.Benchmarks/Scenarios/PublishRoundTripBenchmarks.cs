using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Airlock.Benchmarks.Plugins;
using Airlock.Benchmarks.Raw;
using Airlock.Contracts.SocialScale;
using BenchmarkDotNet.Attributes;

namespace Airlock.Benchmarks.Scenarios;

/// <summary>
/// Scenario 2: a SocialScale <c>publish</c> round trip through <c>bench-c</c> — a ~300-byte JSON
/// request in (allocated in the guest, freed after), a small <c>{"status":"ok",...}</c> response out
/// (checked, read, freed). The generated <see cref="ISocialScalePlugin"/> <c>PublishAsync</c> (its
/// <see cref="ValueTask{TResult}"/> completes synchronously when an instance is idle; its result is taken
/// as <c>await</c> would), the synchronous core the generator emits for the same request union
/// (<see cref="IBenchPlugin"/> <c>Publish</c>), the hand-written baseline with the same safety work, and
/// the unguarded raw-Wasmtime round trip (<see cref="RawUnguardedBench"/>): the baseline of the ratios.
/// <c>AirlockGenerated_PublishAsync_ListenerAttached</c> is <c>PublishAsync</c> with every Airlock instrument enabled
/// and every Airlock span sampled (<see cref="TelemetryListeners"/>); the other rows run with nothing listening.
/// </summary>
[MemoryDiagnoser]
public class PublishRoundTripBenchmarks
{
    private readonly BenchHostServices _services = new();
    private BenchPair? _pair;
    private ISocialScalePlugin? _socialScale;
    private IBenchPlugin? _bench;
    private RawBenchPlugin? _raw;
    private RawUnguardedBench? _unguarded;
    private readonly string _text = Workloads.PublishText;
    private readonly IReadOnlyList<string> _mediaUrls = Workloads.MediaUrls;
    private readonly IReadOnlyList<string> _hashtags = Workloads.Hashtags;
    private TelemetryListeners? _listeners;

    /// <summary>Loads the three paths and checks they send the same request and read the same answer.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _pair = new BenchPair(_services);
        _socialScale = BenchSetup.LoadSocialScale(_pair.Host, _services);
        _bench = _pair.Plugin;
        _raw = _pair.Raw;
        _unguarded = new RawUnguardedBench(_services);

        // bench-c names its post after the FNV-1a of the request bytes and its URL after their length,
        // so equal answers mean byte-identical requests.
        PublishResult handWritten = _raw.Publish(_text, _mediaUrls, _hashtags);
        Check.Same("publish (PublishAsync)", handWritten, BenchSetup.Result(_socialScale.PublishAsync(_text, _mediaUrls, _hashtags)));
        Check.Same("publish (synchronous Publish)", handWritten, _bench.Publish(_text, _mediaUrls, _hashtags));
        Check.Same("publish (unguarded)", handWritten, _unguarded.Publish(_text, _mediaUrls, _hashtags));

        int request = RequestLength(new PublishRequest(_text, _mediaUrls, _hashtags));
        Check.That(handWritten.Url == "https://bench.example/p/" + request, $"publish: the plugin saw a request of another length than the {request} bytes expected ({handWritten.Url}).");
        Check.That(request is >= 250 and <= 350, $"publish: the request is {request} bytes, not about 300.");
        Console.WriteLine($"// publish request: {request} bytes, response: {Encoding.UTF8.GetByteCount($"{{\"status\":\"ok\",\"post_id\":\"{handWritten.PostId}\",\"url\":\"{handWritten.Url}\"}}")} bytes");
    }

    /// <summary>Loads the paths, then attaches the telemetry listeners.</summary>
    [GlobalSetup(Target = nameof(AirlockGenerated_PublishAsync_ListenerAttached))]
    public void SetupListened()
    {
        Setup();
        _listeners = new TelemetryListeners();
        Check.Same("publish with listeners", _raw!.Publish(_text, _mediaUrls, _hashtags), BenchSetup.Result(_socialScale!.PublishAsync(_text, _mediaUrls, _hashtags)));
        _listeners.CheckObserved("publish");
    }

    /// <summary>Unloads all three.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        BenchSetup.Unload(_socialScale);
        _pair?.Dispose();
        _unguarded?.Dispose();
    }

    /// <summary>Detaches the listeners and unloads all three.</summary>
    [GlobalCleanup(Target = nameof(AirlockGenerated_PublishAsync_ListenerAttached))]
    public void CleanupListened()
    {
        _listeners?.Dispose();
        Cleanup();
    }

    /// <summary>The raw Wasmtime round trip without any safety work.</summary>
    [Benchmark(Baseline = true)]
    public PublishResult RawWasmtime_Unguarded() => _unguarded!.Publish(_text, _mediaUrls, _hashtags);

    /// <summary>The hand-written raw-Wasmtime round trip with the host's safety work.</summary>
    [Benchmark]
    public PublishResult HandWrittenWasmtime() => _raw!.Publish(_text, _mediaUrls, _hashtags);

    /// <summary>The generated <c>ISocialScalePlugin.PublishAsync</c>, awaited.</summary>
    [Benchmark]
    public PublishResult AirlockGenerated_PublishAsync() => BenchSetup.Result(_socialScale!.PublishAsync(_text, _mediaUrls, _hashtags));

    /// <summary>The generated <c>ISocialScalePlugin.PublishAsync</c> with a meter listener and an activity listener attached.</summary>
    [Benchmark]
    public PublishResult AirlockGenerated_PublishAsync_ListenerAttached() => BenchSetup.Result(_socialScale!.PublishAsync(_text, _mediaUrls, _hashtags));

    /// <summary>The generated synchronous <c>IBenchPlugin.Publish</c> over the same request union.</summary>
    [Benchmark]
    public PublishResult AirlockGenerated_SyncCore() => _bench!.Publish(_text, _mediaUrls, _hashtags);

    // The request as the host writes it: UTF-8 kept as is, not escaped.
    private static int RequestLength(PluginRequest request)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            JsonSerializer.Serialize(writer, request, SocialScaleJsonContext.Default.PluginRequest);
        }

        return buffer.WrittenCount;
    }
}
