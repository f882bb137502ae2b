using System.Diagnostics;
using System.Security.Cryptography;
using Airlock.Contracts.SocialScale;
using Airlock.Discovery;
using Airlock.Security;
using Airlock.SocialScale;
using Airlock.Tests;
using static Airlock.EndToEnd.Tests.Security.HostileWorld;

namespace Airlock.EndToEnd.Tests.Security;

/// <summary>
/// The hostile cases about files and approvals: a plugin's files are read as untrusted input (only
/// regular files, never past their limit, its module only in its own folder), a refused module leaves
/// nothing behind, and an approval covers exactly one module.
/// </summary>
public static partial class HostileCases
{
    /// <summary>
    /// How long refusing a hostile file may take: it is refused by a type or length check, never read,
    /// so this is slack for a loaded machine, not time spent reading.
    /// </summary>
    private const int FileSlackSeconds = 2;

    private static async Task<IHostileProbe?> LinkToDevZeroAsync(HostileWorld world)
        => await DirectoryWithOneBadEntryAsync(world, "zero", HostileFiles.LinkToDevZero, "it is a character device (through a symbolic link), not a regular file");

    private static async Task<IHostileProbe?> FifoAsync(HostileWorld world)
        => await DirectoryWithOneBadEntryAsync(world, "fifo", HostileFiles.Fifo, "it is a FIFO, not a regular file");

    // A plugins directory with a good probe and one hostile entry: the entry fails alone and at once.
    private static async Task<IHostileProbe?> DirectoryWithOneBadEntryAsync(HostileWorld world, string name, Action<string> plant, string problem)
    {
        using var folder = new ScratchFolder();
        File.WriteAllBytes(Path.Combine(folder.Path, "good.wasm"), HostileProbeModule.Compile());
        string hostile = Path.Combine(folder.Path, name + ".wasm");
        plant(hostile);

        var timer = Stopwatch.StartNew();
        await using PluginDirectory<IHostileProbe> plugins = await PluginDirectory<IHostileProbe>
            .OpenAsync(folder.Path, new PluginDirectoryOptions(), (file, token) => world.Host.LoadFileAsync<IHostileProbe>(file.Name, "1.0.0", file.WasmPath, file.ManifestPath, ProbeOptions(world, file.Name), token))
            .WaitAsync(TimeSpan.FromSeconds(30));
        Assert.InRange(timer.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(FileSlackSeconds));

        PluginLoadFailure failure = Assert.Single(plugins.Failures);
        var error = Assert.IsType<PluginFileException>(failure.Error);
        Assert.Equal(PluginFileProblem.NotRegularFile, error.Reason);
        Assert.Equal(hostile, error.FilePath);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);

