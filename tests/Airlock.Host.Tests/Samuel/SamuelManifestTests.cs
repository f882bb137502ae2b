using Airlock.Samuel;
using Semver;

namespace Airlock.Host.Tests.Samuel;

/// <summary>samuel-plugin.toml: the seed's manifest, defaults, and every problem named by file, field, line and column.</summary>
public sealed class SamuelManifestTests
{
    // The reference manifest of Samuel's WASM plugin guide, verbatim. Line numbers below refer to this text.
    private const string Seed = """
        name = "go-guide-wasm"
        version = "0.1.0"
        kind = "wasm"
        summary = "TinyGo port of go-guide."

        [samuel]
        framework = "^2.2.0"
        protocol = "^1.0.0"

        [wasm]
        module = "plugin.wasm"
        exports = ["lint", "health"]

        [runtime]
        max_memory = 64 # MiB; default 64
        timeout = "5s" # soft deadline (returned to plugin)
        hard_timeout = "30s" # absolute kill via context.Cancel
        exports = ["lint", "health"] # must match [wasm].exports

        [capabilities]
        env = ["HOME"] # empty = no env passed to the guest

        [capabilities.filesystem]
        read = ["/workspace"] # subpaths included
        write = [] # write requires explicit grant

        [capabilities.network]
        hosts = ["api.example.com", "*.cdn.example.com"]
        # omit the block → deny-all at the proxy boundary
        """;

    private const string Minimal = """
        name = "tiny"
        version = "1.0.0"
        kind = "wasm"

        [samuel]
        framework = "^2.2.0"
        protocol = "^1.0.0"

        [wasm]
        module = "tiny.wasm"
        exports = ["lint"]
        """;

    private static readonly string ManifestPath = Path.Combine(Path.GetTempPath(), "airlock-tests", "go-guide-wasm", "samuel-plugin.toml");

