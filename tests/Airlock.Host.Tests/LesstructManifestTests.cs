using System.Text;
using Airlock.Lesstruct;

namespace Airlock.Host.Tests.Lesstruct;

/// <summary>Lesstruct .manifest (TOML) validation: every problem names the file, the dotted field, the line and the column.</summary>
public sealed class LesstructManifestTests
{
    // Line numbers in the tests below refer to this text.
    private const string Valid = """
        name = "enrich"
        version = "1.2.0"

        [capabilities]
        http = ["https://api.example.com/v1/*", "http://127.0.0.1:5000/*"]
        database = ["read:content", "write:media"]

        [config]
        rates_url = "https://api.example.com/v1/rates"
        mode = "fast"
        """;

    private static readonly string ManifestPath = Path.Combine(Path.GetTempPath(), "airlock-tests", "enrich.manifest");

    [Fact]
    public void A_full_manifest_is_read()
    {
        LesstructManifest manifest = LesstructManifest.Parse(Valid, ManifestPath);
        Assert.Equal("enrich", manifest.Name);
        Assert.Equal("1.2.0", manifest.Version);
        Assert.Equal(ManifestPath, manifest.FilePath);
        Assert.Equal(["https://api.example.com/v1/*", "http://127.0.0.1:5000/*"], manifest.Http.Patterns.Select(p => p.Text));
        Assert.Equal([new DatabasePermission(DatabaseAccess.Read, LesstructTable.Content), new DatabasePermission(DatabaseAccess.Write, LesstructTable.Media)], manifest.Database);
        Assert.Equal(["content_items", "media_files"], manifest.Database.Select(p => p.SqliteTable));
        Assert.Equal(new Dictionary<string, string> { ["rates_url"] = "https://api.example.com/v1/rates", ["mode"] = "fast" }, manifest.Config);
        Assert.True(manifest.Http.Match("https://api.example.com/v1/rates").IsAllowed);
        Assert.False(manifest.Http.Match("https://api.example.com/v2/rates").IsAllowed);
    }

    [Fact]
    public void A_minimal_manifest_grants_nothing()
    {
        LesstructManifest manifest = LesstructManifest.Parse("name = \"tiny\"\nversion = \"0.1\"\n", ManifestPath);
        Assert.Equal("tiny", manifest.Name);
        Assert.Equal("0.1", manifest.Version);
        Assert.Same(UrlAllowlist.Empty, manifest.Http);
        Assert.Empty(manifest.Database);
        Assert.Empty(manifest.Config);
    }

    [Fact]
    public void Empty_capability_arrays_and_tables_are_allowed()
    {
        LesstructManifest manifest = LesstructManifest.Parse("name = \"n\"\nversion = \"1\"\n[capabilities]\nhttp = []\ndatabase = []\n[config]\n", ManifestPath);
        Assert.True(manifest.Http.IsEmpty);
        Assert.Empty(manifest.Database);
        Assert.Empty(manifest.Config);
    }

    [Fact]
    public void Dotted_keys_inline_tables_and_quoted_keys_are_read_like_tables()
    {
        const string text = """
            name = "  enrich  "
            version = '1.2.0'
            capabilities.http = ["https://api.example.com/*"]
            capabilities.database = ["read:users"]
            config = { "a.b" = "x", rates_url = "", multi = '''
            line'''}
            """;
        LesstructManifest manifest = LesstructManifest.Parse(text, ManifestPath);
        Assert.Equal("enrich", manifest.Name);
        Assert.Equal("https://api.example.com/*", Assert.Single(manifest.Http.Patterns).Text);
        Assert.Equal("users", Assert.Single(manifest.Database).SqliteTable);
        Assert.Equal("x", manifest.Config["a.b"]);
        Assert.Equal("", manifest.Config["rates_url"]);
        Assert.Equal("line", manifest.Config["multi"]);
    }