        Assert.Equal(["good"], plugins.Names);
        using PluginLease<IHostileProbe> lease = plugins.Acquire();
        Assert.Equal(0, lease.Plugins[0].Invoke(HostileAction.Log, Bytes("good plugin serving"), []));
        return null;
    }

    private static Task<IHostileProbe?> SparseManifestAsync(HostileWorld world)
    {
        using var folder = new ScratchFolder();
        string manifest = Path.Combine(folder.Path, "plugin.json");
        HostileFiles.Sparse(manifest, 256L * 1024 * 1024);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<PluginManifestException>(() => SocialScaleManifest.Load(manifest));
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 256 * 1024);
        var file = Assert.IsType<PluginFileException>(error.InnerException);
        Assert.Equal(PluginFileProblem.TooLarge, file.Reason);
        Assert.Equal(1024 * 1024, file.MaxBytes);
        Assert.Equal(manifest, error.FilePath);
        Assert.Contains("it is 268435456 bytes; Airlock reads at most 1048576 bytes of a manifest", error.Message, StringComparison.Ordinal);
        return Task.FromResult<IHostileProbe?>(null);
    }

    private static Task<IHostileProbe?> WasmPathDotDotAsync(HostileWorld world)
        => EscapingModuleAsync(world, (inside, outside) => "../" + Path.GetFileName(outside) + "/chirp.wasm", "is outside the manifest's directory");

    private static Task<IHostileProbe?> WasmPathAbsoluteAsync(HostileWorld world)
        => EscapingModuleAsync(world, (inside, outside) => Path.Combine(outside, "chirp.wasm"), "is outside the manifest's directory");

    private static Task<IHostileProbe?> WasmPathSymlinkAsync(HostileWorld world)
        => EscapingModuleAsync(
            world,
            (inside, outside) =>
            {
                File.CreateSymbolicLink(Path.Combine(inside, "linked.wasm"), Path.Combine(outside, "chirp.wasm"));
                return "linked.wasm";
            },
            "which leads through a symbolic link to");

    // The manifest in one folder names the chirp module in a sibling folder; the loader refuses it
    // before asking anyone to approve it.
    private static async Task<IHostileProbe?> EscapingModuleAsync(HostileWorld world, Func<string, string, string> wasmPath, string problem)
    {
        using var folder = new ScratchFolder();
        string inside = Directory.CreateDirectory(Path.Combine(folder.Path, "plugin")).FullName;
        string outside = Directory.CreateDirectory(Path.Combine(folder.Path, "private")).FullName;
        File.Copy(ChirpModule, Path.Combine(outside, "chirp.wasm"));
        string manifest = WriteChirpManifest(inside, "com.example.escaping", wasmPath(inside, outside));

        int asked = 0;
        var policy = new DelegateApprovalPolicy("counting", (_, _) => ValueTask.FromResult(++asked > 0));
        using var store = new SqliteApprovalStore(Path.Combine(folder.Path, "approvals.db"));
        var loader = new SocialScalePluginLoader(world.Host, new PluginApprovals(store, policy, world.Audit), new PluginLimitPolicy(), world.Services);
        var error = await Assert.ThrowsAsync<PluginManifestException>(() => loader.LoadAsync(manifest));
        Assert.Equal(manifest, error.FilePath);
        Assert.Equal("wasm_path", error.Field);
        Assert.Equal(2, error.Line);
        Assert.Contains(problem, error.Problem, StringComparison.Ordinal);
        Assert.Equal(0, asked);
        return null;
    }

    private static async Task<IHostileProbe?> RefusedModulesAsync(HostileWorld world)
    {
        int before = world.Host.CompiledModuleCount;
        long compiled = world.Host.ModuleCacheStatistics.Compilations;
        for (int i = 0; i < 12; i++)
        {
            // Distinct modules (a data segment each) that compile but export no "invoke".
            byte[] module = Wasmtime.Module.ConvertText($$"""(module (memory (export "memory") 1) (data (i32.const 0) "refused {{i}}") (func (export "alloc") (param i32) (result i32) (i32.const 0)))""");
            await Assert.ThrowsAsync<PluginContractException>(() => world.Host.LoadModuleAsync<IHostileProbe>("refused-" + i, module));
        }

        Assert.Equal(compiled + 12, world.Host.ModuleCacheStatistics.Compilations);
        Assert.Equal(before, world.Host.CompiledModuleCount);
        return null;
    }

    private static async Task<IHostileProbe?> SwappedModuleAsync(HostileWorld world)
    {
        using var chirp = await ApprovedChirp.CreateAsync(world);
        ApprovalRecord approval = chirp.Store.Latest(ChirpId)!;
        (string original, string swapped) = chirp.SwapModule();
        long compiled = world.Host.ModuleCacheStatistics.Compilations;

        // Another module under the approved id, version and permissions is a new decision.
        var refused = await Assert.ThrowsAsync<PluginApprovalException>(() => chirp.Loader(new DenyAllPolicy()).LoadAsync(chirp.ManifestPath));
        Assert.Equal(original, approval.ModuleSha256);
        Assert.Equal(swapped, refused.ModuleSha256);
        Assert.Equal(original, refused.Previous!.ModuleSha256);
        Assert.Contains($"for another module: {original} -> {swapped}", refused.Message, StringComparison.Ordinal);

        // And the old approval does not cover the new bytes, whoever passes it to the host.
        PluginManifest manifest = SocialScaleManifest.Load(chirp.ManifestPath);
        var options = new PluginLoadOptions { Approval = approval }.AddImports<ISocialScaleHost>(new SocialScaleHostServices(manifest.Id, manifest.Version, manifest.Permissions, world.Services));
        var bypass = await Assert.ThrowsAsync<PluginApprovalException>(() => world.Host.LoadAsync<ISocialScalePlugin>(manifest, options));
        Assert.Contains("an approval covers exactly one module", bypass.Message, StringComparison.Ordinal);
        Assert.Equal(compiled, world.Host.ModuleCacheStatistics.Compilations);
        Assert.Contains(world.Audit.Query(ChirpId), e => e.Action == "approval" && !e.Allowed && e.Target.EndsWith(swapped, StringComparison.Ordinal));
        return null;
    }

    private static async Task<IHostileProbe?> CarryOverAsync(HostileWorld world)
    {
        using var chirp = await ApprovedChirp.CreateAsync(world);
        (string original, string updated) = chirp.SwapModule();
        var updates = new DelegateApprovalPolicy("trusted updates", (request, _) => ValueTask.FromResult(request.OnlyModuleChanged ? ApprovalDecision.CarryOver : ApprovalDecision.Refuse));
        await using ISocialScalePlugin plugin = await chirp.Loader(updates).LoadAsync(chirp.ManifestPath);
        Assert.Equal(updated, plugin.Info.ModuleSha256);
        Assert.True((await plugin.GetCapabilitiesAsync()).CanPublishText);

        ApprovalRecord carried = chirp.Store.Find(ChirpId, "1.0.0", SocialScaleManifest.Load(chirp.ManifestPath).Permissions.Fingerprint, updated)!;
        Assert.Equal(original, carried.CarriedOverFrom);
        Auditing.AuditEntry entry = Assert.Single(world.Audit.Query(ChirpId), e => e.Detail!.StartsWith("carried over", StringComparison.Ordinal));
        Assert.True(entry.Allowed);
        Assert.Equal($"carried over by trusted updates from module {original} (version 1.0.0, approved by automatic approval) to module {updated}", entry.Detail);
        return null;
    }

    // The connector reports its id from plugin_init, so its manifests must use it.
    private const string ChirpId = "com.airlock.samples.chirp-c";

    private static string ChirpModule => Path.Combine(AppContext.BaseDirectory, "plugins", "chirp-c", "chirp.wasm");

    private static string WriteChirpManifest(string folder, string id, string wasmPath)
    {
        string path = Path.Combine(folder, "plugin.json");
        File.WriteAllText(path, $$$"""
            {"id": "{{{id}}}", "name": "Chirp", "version": "1.0.0", "capabilities": ["platform_connector"],
             "wasm_path": {{{System.Text.Json.JsonSerializer.Serialize(wasmPath)}}}, "host_status_codes": true,
             "permissions": {"network_access": {"domains": ["{{{Domain}}}"]}, "storage_access": true}}
            """);
        return path;
    }

    private static PluginLoadOptions ProbeOptions(HostileWorld world, string id)
        => new PluginLoadOptions { HostResults = HostResultEncoding.StatusCodes, Limits = PluginLimits.Default with { Timeout = HostileWorld.CallTimeout, MemoryBytes = 8L * 1024 * 1024, MaxInstances = 2 } }
            .AddImports<ISocialScaleHost>(new SocialScaleHostServices(id, "1.0.0", Everything, world.Services));

    // The same module with a custom section appended: other bytes, the same behaviour, a valid module.
    private static byte[] WithCustomSection(byte[] module)
    {
        byte[] name = "swapped"u8.ToArray();
        byte[] payload = "a different module claiming the same plugin"u8.ToArray();
        return [.. module, 0x00, (byte)(1 + name.Length + payload.Length), (byte)name.Length, .. name, .. payload];
    }

    private static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    // The chirp connector in a folder of its own with its approvals store, loaded (and approved) once.
    private sealed class ApprovedChirp : IDisposable
    {
        private readonly HostileWorld _world;
        private readonly ScratchFolder _folder = new();

        private ApprovedChirp(HostileWorld world)
        {
            _world = world;
            ModulePath = System.IO.Path.Combine(_folder.Path, "chirp.wasm");
            File.Copy(ChirpModule, ModulePath);
            ManifestPath = WriteChirpManifest(_folder.Path, ChirpId, "chirp.wasm");
            Store = new SqliteApprovalStore(System.IO.Path.Combine(_folder.Path, "approvals.db"));
        }

        public string ModulePath { get; }

        public string ManifestPath { get; }

        public SqliteApprovalStore Store { get; }

        public static async Task<ApprovedChirp> CreateAsync(HostileWorld world)
        {
            var chirp = new ApprovedChirp(world);
            await using ISocialScalePlugin approved = await chirp.Loader(new AutoApprovePolicy()).LoadAsync(chirp.ManifestPath);
            Assert.True((await approved.GetCapabilitiesAsync()).CanPublishText);
            return chirp;
        }

        public SocialScalePluginLoader Loader(IApprovalPolicy policy)
            => new(_world.Host, new PluginApprovals(Store, policy, _world.Audit), new PluginLimitPolicy(), _world.Services);

        // Replaces the approved module with other bytes: returns the SHA-256 before and after.
        public (string Before, string After) SwapModule()
        {
            string before = Sha256(ModulePath);
            File.WriteAllBytes(ModulePath, WithCustomSection(File.ReadAllBytes(ModulePath)));
            return (before, Sha256(ModulePath));
        }

        public void Dispose()
        {
            Store.Dispose();
            _folder.Dispose();
        }
    }

    private sealed class ScratchFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("airlock-hostile-files-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
