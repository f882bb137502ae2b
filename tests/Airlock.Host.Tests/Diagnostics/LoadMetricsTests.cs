using Airlock.Diagnostics;
using Airlock.Security;
using Microsoft.Extensions.DependencyInjection;
using System.Diagnostics.Metrics;
using Tags = Airlock.Diagnostics.AirlockTelemetry.Tags;
using Names = Airlock.Diagnostics.AirlockTelemetry.Instruments;

namespace Airlock.Host.Tests.Diagnostics;

/// <summary>Load and compile durations, module cache hits, misses and evictions, approval denials, and the meter a container owns.</summary>
[Collection(TelemetryCollection.Name)]
public sealed class LoadMetricsTests : IDisposable
{
    private readonly OwnMeterFactory _meters = new();
    private readonly AirlockInstruments _instruments;
    private readonly TelemetryCapture _capture;

    public LoadMetricsTests()
    {
        _instruments = AirlockInstruments.For(_meters);
        _capture = new TelemetryCapture(_instruments.Meter, spans: false);
    }

    public void Dispose()
    {
        _capture.Dispose();
        _meters.Dispose();
    }

    [Fact]
    public async Task A_first_load_compiles_and_a_second_is_served_from_memory()
    {
        await using var host = new PluginHost(null, null, null, _instruments);
        byte[] module = ProbeModules.Compile(ProbeModules.Module());
        await using IProbePlugin first = await host.LoadModuleAsync<IProbePlugin>("first", module);
        await using IProbePlugin second = await host.LoadModuleAsync<IProbePlugin>("second", module);

        Point compile = Assert.Single(_capture.Of(Names.CompileDuration));
        Assert.Equal("first", compile.Tag(Tags.Plugin));
        Assert.InRange(compile.Value, 1e-7, 30);

        Point firstLoad = Assert.Single(_capture.Of(Names.LoadDuration), p => p.Tag(Tags.Plugin) == "first");
        Assert.Equal("compile", firstLoad.Tag(Tags.Source));
        Assert.True(firstLoad.Value >= compile.Value, "The load includes its compilation.");
        Assert.Equal("memory", Assert.Single(_capture.Of(Names.LoadDuration), p => p.Tag(Tags.Plugin) == "second").Tag(Tags.Source));

        Assert.Equal(1, _capture.Sum(Names.ModuleCache, (Tags.Result, "miss")));
        Assert.Equal(1, _capture.Sum(Names.ModuleCache, (Tags.Result, "hit")));
        Assert.Equal(0, _capture.Sum(Names.ModuleCache, (Tags.Result, "eviction")));
    }

    [Fact]
    public async Task A_module_pushed_out_of_the_idle_modules_is_an_eviction()
    {
        await using var host = new PluginHost(new PluginHostOptions { MaxIdleModules = 1 }, null, null, _instruments);
        byte[] one = ProbeModules.Compile(ProbeModules.Module());
        byte[] two = ProbeModules.Compile(ProbeModules.Module(extra: """(func (export "other"))"""));
        await (await host.LoadModuleAsync<IProbePlugin>("one", one)).DisposeAsync();
        Assert.Equal(0, _capture.Sum(Names.ModuleCache, (Tags.Result, "eviction")));

        // The second module unloading pushes the first (the oldest idle module) out.
        await (await host.LoadModuleAsync<IProbePlugin>("two", two)).DisposeAsync();
        Assert.Equal(1, _capture.Sum(Names.ModuleCache, (Tags.Result, "eviction")));
        Assert.Equal(2, _capture.Sum(Names.ModuleCache, (Tags.Result, "miss")));

        // Loading the first again compiles it again: a miss, not a hit.
        await (await host.LoadModuleAsync<IProbePlugin>("one", one)).DisposeAsync();
        Assert.Equal(3, _capture.Sum(Names.ModuleCache, (Tags.Result, "miss")));
        Assert.Equal(0, _capture.Sum(Names.ModuleCache, (Tags.Result, "hit")));
    }

