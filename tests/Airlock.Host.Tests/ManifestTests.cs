using System.Text;

namespace Airlock.Host.Tests;

/// <summary>plugin.json validation: every problem names the file, the field, the line and what was expected.</summary>
public sealed class ManifestTests
{
    private const string Valid = """
        {
          "id": "com.example.my-platform",
          "name": "My Platform Connector",
          "version": "1.2.3-beta.1",
          "description": "Adds My Platform",
          "author": "Jane <jane@example.com>",
          "capabilities": ["platform_connector", {"custom": "moderation"}],
          "wasm_path": "./build/plugin.wasm",
          "config_schema": {"type": "object"}
        }
        """;

    private static readonly string ManifestPath = Path.Combine(Path.GetTempPath(), "airlock-tests", "plugin.json");

    [Fact]
    public void A_valid_manifest_is_read_with_the_module_path_resolved()
    {
        PluginManifest manifest = PluginManifest.Parse(Encoding.UTF8.GetBytes(Valid), ManifestPath);
        Assert.Equal("com.example.my-platform", manifest.Id);
        Assert.Equal("1.2.3-beta.1", manifest.Version);
        Assert.Equal([PluginCapability.PlatformConnector, PluginCapability.Custom("moderation")], manifest.Capabilities);
        Assert.Equal(Path.Combine(Path.GetDirectoryName(ManifestPath)!, "build", "plugin.wasm"), manifest.WasmPath);
        Assert.Equal("object", manifest.ConfigSchema!.Value.GetProperty("type").GetString());
    }

    [Theory]
    [InlineData("\"version\": \"1.2.3-beta.1\"", "\"version\": \"1.2\"", "version", 4, "semantic version")]
    [InlineData("\"version\": \"1.2.3-beta.1\"", "\"version\": 1", "version", 4, "non-empty string, found a number")]
    [InlineData("\"id\": \"com.example.my-platform\"", "\"id\": \"has spaces\"", "id", 2, "plugin id")]
    [InlineData("\"name\": \"My Platform Connector\",", "\"name\": 3,", "name", 3, "expected a string, found a number")]
    [InlineData("\"wasm_path\": \"./build/plugin.wasm\"", "\"wasm_path\": \"./build/plugin.wasm\", \"module\": \"p.wasm\"", "wasm_path", 8, "named twice")]
    [InlineData("\"wasm_path\": \"./build/plugin.wasm\",", "", "module", null, "required")]
    [InlineData("\"config_schema\"", "\"config\": [1], \"config_schema\"", "config", 9, "configuration as an object")]
    [InlineData("\"config_schema\"", "\"host_status_codes\": \"yes\", \"config_schema\"", "host_status_codes", 9, "expected true or false")]
    [InlineData("\"platform_connector\", {\"custom\": \"moderation\"}", "{\"custom\": \"\"}", "capabilities[0]", 7, "custom capability")]
    [InlineData("[\"platform_connector\", {\"custom\": \"moderation\"}]", "\"platform_connector\"", "capabilities", 7, "expected an array")]
    [InlineData("\"wasm_path\": \"./build/plugin.wasm\"", "\"wasm_path\": \"\"", "wasm_path", 8, "non-empty string")]
    [InlineData("{\"type\": \"object\"}", "[1]", "config_schema", 9, "JSON schema")]
    public void Problems_name_the_field_and_line(string replace, string with, string field, int? line, string expected)
    {
        var error = Assert.Throws<PluginManifestException>(() => PluginManifest.Parse(Encoding.UTF8.GetBytes(Valid.Replace(replace, with, StringComparison.Ordinal)), ManifestPath));
        Assert.Equal(field, error.Field);
        Assert.Equal(line, error.Line);
        Assert.Equal(ManifestPath, error.FilePath);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.StartsWith(ManifestPath, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"platform_connector\", {\"custom\": \"moderation\"}", "\"network_access\"", "capabilities[0]", "unknown capability type \"network_access\"")]
    [InlineData("[\"platform_connector\", {\"custom\": \"moderation\"}]", "[]", "capabilities", "at least one capability type")]
    [InlineData("\"capabilities\": [\"platform_connector\", {\"custom\": \"moderation\"}],", "", "capabilities", "at least one capability type")]
    public void The_SocialScale_profile_names_its_capability_problems(string replace, string with, string field, string expected)
    {
        PluginManifest manifest = PluginManifest.Parse(Encoding.UTF8.GetBytes(Valid.Replace(replace, with, StringComparison.Ordinal)), ManifestPath);
        var error = Assert.Throws<PluginManifestException>(() => Airlock.SocialScale.SocialScaleManifest.Validate(manifest));
        Assert.Equal(field, error.Field);
        Assert.Equal(ManifestPath, error.FilePath);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        if (with.Length > 0)
        {
            Assert.Equal(7, error.Line);
        }
    }

