using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Airlock.Benchmarks.Plugins;
using Airlock.Benchmarks.Raw;
using Airlock.Contracts.Driftless;
using BenchmarkDotNet.Attributes;

namespace Airlock.Benchmarks.Scenarios;

/// <summary>
/// Scenario 8: a Driftless <c>execute_task</c> on the real Rust <c>#[wasm_bindgen]</c> plugin
/// <c>samples/plugins/driftless-rust/confkit.wasm</c> over the wasm-bindgen ABI: the task's name and
/// its JSON configuration allocated with <c>__wbindgen_malloc</c> and handed to the plugin, which
/// parses the configuration with serde_json, runs the task, calls <c>host_log</c> (and, for
/// <c>render_template</c>, <c>host_get_timestamp</c>) and answers a
/// <c>{"status":"success",...}</c> envelope through the return slot; the envelope read into a
/// <see cref="DriftlessTaskResult"/> and freed. The generated <see cref="IDriftlessPlugin"/>
/// <c>ExecuteTaskAsync</c> (taken as <c>await</c> would) against the hand-written baseline, and the
/// hand-written call reading its result the way Airlock does, which splits the difference into the
/// reading and the rest.
/// </summary>
[MemoryDiagnoser]
public class DriftlessTaskBenchmarks
{
    private readonly BenchDriftlessHost _services = new();
    private PluginHost? _host;
    private IDriftlessPlugin? _plugin;
    private RawEngine? _engine;
    private RawDriftlessPlugin? _raw;
    private JsonDocument? _config;
    private JsonElement _configElement;

    /// <summary>The task: <c>line_in_file</c> (a 26-line <c>sshd_config</c>) or <c>render_template</c> (an nginx server block).</summary>
    [Params("line_in_file", "render_template")]
    public string Task { get; set; } = "line_in_file";

    /// <summary>Loads both paths and checks they read the same result and made the same host calls.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _host = new PluginHost();
        _plugin = BenchSetup.LoadConfkit(_host, _services);
        _engine = new RawEngine();
        _raw = new RawDriftlessPlugin(_engine, BenchModules.Confkit, _services, PluginLimits.Default);
        _config = JsonDocument.Parse(Task == "line_in_file" ? Workloads.LineInFileConfig : Workloads.RenderTemplateConfig);
        _configElement = _config.RootElement;

        int expectedTimestamps = Task == "render_template" ? 1 : 0;
        (long lines, long timestamps) = (_services.LogLines, _services.Timestamps);
        string handWritten = Describe(_raw.ExecuteTask(Task, _configElement));
        Check.That(_services.LogLines - lines == 1 && _services.Timestamps - timestamps == expectedTimestamps, $"{Task}: the hand-written path made {_services.LogLines - lines} host_log and {_services.Timestamps - timestamps} host_get_timestamp calls, not 1 and {expectedTimestamps}.");

        (lines, timestamps) = (_services.LogLines, _services.Timestamps);
        string generated = Describe(BenchSetup.Result(_plugin.ExecuteTaskAsync(Task, _configElement)));
        Check.That(_services.LogLines - lines == 1 && _services.Timestamps - timestamps == expectedTimestamps, $"{Task}: the generated path made {_services.LogLines - lines} host_log and {_services.Timestamps - timestamps} host_get_timestamp calls, not 1 and {expectedTimestamps}.");

        Check.Same(Task, handWritten, generated);
        Check.Same(Task + " (read like Airlock)", handWritten, Describe(_raw.ExecuteTaskReadLikeAirlock(Task, _configElement)));
        string expected = Task == "line_in_file" ? "\"changed\":true,\"message\":\"line 11 replaced\"" : "# Managed by Driftless, rendered 2024-03-01T12:00:00Z";
        Check.That(handWritten.Contains(expected, StringComparison.Ordinal), $"{Task}: the result lacks {expected}: {handWritten}");

        // An error envelope is the same typed error on both paths, and leaves both usable.
        string rawError = Check.Throws<RawPluginErrorException>("no_such_task (hand-written)", () => _raw.ExecuteTask("no_such_task", _configElement)).Message;
        string generatedError = Check.Throws<PluginErrorException>("no_such_task (generated)", () => BenchSetup.Result(_plugin.ExecuteTaskAsync("no_such_task", _configElement))).ErrorMessage;
        Check.Same("no_such_task", rawError, generatedError);

        Console.WriteLine($"// {Task}: config {CompactLength(_configElement)} bytes as sent, result {Encoding.UTF8.GetByteCount(handWritten) + StatusMemberBytes} bytes as answered: {handWritten[..Math.Min(handWritten.Length, 100)]}...");
    }

    /// <summary>Unloads both.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        BenchSetup.Unload(_plugin);
        _host?.Dispose();
        _raw?.Dispose();
        _engine?.Dispose();
        _config?.Dispose();
    }

    /// <summary>The hand-written raw-Wasmtime call.</summary>
    [Benchmark(Baseline = true)]
    public DriftlessTaskResult HandWrittenWasmtime() => _raw!.ExecuteTask(Task, _configElement);

    /// <summary>
    /// The hand-written call reading its result as Airlock does (a pass for <c>"status"</c>, then
    /// System.Text.Json with <see cref="DriftlessJsonContext"/>): not a baseline, the share of the
    /// difference that is the reading.
    /// </summary>
    [Benchmark]
    public DriftlessTaskResult HandWrittenWasmtime_ReadLikeAirlock() => _raw!.ExecuteTaskReadLikeAirlock(Task, _configElement);

    /// <summary>The generated <c>IDriftlessPlugin.ExecuteTaskAsync</c>, awaited.</summary>
    [Benchmark]
    public DriftlessTaskResult AirlockGenerated() => BenchSetup.Result(_plugin!.ExecuteTaskAsync(Task, _configElement));

    // ,"status":"success" (the plugin writes its members in another order; the length is the same).
    private const int StatusMemberBytes = 19;

    // The configuration as both paths write it: compact, non-ASCII kept as UTF-8.
    private static int CompactLength(JsonElement element)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            element.WriteTo(writer);
        }

        return buffer.WrittenCount;
    }

    // The result as the contract's JSON metadata writes it, members and extension data, without the
    // envelope's "status": the generated reader leaves it in the extension data (the members the
    // result type does not name), the hand-written one consumes it as the envelope.
    private static string Describe(DriftlessTaskResult result)
    {
        Dictionary<string, JsonElement>? extra = result.Extra?
            .Where(member => member.Key != "status")
            .ToDictionary(member => member.Key, member => member.Value, StringComparer.Ordinal);
        return JsonSerializer.Serialize(result with { Extra = extra }, DriftlessJsonContext.Default.DriftlessTaskResult);
    }
}