    [Fact]
    public void The_seed_manifest_is_read()
    {
        SamuelManifest manifest = SamuelManifest.Parse(Seed, ManifestPath);
        Assert.Equal("go-guide-wasm", manifest.Name);
        Assert.Equal(new SemVersion(0, 1, 0), manifest.Version);
        Assert.Equal("TinyGo port of go-guide.", manifest.Summary);
        Assert.Equal("^2.2.0", manifest.FrameworkRange);
        Assert.Equal("^1.0.0", manifest.ProtocolRange);
        Assert.Equal("plugin.wasm", manifest.Module);
        Assert.Equal(Path.Combine(Path.GetDirectoryName(ManifestPath)!, "plugin.wasm"), manifest.ModulePath);
        Assert.Equal(["lint", "health"], manifest.Exports);
        Assert.Equal(64, manifest.Runtime.MaxMemoryMiB);
        Assert.Equal(64L * 1024 * 1024, manifest.Runtime.MaxMemoryBytes);
        Assert.Equal(TimeSpan.FromSeconds(5), manifest.Runtime.SoftTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), manifest.Runtime.HardTimeout);
        Assert.Equal(["HOME"], manifest.Capabilities.Environment);
        Assert.Equal(["/workspace"], manifest.Capabilities.ReadMounts);
        Assert.Empty(manifest.Capabilities.WriteMounts);
        Assert.Equal(["api.example.com", "*.cdn.example.com"], manifest.Capabilities.Network.Domains);
        Assert.Equal(ManifestPath, manifest.FilePath);
    }

    [Fact]
    public void Network_hosts_match_exactly_or_by_wildcard_subdomain()
    {
        var network = SamuelManifest.Parse(Seed, ManifestPath).Capabilities.Network;
        Assert.True(network.IsAllowed("api.example.com", out _));
        Assert.True(network.IsAllowed("a.cdn.example.com", out _));
        Assert.True(network.IsAllowed("a.b.cdn.example.com", out _));
        Assert.False(network.IsAllowed("cdn.example.com", out _));
        Assert.False(network.IsAllowed("www.api.example.com", out _));
        Assert.False(network.IsAllowed("api.example.com.evil.test", out _));
    }

    [Fact]
    public void A_minimal_manifest_gets_the_defaults_and_no_capabilities()
    {
        SamuelManifest manifest = SamuelManifest.Parse(Minimal, ManifestPath);
        Assert.Equal("", manifest.Summary);
        Assert.Same(SamuelRuntime.Default, manifest.Runtime);
        Assert.Equal(64, manifest.Runtime.MaxMemoryMiB);
        Assert.Equal(TimeSpan.FromSeconds(5), manifest.Runtime.SoftTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), manifest.Runtime.HardTimeout);
        Assert.Same(SamuelCapabilities.None, manifest.Capabilities);
        Assert.Empty(manifest.Capabilities.Environment);
        Assert.Empty(manifest.Capabilities.ReadMounts);
        Assert.Empty(manifest.Capabilities.WriteMounts);
        Assert.True(manifest.Capabilities.Network.IsEmpty);
        Assert.False(manifest.Capabilities.Network.IsAllowed("api.example.com", out _));
    }

    [Fact]
    public void An_empty_capabilities_table_and_empty_lists_grant_nothing()
    {
        SamuelManifest manifest = SamuelManifest.Parse(Minimal + "\n[capabilities]\nenv = []\n[capabilities.network]\nhosts = []\n", ManifestPath);
        Assert.Empty(manifest.Capabilities.Environment);
        Assert.True(manifest.Capabilities.Network.IsEmpty);
    }

    [Fact]
    public void Tables_may_be_written_as_dotted_keys_and_inline_tables()
    {
        SamuelManifest manifest = SamuelManifest.Parse(
            "runtime = { timeout = \"1500ms\", hard_timeout = \"1m30s\", max_memory = 128 }\ncapabilities.filesystem = { read = [\"/workspace\"], write = [\"/workspace/out\"] }\ncapabilities.env = [\"CI\", \"LINT_LEVEL\"]\n" + Minimal,
            ManifestPath);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), manifest.Runtime.SoftTimeout);
        Assert.Equal(TimeSpan.FromSeconds(90), manifest.Runtime.HardTimeout);
        Assert.Equal(128, manifest.Runtime.MaxMemoryMiB);
        Assert.Equal(["/workspace"], manifest.Capabilities.ReadMounts);
        Assert.Equal(["/workspace/out"], manifest.Capabilities.WriteMounts);
        Assert.Equal(["CI", "LINT_LEVEL"], manifest.Capabilities.Environment);
    }

    [Theory]
    [InlineData("5s", 5_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("250ms", 250)]
    [InlineData("2m", 120_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1m0.5s", 60_500)]
    public void Durations_are_numbers_with_units(string text, int milliseconds)
    {
        SamuelManifest manifest = SamuelManifest.Parse(Minimal + $"\n[runtime]\nhard_timeout = \"{text}\"\ntimeout = \"1ms\"\n", ManifestPath);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), manifest.Runtime.HardTimeout);
    }

    [Fact]
    public void ToLimits_takes_memory_and_the_hard_timeout_from_the_manifest_and_the_rest_from_the_host()
    {
        SamuelManifest manifest = SamuelManifest.Parse(Minimal + "\n[runtime]\nmax_memory = 16\ntimeout = \"2s\"\nhard_timeout = \"10s\"\n", ManifestPath);
        var host = new PluginLimits { FuelPerCall = 12345, MaxPayloadBytes = 4096, MaxInstances = 3 };
        PluginLimits limits = manifest.ToLimits(host);
        Assert.Equal(16L * 1024 * 1024, limits.MemoryBytes);
        Assert.Equal(TimeSpan.FromSeconds(10), limits.Timeout);
        Assert.Equal(12345UL, limits.FuelPerCall);
        Assert.Equal(4096, limits.MaxPayloadBytes);
        Assert.Equal(3, limits.MaxInstances);
        Assert.Equal(TimeSpan.FromSeconds(2), manifest.Runtime.SoftTimeout);
        limits.Validate();
    }

    [Fact]
    public void Load_reads_the_file_and_resolves_the_module_beside_it()
    {
        string folder = Directory.CreateTempSubdirectory("airlock-samuel-").FullName;
        try
        {
            string path = Path.Combine(folder, SamuelManifest.FileName);
            File.WriteAllText(path, Seed);
            SamuelManifest manifest = SamuelManifest.Load(path);
            Assert.Equal(path, manifest.FilePath);
            Assert.Equal(Path.Combine(folder, "plugin.wasm"), manifest.ModulePath);

            var missing = Assert.Throws<PluginManifestException>(() => SamuelManifest.Load(Path.Combine(folder, "absent.toml")));
            Assert.Null(missing.Line);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Invalid_toml_names_the_line_and_column()
    {
        var error = Fails(Seed.Replace("module = \"plugin.wasm\"", "module = \"plugin.wasm", StringComparison.Ordinal));
        Assert.Equal(11, error.Line);
        Assert.Contains("not valid TOML", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("skill", "skill-tier plugin: prompt and behavioural guidance with no code to execute, which Samuel itself applies; Airlock runs only kind = \"wasm\" plugins.")]
    [InlineData("oci", "OCI-tier plugin: a container image run under Docker on the host, for heavy runtimes, native dependencies or several processes; Airlock runs only kind = \"wasm\" plugins.")]
    [InlineData("native", "expected kind = \"wasm\"")]
    [InlineData("WASM", "expected kind = \"wasm\"")]
    public void Only_the_wasm_kind_runs(string kind, string expected)
    {
        var error = Fails(Seed.Replace("kind = \"wasm\"", $"kind = \"{kind}\"", StringComparison.Ordinal));
        AssertAt(error, "kind", 3, 8);
        Assert.Contains(expected, error.Problem, StringComparison.Ordinal);
        Assert.Equal("go-guide-wasm", error.PluginId);
    }

    [Fact]
    public void A_skill_manifest_is_refused_for_its_kind_not_for_lacking_wasm()
    {
        var error = Fails("name = \"go-guide\"\nversion = \"1.0.0\"\nkind = \"skill\"\n[samuel]\nframework = \"^2.2.0\"\nprotocol = \"^1.0.0\"\n");
        AssertAt(error, "kind", 3, 8);
        Assert.Contains("skill-tier", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_kind_is_refused()
    {
        var error = Fails(Minimal.Replace("kind = \"wasm\"\n", "", StringComparison.Ordinal));
        Assert.Equal("kind", error.Field);
        Assert.Null(error.Line);
    }

    [Theory]
    [InlineData("name = \"tiny\"\n", "name")]
    [InlineData("version = \"1.0.0\"\n", "version")]
    [InlineData("module = \"tiny.wasm\"\n", "wasm.module")]
    [InlineData("exports = [\"lint\"]", "wasm.exports")]
    public void Required_fields_are_named_when_missing(string line, string field)
    {
        var error = Fails(Minimal.Replace(line, "", StringComparison.Ordinal));
        Assert.Equal(field, error.Field);
        Assert.Contains("the field is required", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_range_points_at_its_table()
    {
        var error = Fails(Minimal.Replace("protocol = \"^1.0.0\"\n", "", StringComparison.Ordinal));
        AssertAt(error, "samuel.protocol", 5, 2);
        var noTable = Fails(Minimal.Replace("[samuel]\nframework = \"^2.2.0\"\nprotocol = \"^1.0.0\"\n", "", StringComparison.Ordinal));
        Assert.Equal("samuel.framework", noTable.Field);
        Assert.Null(noTable.Line);
    }

    [Theory]
    [InlineData("framework = \"^2.2.0\"", "framework = \"^3.0.0\"", "samuel.framework", "the plugin requires framework ^3.0.0, but this host provides framework 2.2.0")]
    [InlineData("framework = \"^2.2.0\"", "framework = \"~2.1.0\"", "samuel.framework", "the plugin requires framework ~2.1.0, but this host provides framework 2.2.0")]
    [InlineData("protocol = \"^1.0.0\"", "protocol = \">=1.1.0 <2.0.0\"", "samuel.protocol", "the plugin requires protocol >=1.1.0 <2.0.0, but this host provides protocol 1.0.0")]
    public void A_plugin_outside_the_host_versions_is_refused_with_both_versions(string from, string to, string field, string expected)
    {
        var error = Fails(Seed.Replace(from, to, StringComparison.Ordinal));
        int line = field == "samuel.framework" ? 7 : 8;
        AssertAt(error, field, line, field == "samuel.framework" ? 13 : 12);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_host_versions_are_configurable()
    {
        var versions = new SamuelHostVersions(SemVersion.Parse("3.1.0", SemVersionStyles.Strict), SemVersion.Parse("2.0.0", SemVersionStyles.Strict));
        string text = Seed.Replace("^2.2.0", "^3.0.0", StringComparison.Ordinal).Replace("^1.0.0", "^2.0.0", StringComparison.Ordinal);
        Assert.Equal("^3.0.0", SamuelManifest.Parse(text, ManifestPath, versions).FrameworkRange);

        var error = Assert.Throws<PluginManifestException>(() => SamuelManifest.Parse(Seed, ManifestPath, versions));
        Assert.Equal("samuel.framework", error.Field);
        Assert.Contains("^2.2.0", error.Message, StringComparison.Ordinal);
        Assert.Contains("3.1.0", error.Message, StringComparison.Ordinal);

        var protocol = Assert.Throws<PluginManifestException>(() => SamuelManifest.Parse(Seed.Replace("^2.2.0", "^3.0.0", StringComparison.Ordinal), ManifestPath, versions));
        Assert.Equal("samuel.protocol", protocol.Field);
        Assert.Contains("^1.0.0", protocol.Message, StringComparison.Ordinal);
        Assert.Contains("2.0.0", protocol.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_host_versions_are_framework_2_2_0_and_protocol_1_0_0()
    {
        Assert.Equal(new SemVersion(2, 2, 0), SamuelHostVersions.Default.Framework);
        Assert.Equal(new SemVersion(1, 0, 0), SamuelHostVersions.Default.Protocol);
    }

    [Theory]
    [MemberData(nameof(ReservedNames))]
    public void Reserved_export_names_are_refused(string name)
    {
        var error = Fails(Seed.Replace("exports = [\"lint\", \"health\"]\n", $"exports = [\"lint\", \"{name}\"]\n", StringComparison.Ordinal));
        AssertAt(error, "wasm.exports[1]", 12, 20);
        Assert.Contains($"\"{name}\" is a reserved name", error.Problem, StringComparison.Ordinal);
    }

    public static TheoryData<string> ReservedNames()
    {
        var data = new TheoryData<string>();
        foreach (string name in SamuelManifest.ReservedExportNames)
        {
            data.Add(name);
        }

        data.Add("Run");
        data.Add("DOCTOR");
        return data;
    }

    [Fact]
    public void There_are_thirteen_reserved_names()
    {
        Assert.Equal(["init", "install", "uninstall", "update", "search", "info", "ls", "list", "run", "doctor", "sync", "version", "new"], SamuelManifest.ReservedExportNames);
    }

    [Fact]
    public void Runtime_exports_may_list_the_same_names_in_another_order_or_be_omitted()
    {
        Assert.Equal(["lint", "health"], SamuelManifest.Parse(Seed.Replace("exports = [\"lint\", \"health\"] # must", "exports = [\"health\", \"lint\"] # must", StringComparison.Ordinal), ManifestPath).Exports);
        Assert.Equal(["lint", "health"], SamuelManifest.Parse(Seed.Replace("exports = [\"lint\", \"health\"] # must", "# no exports here", StringComparison.Ordinal), ManifestPath).Exports);
    }

    [Fact]
    public void Mounts_may_nest_a_writable_directory_inside_a_readable_one()
    {
        SamuelManifest manifest = SamuelManifest.Parse(Seed.Replace("write = []", "write = [\"/workspace/out\", \"/tmp\"]", StringComparison.Ordinal), ManifestPath);
        Assert.Equal(["/workspace"], manifest.Capabilities.ReadMounts);
        Assert.Equal(["/workspace/out", "/tmp"], manifest.Capabilities.WriteMounts);
    }

    [Fact]
    public void A_summary_longer_than_1024_characters_is_refused()
    {
        var error = Fails(Seed.Replace("TinyGo port of go-guide.", new string('x', 1025), StringComparison.Ordinal));
        AssertAt(error, "summary", 4, 11);
        Assert.Contains("the summary has 1025 characters", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_soft_timeout_longer_than_the_hard_timeout_is_refused()
    {
        var error = Fails(Seed.Replace("hard_timeout = \"30s\"", "hard_timeout = \"2s\"", StringComparison.Ordinal));
        AssertAt(error, "runtime.timeout", 16, 11);
        Assert.Contains("the soft timeout (\"5s\") is longer than the hard timeout (\"2s\")", error.Problem, StringComparison.Ordinal);

        // Against the default soft timeout, the error points at the hard timeout.
        var defaulted = Fails(Minimal + "\n[runtime]\nhard_timeout = \"1s\"\n");
        AssertAt(defaulted, "runtime.hard_timeout", 13, 16);
        Assert.Contains("the default soft timeout (5s)", defaulted.Problem, StringComparison.Ordinal);
    }

    [Theory]
    // Top level.
    [InlineData("name = \"go-guide-wasm\"", "name = 42", "42", "name", "expected a string, found an integer")]
    [InlineData("name = \"go-guide-wasm\"", "name = \"go guide\"", "\"go guide\"", "name", "expected a name of 1 to 128")]
    [InlineData("name = \"go-guide-wasm\"", "name = \"\"", "\"\"", "name", "expected a name")]
    [InlineData("version = \"0.1.0\"", "version = \"0.1\"", "\"0.1\"", "version", "expected a semantic version")]
    [InlineData("version = \"0.1.0\"", "version = \"v0.1.0\"", "\"v0.1.0\"", "version", "expected a semantic version")]
    [InlineData("version = \"0.1.0\"", "version = 1", "1", "version", "expected a string, found an integer")]
    [InlineData("kind = \"wasm\"", "kind = true", "true", "kind", "expected a string, found a boolean")]
    [InlineData("summary = \"TinyGo port of go-guide.\"", "summary = \"line\\u001b[31m\"", "\"line", "summary", "control character")]
    [InlineData("summary = \"TinyGo port of go-guide.\"", "summary = [\"a\"]", "[\"a\"]", "summary", "expected a string, found an array")]
    [InlineData("summary = \"TinyGo port of go-guide.\"", "author = \"me\"", "author", "author", "unknown key author")]
    // [samuel]
    [InlineData("framework = \"^2.2.0\"", "framework = \"banana\"", "\"banana\"", "samuel.framework", "expected a semantic version range")]
    [InlineData("framework = \"^2.2.0\"", "framework = \"\"", "\"\"", "samuel.framework", "expected a semantic version range")]
    [InlineData("framework = \"^2.2.0\"", "framework = 2", "2", "samuel.framework", "expected a string, found an integer")]
    [InlineData("protocol = \"^1.0.0\"", "protocol = \">=1.0.0 <=\"", "\">=", "samuel.protocol", "expected a semantic version range")]
    [InlineData("protocol = \"^1.0.0\"", "protocols = \"^1.0.0\"", "protocols", "samuel.protocols", "unknown key protocols in [samuel]")]
    // [wasm]
    [InlineData("module = \"plugin.wasm\"", "module = \"/opt/plugin.wasm\"", "\"/opt", "wasm.module", "is absolute")]
    [InlineData("module = \"plugin.wasm\"", "module = \"../other/plugin.wasm\"", "\"../", "wasm.module", "'..' segment")]
    [InlineData("module = \"plugin.wasm\"", "module = \"build\\\\plugin.wasm\"", "\"build", "wasm.module", "'/' separators")]
    [InlineData("module = \"plugin.wasm\"", "module = \"\"", "\"\"", "wasm.module", "expected the module's file")]
    [InlineData("module = \"plugin.wasm\"", "module = 7", "7", "wasm.module", "expected a string, found an integer")]
    [InlineData("exports = [\"lint\", \"health\"]\n", "exports = \"lint\"\n", "\"lint\"", "wasm.exports", "expected an array of strings, found a string")]
    [InlineData("exports = [\"lint\", \"health\"]\n", "exports = [\"lint\", 3]\n", "3]", "wasm.exports[1]", "expected a string, found an integer")]
    [InlineData("exports = [\"lint\", \"health\"]\n", "exports = [\"lint\", \"lint\"]\n", "\"lint\"]", "wasm.exports[1]", "\"lint\" is listed twice (also wasm.exports[0])")]
    [InlineData("exports = [\"lint\", \"health\"]\n", "exports = [\"lint\", \"health check\"]\n", "\"health check\"", "wasm.exports[1]", "expected an export name")]
    [InlineData("exports = [\"lint\", \"health\"]\n", "exports = [\"lint\", \"9lives\"]\n", "\"9lives\"", "wasm.exports[1]", "expected an export name")]
    [InlineData("exports = [\"lint\", \"health\"]\n", "exports = []\n", "[]", "wasm.exports", "expected at least one export")]
    [InlineData("module = \"plugin.wasm\"", "modules = \"plugin.wasm\"", "modules", "wasm.modules", "unknown key modules in [wasm]")]
    // [runtime]
    [InlineData("max_memory = 64", "max_memory = 0", "0", "runtime.max_memory", "expected an integer number of MiB between 1 and 2048")]
    [InlineData("max_memory = 64", "max_memory = 4096", "4096", "runtime.max_memory", "found 4096")]
    [InlineData("max_memory = 64", "max_memory = -1", "-1", "runtime.max_memory", "found -1")]
    [InlineData("max_memory = 64", "max_memory = \"64\"", "\"64\"", "runtime.max_memory", "write a whole number without quotes or units")]
    [InlineData("max_memory = 64", "max_memory = 1.5", "1.5", "runtime.max_memory", "found a float")]
    [InlineData("timeout = \"5s\"", "timeout = 5", "5", "runtime.timeout", "write the number with its unit in quotes")]
    [InlineData("timeout = \"5s\"", "timeout = \"5\"", "\"5\"", "runtime.timeout", "expected a duration of numbers with units")]
    [InlineData("timeout = \"5s\"", "timeout = \"5 s\"", "\"5 s\"", "runtime.timeout", "expected a duration of numbers with units")]
    [InlineData("timeout = \"5s\"", "timeout = \"5sec\"", "\"5sec\"", "runtime.timeout", "expected a duration of numbers with units")]
    [InlineData("timeout = \"5s\"", "timeout = \"-5s\"", "\"-5s\"", "runtime.timeout", "expected a duration of numbers with units")]
    [InlineData("timeout = \"5s\"", "timeout = \"0s\"", "\"0s\"", "runtime.timeout", "between 1ms and 1h")]
    [InlineData("timeout = \"5s\"", "timeout = \"0.5ms\"", "\"0.5ms\"", "runtime.timeout", "between 1ms and 1h")]
    [InlineData("hard_timeout = \"30s\"", "hard_timeout = \"2h\"", "\"2h\"", "runtime.hard_timeout", "between 1ms and 1h")]
    [InlineData("hard_timeout = \"30s\"", "hard_timeout = \"999999999999h\"", "\"9", "runtime.hard_timeout", "between 1ms and 1h")]
    [InlineData("hard_timeout = \"30s\"", "hard_timeout = true", "true", "runtime.hard_timeout", "expected a duration string, found a boolean")]
    [InlineData("max_memory = 64", "fuel = 64", "fuel", "runtime.fuel", "unknown key fuel in [runtime]")]
    // runtime.exports must equal wasm.exports.
    [InlineData("exports = [\"lint\", \"health\"] # must", "exports = [\"lint\"] # must", "[\"lint\"]", "runtime.exports", "lacks \"health\"")]
    [InlineData("exports = [\"lint\", \"health\"] # must", "exports = [\"lint\", \"health\", \"fmt\"] # must", "\"fmt\"", "runtime.exports[2]", "\"fmt\" is not in wasm.exports")]
    [InlineData("exports = [\"lint\", \"health\"] # must", "exports = [\"lint\", \"lint\"] # must", "\"lint\"]", "runtime.exports[1]", "listed twice")]
    [InlineData("exports = [\"lint\", \"health\"] # must", "exports = \"lint\" # must", "\"lint\"", "runtime.exports", "expected an array of strings")]
    // [capabilities]
    [InlineData("env = [\"HOME\"]", "env = \"HOME\"", "\"HOME\"", "capabilities.env", "expected an array of strings")]
    [InlineData("env = [\"HOME\"]", "env = [\"HOME\", \"1PATH\"]", "\"1PATH\"", "capabilities.env[1]", "expected an environment variable name")]
    [InlineData("env = [\"HOME\"]", "env = [\"HOME\", \"A=B\"]", "\"A=B\"", "capabilities.env[1]", "expected an environment variable name")]
    [InlineData("env = [\"HOME\"]", "env = [\"HOME\", \"HOME\"]", "\"HOME\"]", "capabilities.env[1]", "listed twice (also capabilities.env[0])")]
    [InlineData("env = [\"HOME\"]", "env = [1]", "1]", "capabilities.env[0]", "expected a string, found an integer")]
    [InlineData("env = [\"HOME\"]", "environment = [\"HOME\"]", "environment", "capabilities.environment", "unknown key environment in [capabilities]")]
    [InlineData("read = [\"/workspace\"]", "read = [\"workspace\"]", "\"workspace\"", "capabilities.filesystem.read[0]", "is relative")]
    [InlineData("read = [\"/workspace\"]", "read = [\"/\"]", "\"/\"", "capabilities.filesystem.read[0]", "the whole file system")]
    [InlineData("read = [\"/workspace\"]", "read = [\"/workspace/../etc\"]", "\"/workspace/..", "capabilities.filesystem.read[0]", "'..' segment")]
    [InlineData("read = [\"/workspace\"]", "read = [\"/workspace/\"]", "\"/workspace/\"", "capabilities.filesystem.read[0]", "trailing '/'")]
    [InlineData("read = [\"/workspace\"]", "read = [\"//workspace\"]", "\"//", "capabilities.filesystem.read[0]", "empty")]
    [InlineData("read = [\"/workspace\"]", "read = [\"C:\\\\work\"]", "\"C:", "capabilities.filesystem.read[0]", "'\\'")]
    [InlineData("read = [\"/workspace\"]", "read = \"/workspace\"", "\"/workspace\"", "capabilities.filesystem.read", "expected an array of strings")]
    [InlineData("write = []", "write = [\"/workspace\"]", "\"/workspace\"", "capabilities.filesystem.write[0]", "already granted by capabilities.filesystem.read[0]")]
    [InlineData("write = []", "exec = []", "exec", "capabilities.filesystem.exec", "unknown key exec in [capabilities.filesystem]")]
    [InlineData("[capabilities.filesystem]", "[capabilities.filesystem.read]", "read", "capabilities.filesystem.read", "expected an array of strings, found a table")]
    [InlineData("hosts = [\"api.example.com\", \"*.cdn.example.com\"]", "hosts = [\"https://api.example.com\"]", "\"https", "capabilities.network.hosts[0]", "without a scheme")]
    [InlineData("hosts = [\"api.example.com\", \"*.cdn.example.com\"]", "hosts = [\"api.example.com:443\"]", "\"api", "capabilities.network.hosts[0]", "invalid host \"api.example.com:443\"")]
    [InlineData("hosts = [\"api.example.com\", \"*.cdn.example.com\"]", "hosts = [\"*.com\"]", "\"*.com\"", "capabilities.network.hosts[0]", "invalid host \"*.com\"")]
    [InlineData("hosts = [\"api.example.com\", \"*.cdn.example.com\"]", "hosts = [\"*\"]", "\"*\"", "capabilities.network.hosts[0]", "invalid host \"*\"")]
    [InlineData("hosts = [\"api.example.com\", \"*.cdn.example.com\"]", "hosts = [\"api.*.example.com\"]", "\"api.*", "capabilities.network.hosts[0]", "invalid host")]
    [InlineData("hosts = [\"api.example.com\", \"*.cdn.example.com\"]", "hosts = [\"*example.com\"]", "\"*example", "capabilities.network.hosts[0]", "invalid host")]
    [InlineData("hosts = [\"api.example.com\", \"*.cdn.example.com\"]", "hosts = [\"api.example.com/v1\"]", "\"api", "capabilities.network.hosts[0]", "invalid host")]
    [InlineData("hosts = [\"api.example.com\", \"*.cdn.example.com\"]", "hosts = [\"127.0.0.1\"]", "\"127", "capabilities.network.hosts[0]", "invalid host")]
    [InlineData("hosts = [\"api.example.com\", \"*.cdn.example.com\"]", "hosts = [\"api.example.com\", \"API.Example.com\"]", "\"API", "capabilities.network.hosts[1]", "listed twice (also capabilities.network.hosts[0])")]
    [InlineData("hosts = [\"api.example.com\", \"*.cdn.example.com\"]", "hosts = [\"\"]", "\"\"", "capabilities.network.hosts[0]", "the domain is empty")]
    [InlineData("hosts = [\"api.example.com\", \"*.cdn.example.com\"]", "ports = [443]", "ports", "capabilities.network.ports", "unknown key ports in [capabilities.network]")]
    public void Each_field_names_its_problem_and_position(string from, string to, string marker, string field, string expected)
    {
        AssertCase(from, to, marker, field, expected);
    }

    private static void AssertCase(string from, string to, string marker, string field, string expected)
    {
        int at = Seed.IndexOf(from, StringComparison.Ordinal);
        Assert.True(at >= 0, $"the seed has no {from}");
        string text = string.Concat(Seed.AsSpan(0, at), to, Seed.AsSpan(at + from.Length));
        int markerAt = at + to.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(markerAt >= at, $"{to} has no {marker}");
        int line = text[..markerAt].Count(c => c == '\n') + 1;
        int column = markerAt - text.LastIndexOf('\n', markerAt - 1);

        var error = Fails(text);
        AssertAt(error, field, line, column);
        Assert.Contains(expected, error.Problem, StringComparison.Ordinal);
        if (field != "name")
        {
            Assert.Equal("go-guide-wasm", error.PluginId);
        }

        Assert.StartsWith($"{ManifestPath}({line},{column}): {field}: ", error.Message, StringComparison.Ordinal);
    }

    private static PluginManifestException Fails(string text) =>
        Assert.Throws<PluginManifestException>(() => SamuelManifest.Parse(text, ManifestPath));

    private static void AssertAt(PluginManifestException error, string field, long line, long column)
    {
        Assert.Equal(field, error.Field);
        Assert.Equal(ManifestPath, error.FilePath);
        Assert.Equal((line, column), (error.Line, error.Column));
    }
}
