using System.Text;
using Airlock.Driftless;

namespace Airlock.Host.Tests.Driftless;

/// <summary>Driftless plugins.toml: [security] limits and switches, [[registries]], and errors that name the file, field, line and column.</summary>
public sealed class DriftlessSettingsTests
{
    // Line numbers in the tests below refer to this text.
    private const string Valid = """
        [security]
        max_memory = 33554432
        fuel_limit = 500000000
        execution_timeout_secs = 10
        allow_wasi = true
        debug_enabled = true

        [[registries]]
        name = "my-registry"
        url = "https://plugins.example.com"
        enabled = true

        [[registries]]
        name = "mirror"
        url = "http://127.0.0.1:8080/plugins"
        enabled = false
        """;

    private static readonly string SettingsPath = Path.Combine(Path.GetTempPath(), "airlock-tests", "plugins.toml");

    [Fact]
    public void A_full_file_is_read()
    {
        DriftlessSettings settings = DriftlessSettings.Parse(Valid, SettingsPath);
        Assert.Equal(SettingsPath, settings.FilePath);
        Assert.Equal(32L * 1024 * 1024, settings.Security.MaxMemory);
        Assert.Equal(500_000_000UL, settings.Security.FuelLimit);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.Security.ExecutionTimeout);
        Assert.True(settings.Security.AllowWasi);
        Assert.True(settings.Security.DebugEnabled);
        Assert.Equal(
            [new DriftlessRegistry("my-registry", new Uri("https://plugins.example.com"), true), new DriftlessRegistry("mirror", new Uri("http://127.0.0.1:8080/plugins"), false)],
            settings.Registries);
    }

    [Fact]
    public void The_seeds_example_is_read_with_its_comments()
    {
        const string seed = """
            [security]
            max_memory = 67108864        # 64MB
            fuel_limit = 1000000000      # 1B instructions
            execution_timeout_secs = 30  # 30 seconds
            allow_wasi = false           # No WASI access
            debug_enabled = false        # No debug features

            [[registries]]
            name = "my-registry"
            url = "https://plugins.example.com"
            enabled = true
            """;
        DriftlessSettings settings = DriftlessSettings.Parse(seed, SettingsPath);
        Assert.Equal(DriftlessSecurity.Default, settings.Security);
        Assert.Equal("my-registry", Assert.Single(settings.Registries).Name);
    }

    [Fact]
    public void The_defaults_are_the_seeds()
    {
        DriftlessSecurity defaults = DriftlessSecurity.Default;
        Assert.Equal(64L * 1024 * 1024, defaults.MaxMemory);
        Assert.Equal(1_000_000_000UL, defaults.FuelLimit);
        Assert.Equal(TimeSpan.FromSeconds(30), defaults.ExecutionTimeout);
        Assert.False(defaults.AllowWasi);
        Assert.False(defaults.DebugEnabled);

        DriftlessSettings empty = DriftlessSettings.Parse("", SettingsPath);
        Assert.Equal(defaults, empty.Security);
        Assert.Empty(empty.Registries);
        Assert.Equal(defaults, DriftlessSettings.Default.Security);
        Assert.Null(DriftlessSettings.Default.FilePath);
    }

    [Fact]
    public void Keys_not_written_keep_their_defaults()
    {
        DriftlessSettings settings = DriftlessSettings.Parse("[security]\nfuel_limit = 42\n", SettingsPath);
        Assert.Equal(DriftlessSecurity.Default with { FuelLimit = 42 }, settings.Security);

        settings = DriftlessSettings.Parse("[[registries]]\nname = \"r\"\nurl = \"https://r.example\"\n", SettingsPath);
        Assert.True(Assert.Single(settings.Registries).Enabled);
        Assert.Equal(DriftlessSecurity.Default, settings.Security);
    }

    [Fact]
    public void Dotted_keys_and_inline_tables_are_read_like_sections()
    {
        const string text = """
            security.allow_wasi = true
            security.max_memory = 0x1000000
            registries = [{ name = "a", url = "https://a.example/" }, { name = "b.c_d", url = "http://b.example:81/x?y=1", enabled = false }]
            """;
        DriftlessSettings settings = DriftlessSettings.Parse(text, SettingsPath);
        Assert.True(settings.Security.AllowWasi);
        Assert.Equal(16L * 1024 * 1024, settings.Security.MaxMemory);
        Assert.Equal(["a", "b.c_d"], settings.Registries.Select(r => r.Name));
        Assert.Equal(new Uri("http://b.example:81/x?y=1"), settings.Registries[1].Url);
        Assert.False(settings.Registries[1].Enabled);

        settings = DriftlessSettings.Parse("security = { execution_timeout_secs = 3600, fuel_limit = 1_000 }\nregistries = []\n", SettingsPath);
        Assert.Equal(TimeSpan.FromHours(1), settings.Security.ExecutionTimeout);
        Assert.Equal(1000UL, settings.Security.FuelLimit);
        Assert.Empty(settings.Registries);
    }

    [Fact]
    public void The_bounds_themselves_are_accepted()
    {
        DriftlessSettings low = DriftlessSettings.Parse("[security]\nmax_memory = 65536\nfuel_limit = 1\nexecution_timeout_secs = 1\n", SettingsPath);
        Assert.Equal(DriftlessSecurity.MinMaxMemory, low.Security.MaxMemory);
        Assert.Equal(1UL, low.Security.FuelLimit);
        Assert.Equal(TimeSpan.FromSeconds(1), low.Security.ExecutionTimeout);

        DriftlessSettings high = DriftlessSettings.Parse("[security]\nmax_memory = 2147483648\nfuel_limit = 100000000000\nexecution_timeout_secs = 3600\n", SettingsPath);
        Assert.Equal(DriftlessSecurity.MaxMaxMemory, high.Security.MaxMemory);
        Assert.Equal(DriftlessSecurity.MaxFuelLimit, high.Security.FuelLimit);
        Assert.Equal(TimeSpan.FromSeconds(DriftlessSecurity.MaxExecutionTimeoutSeconds), high.Security.ExecutionTimeout);
        high.Security.ToLimits(PluginLimits.Default);
    }

    [Fact]
    public void Security_maps_onto_plugin_limits_and_keeps_the_hosts_other_limits()
    {
        var host = new PluginLimits { MaxPayloadBytes = 1024 * 1024, MaxInstances = 3, MemoryBytes = 8L * 1024 * 1024, FuelPerCall = 7, Timeout = TimeSpan.FromSeconds(2) };
        PluginLimits limits = DriftlessSettings.Parse(Valid, SettingsPath).Security.ToLimits(host);
        Assert.Equal(32L * 1024 * 1024, limits.MemoryBytes);
        Assert.Equal(500_000_000UL, limits.FuelPerCall);
        Assert.Equal(TimeSpan.FromSeconds(10), limits.Timeout);
        Assert.Equal(1024 * 1024, limits.MaxPayloadBytes);
        Assert.Equal(3, limits.MaxInstances);

        PluginLimits defaults = DriftlessSecurity.Default.ToLimits(host);
        Assert.Equal(PluginLimits.Default.MemoryBytes, defaults.MemoryBytes);
        Assert.Equal(DriftlessSecurity.Default.FuelLimit, defaults.FuelPerCall);
        Assert.Equal(PluginLimits.Default.Timeout, defaults.Timeout);
    }

    [Fact]
    public void Settings_built_in_code_out_of_range_are_refused_when_mapped()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => (DriftlessSecurity.Default with { MaxMemory = 1 }).ToLimits(PluginLimits.Default));
        Assert.Equal("MemoryBytes", error.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => (DriftlessSecurity.Default with { ExecutionTimeout = TimeSpan.Zero }).ToLimits(PluginLimits.Default));
        Assert.Throws<ArgumentOutOfRangeException>(() => (DriftlessSecurity.Default with { FuelLimit = 0 }).ToLimits(PluginLimits.Default));
    }

    [Theory]
    // [security].max_memory
    [InlineData("max_memory = 33554432", "max_memory = \"64MB\"", "security.max_memory", 2, 14, "expected an integer number of bytes, found a string; write a whole number without quotes or units")]
    [InlineData("max_memory = 33554432", "max_memory = 6.4e7", "security.max_memory", 2, 14, "expected an integer number of bytes, found a float")]
    [InlineData("max_memory = 33554432", "max_memory = true", "security.max_memory", 2, 14, "expected an integer number of bytes, found a boolean")]
    [InlineData("max_memory = 33554432", "max_memory = 0", "security.max_memory", 2, 14, "expected an integer number of bytes between 65536 (64 KiB, one wasm page) and 2147483648 (2 GiB), such as 67108864 for 64 MiB, found 0")]
    [InlineData("max_memory = 33554432", "max_memory = -67108864", "security.max_memory", 2, 14, "found -67108864")]
    [InlineData("max_memory = 33554432", "max_memory = 65535", "security.max_memory", 2, 14, "found 65535")]
    [InlineData("max_memory = 33554432", "max_memory = 2147483649", "security.max_memory", 2, 14, "found 2147483649")]
    [InlineData("max_memory = 33554432", "max_memory = [1]", "security.max_memory", 2, 14, "found an array")]
    // [security].fuel_limit
    [InlineData("fuel_limit = 500000000", "fuel_limit = 0", "security.fuel_limit", 3, 14, "expected an integer number of instructions between 1 and 100000000000, such as 1000000000, found 0")]
    [InlineData("fuel_limit = 500000000", "fuel_limit = -1", "security.fuel_limit", 3, 14, "found -1")]
    [InlineData("fuel_limit = 500000000", "fuel_limit = 100000000001", "security.fuel_limit", 3, 14, "found 100000000001")]
    [InlineData("fuel_limit = 500000000", "fuel_limit = \"1B\"", "security.fuel_limit", 3, 14, "found a string")]
    // [security].execution_timeout_secs
    [InlineData("execution_timeout_secs = 10", "execution_timeout_secs = 0", "security.execution_timeout_secs", 4, 26, "expected an integer number of seconds between 1 and 3600 (one hour), such as 30, found 0")]
    [InlineData("execution_timeout_secs = 10", "execution_timeout_secs = -30", "security.execution_timeout_secs", 4, 26, "found -30")]
    [InlineData("execution_timeout_secs = 10", "execution_timeout_secs = 86400", "security.execution_timeout_secs", 4, 26, "found 86400")]
    [InlineData("execution_timeout_secs = 10", "execution_timeout_secs = 1.5", "security.execution_timeout_secs", 4, 26, "found a float")]
    [InlineData("execution_timeout_secs = 10", "execution_timeout_secs = \"30s\"", "security.execution_timeout_secs", 4, 26, "found a string")]
    // [security] switches
    [InlineData("allow_wasi = true", "allow_wasi = \"false\"", "security.allow_wasi", 5, 14, "expected true or false, found a string")]
    [InlineData("allow_wasi = true", "allow_wasi = 0", "security.allow_wasi", 5, 14, "expected true or false, found an integer")]
    [InlineData("debug_enabled = true", "debug_enabled = \"yes\"", "security.debug_enabled", 6, 17, "expected true or false, found a string")]
    // unknown keys, at every level
    [InlineData("debug_enabled = true", "debug_enabled = true\nmax_memroy = 1", "security.max_memroy", 7, 1, "unknown key max_memroy in [security]; expected one of max_memory, fuel_limit, execution_timeout_secs, allow_wasi, debug_enabled")]
    [InlineData("[security]", "[secrity]", "secrity", 1, 2, "unknown key secrity; expected one of security, registries")]
    [InlineData("debug_enabled = true\n", "debug_enabled = true\n[security.limits]\n", "security.limits", 7, 11, "unknown key limits in [security]")]
    [InlineData("enabled = false", "enabled = false\ntoken = \"secret\"", "registries[1].token", 17, 1, "unknown key token in [[registries]]; expected one of name, url, enabled")]
    [InlineData("enabled = false", "enabled = false\n[registries.extra]", "registries[1].extra", 17, 13, "unknown key extra in [[registries]]")]
    // tables of the wrong kind
    [InlineData("[security]", "[[security]]", "security", 1, 3, "expected a table, found an array of tables; write it as [security]")]
    [InlineData("allow_wasi = true", "allow_wasi.on = true", "security.allow_wasi", 5, 1, "expected true or false, found a table (the dotted key allow_wasi.on makes it one)")]
    // [[registries]]
    [InlineData("name = \"my-registry\"", "name = \"\"", "registries[0].name", 9, 8, "expected a registry name of 1 to 64 letters, digits, '.', '-' and '_' (such as \"my-registry\"), found \"\"")]
    [InlineData("name = \"my-registry\"", "name = \"my registry\"", "registries[0].name", 9, 8, "found \"my registry\"")]
    [InlineData("name = \"my-registry\"", "name = \"line\\nbreak\"", "registries[0].name", 9, 8, "found \"line\\u000abreak\"")]
    [InlineData("name = \"my-registry\"", "name = 5", "registries[0].name", 9, 8, "expected a string, found an integer")]
    [InlineData("name = \"mirror\"", "name = \"MY-registry\"", "registries[1].name", 14, 8, "the registry name \"MY-registry\" is already used by registries[0].name")]
    [InlineData("url = \"https://plugins.example.com\"", "url = \"ftp://plugins.example.com\"", "registries[0].url", 10, 7, "expected an http or https address, found the scheme ftp")]
    [InlineData("url = \"https://plugins.example.com\"", "url = \"plugins.example.com\"", "registries[0].url", 10, 7, "expected an absolute http or https address such as \"https://plugins.example.com\", found \"plugins.example.com\"")]
    [InlineData("url = \"https://plugins.example.com\"", "url = \"/srv/plugins\"", "registries[0].url", 10, 7, "expected an http or https address, found the scheme file")]
    [InlineData("url = \"https://plugins.example.com\"", "url = \"https://user:secret@plugins.example.com\"", "registries[0].url", 10, 7, "has user information; credentials do not belong in plugins.toml")]
    [InlineData("url = \"https://plugins.example.com\"", "url = \" https://plugins.example.com\"", "registries[0].url", 10, 7, "expected an absolute http or https address")]
    [InlineData("url = \"https://plugins.example.com\"", "url = 443", "registries[0].url", 10, 7, "expected a string, found an integer")]
    [InlineData("\nenabled = true", "\nenabled = \"yes\"", "registries[0].enabled", 11, 11, "expected true or false, found a string")]
    [InlineData("url = \"https://plugins.example.com\"\n", "", "registries[0].url", 8, 3, "the field is required; expected the registry's address")]
    [InlineData("name = \"mirror\"\n", "", "registries[1].name", 13, 3, "the field is required; expected a registry name")]
    public void Problems_name_the_field_line_and_column(string replace, string with, string field, int line, int column, string expected)
    {
        string text = Valid.Replace(replace, with, StringComparison.Ordinal);
        Assert.NotEqual(Valid, text);
        var error = Assert.Throws<PluginManifestException>(() => DriftlessSettings.Parse(text, SettingsPath));
        Assert.Equal(field, error.Field);
        Assert.Equal(line, error.Line);
        Assert.Equal(column, error.Column);
        Assert.Equal(SettingsPath, error.FilePath);
        Assert.Contains(expected, error.Problem, StringComparison.Ordinal);
        Assert.StartsWith($"{SettingsPath}({line},{column}): {field}: ", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("security = 1", "security", 1, 12, "expected a table, found an integer")]
    [InlineData("security = []", "security", 1, 12, "expected a table, found an array")]
    [InlineData("security = { max_memory = 0 }", "security.max_memory", 1, 27, "found 0")]
    [InlineData("security = { fuel = 1 }", "security.fuel", 1, 14, "unknown key fuel in [security]")]
    [InlineData("security.fuel_limit = 0", "security.fuel_limit", 1, 23, "found 0")]
    [InlineData("security.fuel_limit.max = 1", "security.fuel_limit", 1, 10, "expected an integer number of instructions, found a table (the dotted key security.fuel_limit.max makes it one)")]
    [InlineData("registries = \"https://plugins.example.com\"", "registries", 1, 14, "expected an array of tables, found a string")]
    [InlineData("[registries]\nname = \"x\"", "registries", 1, 2, "expected an array of tables (write each as [[registries]]), found a table")]
    [InlineData("registries = [1]", "registries[0]", 1, 15, "expected a table, found an integer")]
    [InlineData("registries = [{ name = \"a\", url = \"https://a.example\" }, { name = \"A\", url = \"https://b.example\" }]", "registries[1].name", 1, 67, "already used by registries[0].name")]
    [InlineData("registries = [{ url = \"https://a.example\" }]", "registries[0].name", 1, 15, "the field is required")]
    [InlineData("\"max_memory\" = 1", "max_memory", 1, 1, "unknown key max_memory; expected one of security, registries")]
    public void Problems_in_other_toml_forms_name_the_field_line_and_column(string text, string field, int line, int column, string expected)
    {
        var error = Assert.Throws<PluginManifestException>(() => DriftlessSettings.Parse(text, SettingsPath));
        Assert.Equal(field, error.Field);
        Assert.Equal(line, error.Line);
        Assert.Equal(column, error.Column);
        Assert.Contains(expected, error.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[security]\nmax_memory = 1\nmax_memory = 2\n", 3, "already defined")]
    [InlineData("[security]\n[security]\n", 2, "already defined")]
    [InlineData("[[registries]]\n[registries]\n", 2, "")]
    [InlineData("[security]\nmax_memory = \n", 2, "")]
    [InlineData("[security\n", 1, "")]
    [InlineData("[security]\nfuel_limit = 99999999999999999999\n", 2, "")]
    public void Toml_syntax_errors_and_duplicate_keys_name_the_line(string text, int line, string expected)
    {
        var error = Assert.Throws<PluginManifestException>(() => DriftlessSettings.Parse(text, SettingsPath));
        Assert.Null(error.Field);
        Assert.Equal(line, error.Line);
        Assert.NotNull(error.Column);
        Assert.Contains("the file is not valid TOML: ", error.Problem, StringComparison.Ordinal);
        Assert.Contains(expected, error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_byte_order_mark_and_crlf_line_ends_are_accepted()
    {
        DriftlessSettings settings = DriftlessSettings.Parse("\uFEFF" + Valid.ReplaceLineEndings("\r\n"), SettingsPath);
        Assert.Equal(2, settings.Registries.Count);
        Assert.True(settings.Security.DebugEnabled);
    }

    [Fact]
    public async Task A_file_is_loaded_with_its_full_path_and_problems_name_it()
    {
        string folder = Directory.CreateTempSubdirectory("airlock-driftless-").FullName;
        try
        {
            string path = Path.Combine(folder, "plugins.toml");
            await File.WriteAllTextAsync(path, Valid, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
            DriftlessSettings settings = DriftlessSettings.Load(path);
            Assert.Equal(path, settings.FilePath);
            Assert.Equal(2, settings.Registries.Count);

            string broken = Path.Combine(folder, "broken.toml");
            await File.WriteAllTextAsync(broken, Valid.Replace("fuel_limit = 500000000", "fuel_limit = 0", StringComparison.Ordinal));
            var error = Assert.Throws<PluginManifestException>(() => DriftlessSettings.Load(broken));
            Assert.Equal(broken, error.FilePath);
            Assert.Equal("security.fuel_limit", error.Field);
            Assert.Equal(3, error.Line);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_file_that_is_too_large_or_not_utf8_or_missing_is_refused()
    {
        string folder = Directory.CreateTempSubdirectory("airlock-driftless-").FullName;
        try
        {
            string large = Path.Combine(folder, "large.toml");
            await File.WriteAllTextAsync(large, "[security]\n" + new string('#', 1024 * 1024) + "\n");
            var error = Assert.Throws<PluginManifestException>(() => DriftlessSettings.Load(large));
            Assert.Null(error.Field);
            Assert.Contains("it is 1048588 bytes; Airlock reads at most 1048576", error.Problem, StringComparison.Ordinal);
            Assert.IsType<PluginFileException>(error.InnerException);

            string latin1 = Path.Combine(folder, "latin1.toml");
            await File.WriteAllBytesAsync(latin1, [.. "[[registries]]\nname = \""u8, 0xE9, .. "\"\n"u8]);
            error = Assert.Throws<PluginManifestException>(() => DriftlessSettings.Load(latin1));
            Assert.Contains("not valid UTF-8", error.Problem, StringComparison.Ordinal);

            string missing = Path.Combine(folder, "missing.toml");
            error = Assert.Throws<PluginManifestException>(() => DriftlessSettings.Load(missing));
            Assert.Equal(missing, error.FilePath);
            Assert.Contains("cannot be read", error.Problem, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Text_longer_than_the_limit_is_refused_before_it_is_parsed()
    {
        var error = Assert.Throws<PluginManifestException>(() => DriftlessSettings.Parse("#" + new string('x', 1024 * 1024), SettingsPath));
        Assert.Null(error.Line);
        Assert.Contains("plugins.toml may have at most 1048576", error.Problem, StringComparison.Ordinal);
    }
}