    [Fact]
    public async Task A_disk_cache_hit_is_a_hit_and_the_load_says_it_came_from_disk()
    {
        string folder = Directory.CreateTempSubdirectory("airlock-obs-").FullName;
        try
        {
            var options = new PluginHostOptions { ModuleCache = new ModuleCacheOptions { Directory = folder } };
            byte[] module = ProbeModules.Compile(ProbeModules.Module());
            await using (var writer = new PluginHost(options, null, null, _instruments))
            {
                await (await writer.LoadModuleAsync<IProbePlugin>("cached", module)).DisposeAsync();
            }

            await using var reader = new PluginHost(options, null, null, _instruments);
            await using IProbePlugin plugin = await reader.LoadModuleAsync<IProbePlugin>("cached", module);
            Assert.Equal(2, plugin.Ping(1));

            Assert.Equal(1, _capture.Sum(Names.ModuleCache, (Tags.Result, "miss")));
            Assert.Equal(1, _capture.Sum(Names.ModuleCache, (Tags.Result, "hit")));
            Assert.Equal(["compile", "disk"], _capture.Of(Names.LoadDuration).Select(p => p.Tag(Tags.Source)));
            Assert.Single(_capture.Of(Names.CompileDuration));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_refused_approval_counts_as_a_denial_of_the_approval_capability()
    {
        string folder = Directory.CreateTempSubdirectory("airlock-obs-").FullName;
        try
        {
            using var store = new SqliteApprovalStore(Path.Combine(folder, "approvals.db"));
            var approvals = new PluginApprovals(store, new DenyAllPolicy()) { Instruments = _instruments };
            PluginManifest manifest = PluginManifest.Parse(
                System.Text.Encoding.UTF8.GetBytes("""{"id": "needy", "name": "Needy", "version": "1.0.0", "capabilities": ["platform_connector"], "wasm_path": "p.wasm", "permissions": {"storage_access": true}}"""),
                Path.Combine(folder, "plugin.json"));
            await Assert.ThrowsAsync<PluginApprovalException>(() => approvals.EnsureApprovedAsync(manifest, new string('a', 64)));

            Point denial = Assert.Single(_capture.Of(Names.Denials));
            Assert.Equal("needy", denial.Tag(Tags.Plugin));
            Assert.Equal("approval", denial.Tag(Tags.Capability));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_host_made_by_AddAirlock_reports_through_the_containers_meter_factory()
    {
        string folder = Directory.CreateTempSubdirectory("airlock-obs-").FullName;
        try
        {
            var services = new ServiceCollection();
            services.AddSingleton<IMeterFactory>(_meters);
            services.AddAirlock(o => o.DataDirectory = folder);
            await using (ServiceProvider provider = services.BuildServiceProvider())
            {
                PluginHost host = provider.GetRequiredService<PluginHost>();
                Assert.Same(provider.GetRequiredService<AirlockInstruments>(), host.Instruments);
                Assert.NotSame(AirlockInstruments.Shared, host.Instruments);
                Assert.Equal(AirlockTelemetry.SourceName, host.Instruments.Meter.Name);
                Assert.Same(host.Instruments, provider.GetRequiredService<Airlock.Services.LogRateLimiter>().Instruments);

                using var capture = new TelemetryCapture(host.Instruments.Meter, spans: false);
                await using IProbePlugin plugin = await host.LoadModuleAsync<IProbePlugin>("injected", ProbeModules.Compile(ProbeModules.Module()));
                Assert.Equal(8, plugin.Ping(7));
                Assert.Equal(1, capture.Sum(Names.Calls, (Tags.Plugin, "injected")));
            }

            // Without a meter factory in the container, the process-wide meter.
            var plain = new ServiceCollection().AddAirlock(o => o.DataDirectory = folder);
            await using ServiceProvider second = plain.BuildServiceProvider();
            Assert.Same(AirlockInstruments.Shared, second.GetRequiredService<PluginHost>().Instruments);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