    [Fact]
    public void A_general_manifest_needs_only_an_id_a_version_and_a_module()
    {
        PluginManifest manifest = PluginManifest.Parse("""
            {"id": "acme.greeter", "version": "0.1.0", "module": "greeter.wasm"}
            """u8, ManifestPath);
        Assert.Equal("acme.greeter", manifest.Name);
        Assert.Empty(manifest.Capabilities);
        Assert.Equal("module", manifest.ModuleField);
        Assert.Equal(Path.Combine(Path.GetDirectoryName(ManifestPath)!, "greeter.wasm"), manifest.WasmPath);
        Assert.Same(Airlock.Security.PluginPermissions.None, manifest.Permissions);
        Assert.Null(manifest.HostResults);
    }

    [Fact]
    public void A_schema_the_validator_cannot_use_is_refused_at_its_line()
    {
        var error = Assert.Throws<PluginManifestException>(() => PluginManifest.Parse(Encoding.UTF8.GetBytes(Valid.Replace("{\"type\": \"object\"}", "{\"type\": \"no-such-type\"}", StringComparison.Ordinal)), ManifestPath));
        Assert.Equal("config_schema", error.Field);
        Assert.Equal(9, error.Line);
        Assert.Contains("not a JSON schema the host can use", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Broken_json_names_the_line_and_column()
    {
        var error = Assert.Throws<PluginManifestException>(() => PluginManifest.Parse("{\n  \"id\": \"x\",\n  \"name\" \"y\"\n}"u8, ManifestPath));
        Assert.Equal(3, error.Line);
        Assert.Null(error.Field);
        Assert.Contains("not valid JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_duplicate_field_is_refused()
    {
        var error = Assert.Throws<PluginManifestException>(() => PluginManifest.Parse(Encoding.UTF8.GetBytes(Valid.Replace("\"name\":", "\"id\": \"again\", \"name\":", StringComparison.Ordinal)), ManifestPath));
        Assert.Equal("id", error.Field);
        Assert.Contains("more than once", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_reported_with_its_path()
    {
        string path = Path.Combine(Path.GetTempPath(), "airlock-tests", "does-not-exist", "plugin.json");
        var error = Assert.Throws<PluginManifestException>(() => PluginManifest.Load(path));
        Assert.Equal(path, error.FilePath);
    }

    [Fact]
    public async Task A_manifest_whose_module_is_missing_names_wasm_path()
    {
        string folder = Directory.CreateTempSubdirectory("airlock-manifest-").FullName;
        string manifest = Path.Combine(folder, "plugin.json");
        await File.WriteAllTextAsync(manifest, Valid);
        await using var host = new PluginHost();
        var error = await Assert.ThrowsAsync<PluginManifestException>(() => host.LoadAsync<IProbePlugin>(manifest));
        Assert.Equal("wasm_path", error.Field);
        Assert.Contains("plugin.wasm", error.Message, StringComparison.Ordinal);
        Directory.Delete(folder, recursive: true);
    }
}