    [Fact]
    public void A_byte_order_mark_and_crlf_line_ends_are_accepted()
    {
        LesstructManifest manifest = LesstructManifest.Parse("\uFEFF" + Valid.ReplaceLineEndings("\r\n"), ManifestPath);
        Assert.Equal("enrich", manifest.Name);
        Assert.Equal(2, manifest.Config.Count);
    }

    [Theory]
    // name and version
    [InlineData("name = \"enrich\"\n", "", "name", null, null, "the field is required")]
    [InlineData("version = \"1.2.0\"\n", "", "version", null, null, "the field is required")]
    [InlineData("name = \"enrich\"", "name = \"\"", "name", 1, 8, "expected a non-empty string, found an empty string")]
    [InlineData("name = \"enrich\"", "name = \"   \"", "name", 1, 8, "expected a non-empty string, found a blank string")]
    [InlineData("name = \"enrich\"", "name = 1", "name", 1, 8, "expected a non-empty string, found an integer")]
    [InlineData("name = \"enrich\"", "name = [\"enrich\"]", "name", 1, 8, "expected a non-empty string, found an array")]
    [InlineData("name = \"enrich\"", "name.first = \"enrich\"", "name", 1, 1, "expected a non-empty string, found a table")]
    [InlineData("version = \"1.2.0\"", "version = 1.2", "version", 2, 11, "expected a non-empty string, found a float")]
    [InlineData("version = \"1.2.0\"", "version = true", "version", 2, 11, "expected a non-empty string, found a boolean")]
    [InlineData("version = \"1.2.0\"", "version = 1979-05-27", "version", 2, 11, "expected a non-empty string, found a date")]
    [InlineData("version = \"1.2.0\"", "version = { major = 1 }", "version", 2, 11, "expected a non-empty string, found a table")]
    // unknown keys, at every level and in every TOML form
    [InlineData("version = \"1.2.0\"\n", "version = \"1.2.0\"\nauthor = \"me\"\n", "author", 3, 1, "unknown key author; expected one of name, version, capabilities, config")]
    [InlineData("[config]", "[hooks]\n[config]", "hooks", 8, 2, "unknown key hooks; expected one of name, version, capabilities, config")]
    [InlineData("[capabilities]", "[capabilities]\nsmtp = [\"x\"]", "capabilities.smtp", 5, 1, "unknown key smtp in [capabilities]; expected one of http, database")]
    [InlineData("[capabilities]", "[capabilities.fs]\n[capabilities]", "capabilities.fs", 4, 15, "unknown key fs in [capabilities]")]
    [InlineData("version = \"1.2.0\"\n", "version = \"1.2.0\"\nHttp.x = 1\n", "Http", 3, 1, "unknown key Http")]
    [InlineData("[capabilities]\nhttp = [\"https://api.example.com/v1/*\", \"http://127.0.0.1:5000/*\"]\ndatabase = [\"read:content\", \"write:media\"]\n", "capabilities = { http = [], net = true }\n", "capabilities.net", 4, 29, "unknown key net in [capabilities]")]
    // tables in the wrong place or of the wrong kind
    [InlineData("[capabilities]\nhttp = [\"https://api.example.com/v1/*\", \"http://127.0.0.1:5000/*\"]\ndatabase = [\"read:content\", \"write:media\"]\n", "capabilities = \"all\"\n", "capabilities", 4, 16, "expected a table, found a string")]
    [InlineData("[capabilities]", "[[capabilities]]", "capabilities", 4, 3, "expected a table, found an array of tables")]
    [InlineData("[capabilities]\nhttp = [\"https://api.example.com/v1/*\", \"http://127.0.0.1:5000/*\"]\n", "[capabilities.http]\n[capabilities]\n", "capabilities.http", 4, 15, "expected an array of strings, found a table")]
    [InlineData("[config]", "[config]\n[config.nested]", "config.nested", 9, 9, "expected a string, found a table")]
    [InlineData("[config]", "[[config.list]]\n[config]", "config.list", 8, 10, "expected a string, found an array of tables")]
    // capabilities.http
    [InlineData("http = [\"https://api.example.com/v1/*\", \"http://127.0.0.1:5000/*\"]", "http = \"https://api.example.com/v1/*\"", "capabilities.http", 5, 8, "expected an array of strings, found a string")]
    [InlineData("http = [\"https://api.example.com/v1/*\", \"http://127.0.0.1:5000/*\"]", "http = 1", "capabilities.http", 5, 8, "expected an array of strings, found an integer")]
    [InlineData("\"http://127.0.0.1:5000/*\"", "5000", "capabilities.http[1]", 5, 41, "expected a string, found an integer")]
    [InlineData("\"http://127.0.0.1:5000/*\"", "[\"x\"]", "capabilities.http[1]", 5, 41, "expected a string, found an array")]
    [InlineData("\"https://api.example.com/v1/*\"", "\"https://*.example.com/\"", "capabilities.http[0]", 5, 9, "invalid URL pattern \"https://*.example.com/\": '*' is not allowed in the host or port")]
    [InlineData("\"https://api.example.com/v1/*\"", "\"https://api.example.com*\"", "capabilities.http[0]", 5, 9, "'*' is not allowed in the host or port")]
    [InlineData("\"https://api.example.com/v1/*\"", "\"https://api.example.com/*/x\"", "capabilities.http[0]", 5, 9, "'*' is only allowed once, as the last character")]
    [InlineData("\"http://127.0.0.1:5000/*\"", "\"ftp://127.0.0.1/*\"", "capabilities.http[1]", 5, 41, "scheme ftp is not allowed")]
    [InlineData("\"http://127.0.0.1:5000/*\"", "\"https://user@api.example.com/\"", "capabilities.http[1]", 5, 41, "user information")]
    [InlineData("\"http://127.0.0.1:5000/*\"", "\"https://API.example.com:443/v1/*\"", "capabilities.http[1]", 5, 41, "matches the same URLs as capabilities.http[0]")]
    // capabilities.database
    [InlineData("database = [\"read:content\", \"write:media\"]", "database = \"read:content\"", "capabilities.database", 6, 12, "expected an array of strings, found a string")]
    [InlineData("\"write:media\"", "true", "capabilities.database[1]", 6, 29, "expected a string, found a boolean")]
    [InlineData("\"write:media\"", "\"delete:media\"", "capabilities.database[1]", 6, 29, "unknown access \"delete\" in \"delete:media\"; expected \"read\" or \"write\"")]
    [InlineData("\"write:media\"", "\"write:posts\"", "capabilities.database[1]", 6, 29, "unknown table \"posts\" in \"write:posts\"; expected content, media or users")]
    [InlineData("\"write:media\"", "\"write:media_files\"", "capabilities.database[1]", 6, 29, "write \"media\" for media_files")]
    [InlineData("\"read:content\"", "\"read:content_items\"", "capabilities.database[0]", 6, 13, "write \"content\" for content_items")]
    [InlineData("\"read:content\"", "\"READ:Content\"", "capabilities.database[0]", 6, 13, "permissions are written in lowercase: write \"read:content\"")]
    [InlineData("\"read:content\"", "\"read\"", "capabilities.database[0]", 6, 13, "expected \"read:<table>\" or \"write:<table>\"")]
    [InlineData("\"read:content\"", "\"\"", "capabilities.database[0]", 6, 13, "the permission is empty")]
    [InlineData("\"read:content\"", "\"read: content\"", "capabilities.database[0]", 6, 13, "unknown table \" content\"")]
    [InlineData("\"write:media\"", "\"read:content\"", "capabilities.database[1]", 6, 29, "read:content is listed twice (also capabilities.database[0])")]
    // config
    [InlineData("mode = \"fast\"", "mode = 3", "config.mode", 10, 8, "expected a string, found an integer")]
    [InlineData("mode = \"fast\"", "mode = [\"a\"]", "config.mode", 10, 8, "expected a string, found an array")]
    [InlineData("mode = \"fast\"", "\"odd key\" = false", "config.\"odd key\"", 10, 13, "expected a string, found a boolean")]
    [InlineData("mode = \"fast\"", "mode.speed = \"x\"", "config.mode", 10, 1, "expected a string, found a table")]
    [InlineData("[config]\n", "config = \"x\"\n", "capabilities.config", 8, 1, "unknown key config in [capabilities]")]
    public void Problems_name_the_field_line_and_column(string replace, string with, string field, int? line, int? column, string expected)
    {
        string text = Valid.Replace(replace, with, StringComparison.Ordinal);
        Assert.NotEqual(Valid, text);
        var error = Assert.Throws<PluginManifestException>(() => LesstructManifest.Parse(text, ManifestPath));
        Assert.Equal(field, error.Field);
        Assert.Equal(line, error.Line);
        Assert.Equal(column, error.Column);
        Assert.Equal(ManifestPath, error.FilePath);
        Assert.Contains(expected, error.Problem, StringComparison.Ordinal);
        Assert.StartsWith(line is null ? $"{ManifestPath}: {field}: " : $"{ManifestPath}({line},{column}): {field}: ", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("config = \"x\"", "config", 3, 10, "expected a table, found a string")]
    [InlineData("config = { rate = 1.5 }", "config.rate", 3, 19, "expected a string, found a float")]
    [InlineData("config.a.b = \"x\"", "config.a", 3, 8, "expected a string, found a table")]
    [InlineData("capabilities = []", "capabilities", 3, 16, "expected a table, found an array")]
    [InlineData("capabilities = { http = [\"https://ok.example.com/\", \"https://bad.example.com\\\\x\"] }", "capabilities.http[1]", 3, 53, "backslash")]
    [InlineData("capabilities.database = [\"read:content\", 'write:comments']", "capabilities.database[1]", 3, 42, "table comments is never grantable to plugins")]
    [InlineData("[capabilities.database]", "capabilities.database", 3, 15, "expected an array of strings, found a table")]
    [InlineData("[capabilities.http.x]", "capabilities.http", 3, 15, "expected an array of strings, found a table")]
    [InlineData("[[plugins]]", "plugins", 3, 3, "unknown key plugins")]
    [InlineData("\"quoted key\" = 1", "\"quoted key\"", 3, 1, "unknown key \"quoted key\"")]
    public void Problems_in_other_toml_forms_name_the_field_line_and_column(string line3, string field, int line, int column, string expected)
    {
        var error = Assert.Throws<PluginManifestException>(() => LesstructManifest.Parse($"name = \"n\"\nversion = \"1\"\n{line3}\n", ManifestPath));
        Assert.Equal(field, error.Field);
        Assert.Equal(line, error.Line);
        Assert.Equal(column, error.Column);
        Assert.Contains(expected, error.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("comments")]
    [InlineData("blocked_emails")]
    [InlineData("failed_login_attempts")]
    [InlineData("verification_tokens")]
    [InlineData("password_reset_tokens")]
    [InlineData("email_update_tokens")]
    [InlineData("soft_deleted_content")]
    [InlineData("api_keys")]
    public void Protected_tables_are_never_grantable(string table)
    {
        foreach (string access in new[] { "read", "write" })
        {
            string text = Valid.Replace("\"write:media\"", $"\"{access}:{table}\"", StringComparison.Ordinal);
            var error = Assert.Throws<PluginManifestException>(() => LesstructManifest.Parse(text, ManifestPath));
            Assert.Equal("capabilities.database[1]", error.Field);
            Assert.Equal(6, error.Line);
            Assert.Equal(29, error.Column);
            Assert.Contains($"table {table} is never grantable to plugins", error.Problem, StringComparison.Ordinal);
        }

        Assert.Contains(table, DatabasePermission.NeverGrantableTables);
    }

    [Theory]
    [InlineData("name = \"enrich\"\nname = \"again\"\n", 2, "already defined")]
    [InlineData("name = \"enrich\"\n[capabilities]\n[capabilities]\n", 3, "already defined")]
    [InlineData("name = \"enrich\"\ncapabilities.http = []\n[capabilities]\n", 3, "already defined")]
    [InlineData("name = \"enrich\"\nversion = \"1.2.0\n", 2, "")]
    [InlineData("name = \"enrich\nversion = \"1.2.0\"\n", 1, "Invalid newline in a string")]
    [InlineData("name = \"enrich\"\nversion = \"1.2.0\" extra\n", 2, "")]
    [InlineData("name = \"enrich\"\nversion \"1.2.0\"\n", 2, "")]
    [InlineData("name = \"enrich\"\n\n[capabilities\n", 3, "")]
    [InlineData("name = \"enrich\"\nversion = \"\\q\"\n", 2, "")]
    public void Toml_syntax_errors_and_duplicate_keys_name_the_line(string text, int line, string expected)
    {
        var error = Assert.Throws<PluginManifestException>(() => LesstructManifest.Parse(text, ManifestPath));
        Assert.Null(error.Field);
        Assert.Equal(line, error.Line);
        Assert.NotNull(error.Column);
        Assert.Contains("the file is not valid TOML: ", error.Problem, StringComparison.Ordinal);
        Assert.Contains(expected, error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Errors_after_the_name_carry_the_plugin_id()
    {
        var error = Assert.Throws<PluginManifestException>(() => LesstructManifest.Parse(Valid.Replace("mode = \"fast\"", "mode = 3", StringComparison.Ordinal), ManifestPath));
        Assert.Equal("enrich", error.PluginId);
    }

    [Fact]
    public async Task A_manifest_file_is_loaded_with_its_full_path()
    {
        string folder = Directory.CreateTempSubdirectory("airlock-lesstruct-").FullName;
        try
        {
            string path = Path.Combine(folder, "enrich.manifest");
            await File.WriteAllTextAsync(path, Valid, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
            LesstructManifest manifest = LesstructManifest.Load(path);
            Assert.Equal(path, manifest.FilePath);
            Assert.Equal("enrich", manifest.Name);

            string broken = Path.Combine(folder, "broken.manifest");
            await File.WriteAllTextAsync(broken, Valid.Replace("mode = \"fast\"", "mode = 3", StringComparison.Ordinal));
            var error = Assert.Throws<PluginManifestException>(() => LesstructManifest.Load(broken));
            Assert.Equal(broken, error.FilePath);
            Assert.Equal("config.mode", error.Field);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_file_that_is_not_utf8_is_refused()
    {
        string folder = Directory.CreateTempSubdirectory("airlock-lesstruct-").FullName;
        try
        {
            string path = Path.Combine(folder, "latin1.manifest");
            await File.WriteAllBytesAsync(path, [.. "name = \""u8, 0xE9, .. "\"\nversion = \"1\"\n"u8]);
            var error = Assert.Throws<PluginManifestException>(() => LesstructManifest.Load(path));
            Assert.Null(error.Field);
            Assert.Contains("UTF-8", error.Problem, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_missing_file_is_reported_with_its_path()
    {
        string path = Path.Combine(Path.GetTempPath(), "airlock-tests", "does-not-exist", "enrich.manifest");
        var error = Assert.Throws<PluginManifestException>(() => LesstructManifest.Load(path));
        Assert.Equal(path, error.FilePath);
        Assert.Null(error.Field);
        Assert.Contains("cannot be read", error.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("read:content", DatabaseAccess.Read, LesstructTable.Content, "content_items")]
    [InlineData("write:content", DatabaseAccess.Write, LesstructTable.Content, "content_items")]
    [InlineData("read:media", DatabaseAccess.Read, LesstructTable.Media, "media_files")]
    [InlineData("write:users", DatabaseAccess.Write, LesstructTable.Users, "users")]
    public void Permissions_parse_and_name_their_sqlite_table(string text, DatabaseAccess access, LesstructTable table, string sqlite)
    {
        Assert.True(DatabasePermission.TryParse(text, out DatabasePermission permission, out string? problem), problem);
        Assert.Equal(new DatabasePermission(access, table), permission);
        Assert.Equal(sqlite, permission.SqliteTable);
        Assert.Equal(sqlite, table.SqliteName());
        Assert.Equal(text, permission.ToString());
    }
}
