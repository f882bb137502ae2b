using Airlock.Benchmarks.Plugins;
using Airlock.Benchmarks.Raw;
using BenchmarkDotNet.Attributes;

namespace Airlock.Benchmarks.Scenarios;

/// <summary>
/// Scenario 6: calls per second on one plugin (one instance pool of two instances), from one caller
/// and from two callers at once. Each invocation makes <see cref="Calls"/> calls in total, split evenly
/// between the callers; the time reported is per call, so calls per second is its inverse and the
/// ratio column is one caller's time over two callers' (0.5 is a perfect 2x). The hand-written
/// raw-Wasmtime plugin (its own lock-free pool of two instances) runs the same calls from one and two
/// callers, to show how far two callers can go on this machine at all.
/// </summary>
[MemoryDiagnoser]
public class ThroughputBenchmarks
{
    /// <summary>
    /// Calls per invocation, across all callers: enough (milliseconds of work) that waking the second
    /// caller's thread, tens of microseconds on a busy 2-core machine, is not part of what is measured.
    /// </summary>
    public const int Calls = 32768;

    private readonly BenchHostServices _services = new();
    private readonly SemaphoreSlim _go = new(0);
    private readonly SemaphoreSlim _done = new(0);
    private BenchPair? _pair;
    private IBenchPlugin? _plugin;
    private Thread? _second;
    private volatile bool _stopping;
    private Exception? _secondFailure;
    private RawBenchPlugin? _raw;
    private volatile bool _handWritten;
    private readonly string _text = Workloads.PublishText;
    private readonly IReadOnlyList<string> _mediaUrls = Workloads.MediaUrls;
    private readonly IReadOnlyList<string> _hashtags = Workloads.Hashtags;

    /// <summary>What each call is: <c>add</c> (the scalar export) or <c>publish</c> (the JSON round trip).</summary>
    [Params("add", "publish")]
    public string Workload { get; set; } = "add";

    /// <summary>Loads the plugin with two instances, starts the second caller and warms both instances.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _pair = new BenchPair(_services, PluginLimits.Default with { MaxInstances = 2 });
        _plugin = _pair.Plugin;
        _raw = _pair.Raw;
        _second = new Thread(SecondCaller) { IsBackground = true, Name = "second caller" };
        _second.Start();

        Check.That(_plugin.Add(40, 2) == 42, "throughput: add(40, 2) is not 42.");
        string expected = _plugin.Publish(_text, _mediaUrls, _hashtags).PostId;
        TwoCallers();
        Check.That(_plugin.Publish(_text, _mediaUrls, _hashtags).PostId == expected, "throughput: publish answers differently after concurrent calls.");
        Check.That(_raw.Publish(_text, _mediaUrls, _hashtags).PostId == expected, "throughput: the hand-written publish answers differently.");
        HandWritten_TwoCallers();
    }

    /// <summary>Stops the second caller and unloads the plugin.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _stopping = true;
        _go.Release();
        _second?.Join();
        _pair?.Dispose();
        _go.Dispose();
        _done.Dispose();
    }

    /// <summary>All calls from one caller.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Calls)]
    public void OneCaller() => Run(Calls);

    /// <summary>Half the calls from this thread, half from a second one at the same time.</summary>
    [Benchmark(OperationsPerInvoke = Calls)]
    public void TwoCallers() => RunTwo(handWritten: false);

    /// <summary>The hand-written plugin, one caller.</summary>
    [Benchmark(OperationsPerInvoke = Calls)]
    public void HandWritten_OneCaller() => RunHandWritten(Calls);

    /// <summary>The hand-written plugin, two callers.</summary>
    [Benchmark(OperationsPerInvoke = Calls)]
    public void HandWritten_TwoCallers() => RunTwo(handWritten: true);

    private void RunTwo(bool handWritten)
    {
        _handWritten = handWritten;
        _go.Release();
        Run(Calls / 2, handWritten);
        _done.Wait();
        if (Interlocked.Exchange(ref _secondFailure, null) is { } failure)
        {
            throw new InvalidOperationException("The second caller failed.", failure);
        }
    }

    private void Run(int calls, bool handWritten)
    {
        if (handWritten)
        {
            RunHandWritten(calls);
        }
        else
        {
            Run(calls);
        }
    }

    private void RunHandWritten(int calls)
    {
        RawBenchPlugin raw = _raw!;
        if (Workload == "add")
        {
            for (int i = 0; i < calls; i++)
            {
                raw.Add(i, 1);
            }
        }
        else
        {
            for (int i = 0; i < calls; i++)
            {
                raw.Publish(_text, _mediaUrls, _hashtags);
            }
        }
    }

    private void Run(int calls)
    {
        IBenchPlugin plugin = _plugin!;
        if (Workload == "add")
        {
            for (int i = 0; i < calls; i++)
            {
                plugin.Add(i, 1);
            }
        }
        else
        {
            for (int i = 0; i < calls; i++)
            {
                plugin.Publish(_text, _mediaUrls, _hashtags);
            }
        }
    }

    private void SecondCaller()
    {
        while (true)
        {
            _go.Wait();
            if (_stopping)
            {
                return;
            }

            try
            {
                Run(Calls / 2, _handWritten);
            }
            catch (Exception exception)
            {
                _secondFailure = exception;
            }

            _done.Release();
        }
    }
}
