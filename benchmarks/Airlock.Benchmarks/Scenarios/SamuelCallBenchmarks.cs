using System.Text.Json;
using Airlock.Benchmarks.Plugins;
using Samples.SamuelHello;
using Airlock.Benchmarks.Raw;
using Airlock.Contracts.Samuel;
using Airlock.Samuel;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace Airlock.Benchmarks.Scenarios;

/// <summary>
/// Scenario 10: a call on a loaded Samuel plugin's warm instance. <c>greet</c> on <c>samuel-hello</c> (17 bytes in,
/// 29 bytes out): the dynamic call by name (<see cref="SamuelPlugin.InvokeAsync(string, JsonElement, CancellationToken)"/>
/// and its typed overload), the generated call (<see cref="ISamuelHello.GreetAsync"/>), and the hand-written
/// Wasmtime call (malloc, copy the JSON in, call, free the input, check and read the packed result, free it), reading
/// into the same record in one pass or into a <see cref="JsonElement"/> as the dynamic call does. <c>health</c> on
/// <c>samuel-lint</c> (the plugin's own report, one <c>samuel.soft_deadline_ms</c> host call, serde_json): the dynamic
/// call, the generated <see cref="ISamuelLinter.HealthAsync"/> and the hand-written call, all reading a
/// <see cref="JsonElement"/>. Calls are taken as <c>await</c> would take them.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class SamuelCallBenchmarks
{
    private const string Greet = "greet";
    private const string Health = "health";

    private readonly GreetRequest _request = new("Samuel");
    private BenchSamuel? _samuel;
    private PluginHost? _host;
    private SamuelPlugin? _hello;
    private ISamuelHello? _greeter;
    private SamuelPlugin? _lint;
    private ISamuelLinter? _linter;
    private RawEngine? _engine;
    private RawSamuelPlugin? _rawHello;
    private RawSamuelPlugin? _rawLint;
    private JsonElement _greetInput;
    private JsonElement _healthInput;

    /// <summary>Loads every path and checks they answer the same, and fail the same way.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _samuel = new BenchSamuel();
        _greetInput = _samuel.GreetInput;
        _healthInput = _samuel.EmptyInput;
        _host = new PluginHost();
        _hello = BenchSetup.LoadSamuel(_host, _samuel, BenchSamuel.Hello);
        _greeter = BenchSetup.LoadSamuel<ISamuelHello>(_host, _samuel, BenchSamuel.Hello);
        _lint = BenchSetup.LoadSamuel(_host, _samuel, BenchSamuel.Lint);
        _linter = BenchSetup.LoadSamuel<ISamuelLinter>(_host, _samuel, BenchSamuel.Lint);
        _engine = new RawEngine();
        _rawHello = Load(_engine, _samuel.RawSetup(BenchSamuel.Hello));
        _rawLint = Load(_engine, _samuel.RawSetup(BenchSamuel.Lint));

        string greeting = BenchSamuel.Describe(BenchSamuel.Hello, HandWritten_Greet_JsonElement());
        Check.Same("greet as a JsonElement", greeting, BenchSamuel.Describe(BenchSamuel.Hello, Dynamic_Greet_JsonElement()));
        GreetReply typed = HandWritten_Greet();
        Check.Same("greet", typed, Dynamic_Greet_Typed());
        Check.Same("greet", typed, Generated_GreetAsync());
        Check.Same("greet", typed.Greeting, "Hello, Samuel!");

        string health = BenchSamuel.Describe(BenchSamuel.Lint, HandWritten_Health());
        Check.Same("health", health, BenchSamuel.Describe(BenchSamuel.Lint, Dynamic_Health()));
        Check.Same("health", health, BenchSamuel.Describe(BenchSamuel.Lint, Generated_HealthAsync()));

        // A plugin's error (greet without a name) is the same error on every path, and leaves every path serving.
        using JsonDocument nameless = JsonDocument.Parse("{}");
        RawPluginErrorException raw = Check.Throws<RawPluginErrorException>("greet {} (hand-written)", () => _rawHello.Invoke(Greet, nameless.RootElement));
        PluginErrorException dynamic = Check.Throws<PluginErrorException>("greet {} (dynamic)", () => BenchSetup.Result(_hello.InvokeAsync(Greet, nameless.RootElement)));
        Check.Same("greet {}: code", raw.Code, dynamic.Code);
        Check.Same("greet {}: message", raw.Message, dynamic.ErrorMessage);
        Check.Same("greet after an error", typed, HandWritten_Greet());
        Check.Same("greet after an error", greeting, BenchSamuel.Describe(BenchSamuel.Hello, Dynamic_Greet_JsonElement()));
        Console.WriteLine($"// greet answers {greeting}; health answers {health}");
    }

    /// <summary>Unloads everything.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        BenchSetup.Unload(_hello);
        BenchSetup.Unload(_greeter);
        BenchSetup.Unload(_lint);
        BenchSetup.Unload(_linter);
        _host?.Dispose();
        _rawHello?.Dispose();
        _rawLint?.Dispose();
        _engine?.Dispose();
        _samuel?.Dispose();
    }

    /// <summary>Hand-written <c>greet</c>, read in one pass into a <see cref="GreetReply"/>.</summary>
    [BenchmarkCategory(Greet)]
    [Benchmark(Baseline = true)]
    public GreetReply HandWritten_Greet() => _rawHello!.Greet(_request);

    /// <summary>Hand-written <c>greet</c> from and to a <see cref="JsonElement"/>, as the dynamic call takes and gives it.</summary>
    [BenchmarkCategory(Greet)]
    [Benchmark]
    public JsonElement HandWritten_Greet_JsonElement() => _rawHello!.Invoke(Greet, _greetInput);

    /// <summary>The dynamic call: <c>SamuelPlugin.InvokeAsync("greet", JsonElement)</c>.</summary>
    [BenchmarkCategory(Greet)]
    [Benchmark]
    public JsonElement Dynamic_Greet_JsonElement() => BenchSetup.Result(_hello!.InvokeAsync(Greet, _greetInput));

    /// <summary>The dynamic call's typed overload, with <see cref="SamuelHelloJsonContext"/>'s metadata.</summary>
    [BenchmarkCategory(Greet)]
    [Benchmark]
    public GreetReply Dynamic_Greet_Typed()
        => BenchSetup.Result(_hello!.InvokeAsync(Greet, _request, SamuelHelloJsonContext.Default.GreetRequest, SamuelHelloJsonContext.Default.GreetReply));

    /// <summary>The generated call: <see cref="ISamuelHello.GreetAsync"/>.</summary>
    [BenchmarkCategory(Greet)]
    [Benchmark]
    public GreetReply Generated_GreetAsync() => BenchSetup.Result(_greeter!.GreetAsync(_request));

    /// <summary>Hand-written <c>health</c>, read into a <see cref="JsonElement"/>.</summary>
    [BenchmarkCategory(Health)]
    [Benchmark(Baseline = true)]
    public JsonElement HandWritten_Health() => _rawLint!.Invoke(Health, _healthInput);

    /// <summary>The dynamic call: <c>SamuelPlugin.InvokeAsync("health", JsonElement)</c>.</summary>
    [BenchmarkCategory(Health)]
    [Benchmark]
    public JsonElement Dynamic_Health() => BenchSetup.Result(_lint!.InvokeAsync(Health, _healthInput));

    /// <summary>The generated call: <see cref="ISamuelLinter.HealthAsync"/>.</summary>
    [BenchmarkCategory(Health)]
    [Benchmark]
    public JsonElement Generated_HealthAsync() => BenchSetup.Result(_linter!.HealthAsync(_healthInput));

    private static RawSamuelPlugin Load(RawEngine engine, RawSamuelSetup setup)
        => new(engine, engine.Compile(setup.Name, File.ReadAllBytes(setup.ModulePath)), setup);
}
