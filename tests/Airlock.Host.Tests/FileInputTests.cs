using System.Diagnostics;
using System.Text;
using Airlock.Lesstruct;
using Airlock.Security;
using Airlock.Tests;

namespace Airlock.Host.Tests;

/// <summary>
/// A plugin's files are untrusted input: only regular files are read, never past their limit whatever
/// their length claims, without blocking on a FIFO; a manifest names its module only in its own
/// directory (links followed) unless the administrator allows another.
/// </summary>
public sealed class FileInputTests : IDisposable
{
    // Refusing a file is a check, not a read: far below a second even on a loaded machine.
    private static readonly TimeSpan Quickly = TimeSpan.FromSeconds(2);

    private readonly string _root = Directory.CreateTempSubdirectory("airlock-files-").FullName;
    private readonly string _plugin;
    private readonly string _outside;

    public FileInputTests()
    {
        _plugin = Directory.CreateDirectory(Path.Combine(_root, "plugin")).FullName;
        _outside = Directory.CreateDirectory(Path.Combine(_root, "elsewhere")).FullName;
        File.WriteAllBytes(Path.Combine(_plugin, "probe.wasm"), ProbeModules.Compile(ProbeModules.Module()));
        File.WriteAllBytes(Path.Combine(_outside, "stray.wasm"), ProbeModules.Compile(ProbeModules.Module()));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task A_module_that_links_to_dev_zero_is_refused_at_once()
    {
        string zero = Path.Combine(_plugin, "zero.wasm");
        HostileFiles.LinkToDevZero(zero);
        await using var host = new PluginHost();
        var timer = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<PluginFileException>(() => host.LoadFileAsync<IProbePlugin>("zero", "1.0.0", zero));
        Assert.InRange(timer.Elapsed, TimeSpan.Zero, Quickly);
        Assert.Equal(PluginFileProblem.NotRegularFile, error.Reason);
        Assert.Equal(zero, error.FilePath);
        Assert.Equal("zero", error.PluginId);
        Assert.Equal($"{zero}: it is a character device (through a symbolic link), not a regular file; only regular files are read as a module.", error.Message);
    }

    [Fact]
    public async Task A_fifo_nobody_writes_to_is_refused_without_blocking()
    {
        string fifo = Path.Combine(_plugin, "fifo.wasm");
        HostileFiles.Fifo(fifo);
        await using var host = new PluginHost();
        var error = await Assert.ThrowsAsync<PluginFileException>(() => host.LoadFileAsync<IProbePlugin>("fifo", "1.0.0", fifo).WaitAsync(Quickly));
        Assert.Equal(PluginFileProblem.NotRegularFile, error.Reason);
        Assert.Contains("it is a FIFO, not a regular file", error.Message, StringComparison.Ordinal);

        string manifest = Path.Combine(_plugin, "fifo.manifest");
        HostileFiles.Fifo(manifest);
        var manifestError = await Assert.ThrowsAsync<PluginManifestException>(() => Task.Run(() => LesstructManifest.Load(manifest)).WaitAsync(Quickly));
        Assert.Equal(PluginFileProblem.NotRegularFile, Assert.IsType<PluginFileException>(manifestError.InnerException).Reason);
    }

    [Fact]
    public async Task A_directory_named_like_a_module_is_refused()
    {
        string folder = Directory.CreateDirectory(Path.Combine(_plugin, "folder.wasm")).FullName;
        await using var host = new PluginHost();
        var error = await Assert.ThrowsAsync<PluginFileException>(() => host.LoadFileAsync<IProbePlugin>("folder", "1.0.0", folder));
        Assert.Contains("it is a directory, not a regular file", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("plugin.json")]
    [InlineData("plugin.manifest")]
    [InlineData("approvals.json")]
    public void A_sparse_256_MiB_manifest_is_refused_by_its_length_without_being_read(string name)
    {
        string path = Path.Combine(_plugin, name);
        HostileFiles.Sparse(path, 256L * 1024 * 1024);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<PluginManifestException>(() =>
        {
            _ = name switch
            {
                "plugin.json" => (object)PluginManifest.Load(path),
                "plugin.manifest" => LesstructManifest.Load(path),
                _ => new ApprovalFilePolicy(path),
            };
        });
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.InRange(allocated, 0, 256 * 1024);
        var file = Assert.IsType<PluginFileException>(error.InnerException);
        Assert.Equal(PluginFileProblem.TooLarge, file.Reason);
        Assert.Equal(1024 * 1024, file.MaxBytes);
        Assert.Equal($"{path}: it is 268435456 bytes; Airlock reads at most 1048576 bytes of {(name == "approvals.json" ? "an approvals file" : "a manifest")}.", error.Message);
    }

    [Fact]
    public void A_file_longer_than_its_length_says_is_read_only_to_the_limit()
    {
        // A /proc file reports no length and has content: the read, not the length, enforces the limit.
        Assert.Equal(0, new FileInfo("/proc/self/status").Length);
        var error = Assert.Throws<PluginFileException>(() => Files.UntrustedFile.ReadAllBytes("/proc/self/status", 64, "a manifest"));
        Assert.Equal(PluginFileProblem.TooLarge, error.Reason);
        Assert.Equal("/proc/self/status: it holds more than 64 bytes (reading stopped there); Airlock reads at most 64 bytes of a manifest.", error.Message);
        Assert.StartsWith("Name:", Encoding.ASCII.GetString(Files.UntrustedFile.ReadAllBytes("/proc/self/status", 1024 * 1024, "a manifest")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_module_over_the_hosts_limit_is_refused_naming_the_limit()
    {
        await using var host = new PluginHost(new PluginHostOptions { MaxModuleBytes = 100 });
        string module = Path.Combine(_plugin, "probe.wasm");
        var error = await Assert.ThrowsAsync<PluginFileException>(() => host.LoadFileAsync<IProbePlugin>("probe", "1.0.0", module));
        Assert.Equal(PluginFileProblem.TooLarge, error.Reason);
        Assert.Equal(100, error.MaxBytes);
        Assert.Contains("Airlock reads at most 100 bytes of a module", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_module_a_manifest_names_with_dot_dot_is_refused_naming_the_field()
    {
        var error = Assert.Throws<PluginManifestException>(() => PluginManifest.Load(Manifest("../elsewhere/stray.wasm")));
        Assert.Equal("wasm_path", error.Field);
        Assert.Equal(3, error.Line);
        Assert.Contains($"the module '{Path.Combine(_outside, "stray.wasm")}' is outside the manifest's directory '{_plugin}'", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_module_a_manifest_names_by_absolute_path_is_refused_naming_the_field()
    {
        var error = Assert.Throws<PluginManifestException>(() => PluginManifest.Load(Manifest(Path.Combine(_outside, "stray.wasm"))));
        Assert.Equal("wasm_path", error.Field);
        Assert.Contains("outside the manifest's directory", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_module_reached_through_a_link_that_leaves_the_directory_is_refused()
    {
        File.CreateSymbolicLink(Path.Combine(_plugin, "linked.wasm"), Path.Combine(_outside, "stray.wasm"));
        Directory.CreateSymbolicLink(Path.Combine(_plugin, "lib"), _outside);
        var file = Assert.Throws<PluginManifestException>(() => PluginManifest.Load(Manifest("linked.wasm")));
        Assert.Contains($"which leads through a symbolic link to '{Path.Combine(_outside, "stray.wasm")}', is outside", file.Problem, StringComparison.Ordinal);
        var folder = Assert.Throws<PluginManifestException>(() => PluginManifest.Load(Manifest("lib/stray.wasm")));
        Assert.Equal("wasm_path", folder.Field);
    }

    [Fact]
    public async Task Modules_inside_the_directory_load_links_included_and_the_administrator_may_allow_another_directory()
    {
        Directory.CreateDirectory(Path.Combine(_plugin, "bin"));
        File.Copy(Path.Combine(_plugin, "probe.wasm"), Path.Combine(_plugin, "bin", "probe.wasm"));
        File.CreateSymbolicLink(Path.Combine(_plugin, "current.wasm"), Path.Combine(_plugin, "bin", "probe.wasm"));
        await using var host = new PluginHost(new PluginHostOptions { Manifests = { AllowedModuleRoots = { _outside } } });
        await using (IProbePlugin nested = await host.LoadAsync<IProbePlugin>(Manifest("bin/probe.wasm")))
        await using (IProbePlugin linked = await host.LoadAsync<IProbePlugin>(Manifest("current.wasm")))
        await using (IProbePlugin allowed = await host.LoadAsync<IProbePlugin>(Manifest(Path.Combine(_outside, "stray.wasm"))))
        {
            Assert.Equal(2, nested.Ping(1));
            Assert.Equal(2, linked.Ping(1));
            Assert.Equal(2, allowed.Ping(1));
        }

        var options = new PluginManifestOptions();
        options.AllowedModuleRoots.Add(_outside);
        Assert.Equal(Path.Combine(_outside, "stray.wasm"), PluginManifest.Load(Manifest("../elsewhere/stray.wasm"), options).WasmPath);
    }

    [Fact]
    public async Task A_link_changed_after_the_manifest_was_read_is_caught_when_the_module_is_opened()
    {
        PluginManifest manifest = PluginManifest.Load(Manifest("probe.wasm"));
        File.Delete(Path.Combine(_plugin, "probe.wasm"));
        File.CreateSymbolicLink(Path.Combine(_plugin, "probe.wasm"), Path.Combine(_outside, "stray.wasm"));
        await using var host = new PluginHost();
        var error = await Assert.ThrowsAsync<PluginManifestException>(() => host.LoadAsync<IProbePlugin>(manifest));
        Assert.Equal("wasm_path", error.Field);
        Assert.Contains("is outside the manifest's directory", error.Problem, StringComparison.Ordinal);
        await Assert.ThrowsAsync<PluginManifestException>(() => PluginApprovals.ComputeModuleSha256Async(manifest));
        Assert.Equal(0, host.ModuleCacheStatistics.Compilations);
    }

    [Fact]
    public void Links_are_resolved_component_by_component_as_the_system_does()
    {
        Directory.CreateDirectory(Path.Combine(_outside, "deep"));
        Directory.CreateSymbolicLink(Path.Combine(_plugin, "down"), Path.Combine(_outside, "deep"));
        File.CreateSymbolicLink(Path.Combine(_plugin, "relative.wasm"), "../elsewhere/stray.wasm");

        // ".." after a link leaves the link's target, not the link's directory.
        Assert.Equal(Path.Combine(_outside, "x"), Files.UntrustedFile.ResolveLinks(Path.Combine(_plugin, "down") + "/../x"));
        Assert.Equal(Path.Combine(_outside, "stray.wasm"), Files.UntrustedFile.ResolveLinks(Path.Combine(_plugin, "relative.wasm")));
        Assert.Equal(Path.Combine(_plugin, "missing", "y"), Files.UntrustedFile.ResolveLinks(Path.Combine(_plugin, "missing", "y")));

        File.CreateSymbolicLink(Path.Combine(_plugin, "loop-a"), Path.Combine(_plugin, "loop-b"));
        File.CreateSymbolicLink(Path.Combine(_plugin, "loop-b"), Path.Combine(_plugin, "loop-a"));
        Assert.Throws<IOException>(() => Files.UntrustedFile.ResolveLinks(Path.Combine(_plugin, "loop-a")));
        Assert.False(Files.UntrustedFile.IsWithin(_plugin + "-sibling/x", _plugin));
        Assert.True(Files.UntrustedFile.IsWithin(_plugin + "/x", _plugin));
    }

    private string Manifest(string wasmPath)
    {
        string path = Path.Combine(_plugin, "plugin.json");
        File.WriteAllText(path, $$"""
            {"id": "acme.probe",
             "version": "1.0.0",
             "wasm_path": {{System.Text.Json.JsonSerializer.Serialize(wasmPath)}}}
            """);
        return path;
    }
}
