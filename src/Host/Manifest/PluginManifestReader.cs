using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Airlock.Manifest;

/// <summary>
/// Reads a <c>plugin.json</c> with positions: the top level is walked with a <see cref="Utf8JsonReader"/>
/// so that every field's line and column can be named in errors, and each value is then checked.
/// </summary>
internal sealed partial class PluginManifestReader
{
    private readonly byte[] _json;
    private readonly string _path;
    private readonly PluginManifestOptions? _options;
    private readonly Dictionary<string, (JsonElement Value, long Offset)> _fields = new(StringComparer.Ordinal);

    public PluginManifestReader(ReadOnlySpan<byte> json, string path, PluginManifestOptions? options = null)
    {
        _json = json.StartsWith("\xEF\xBB\xBF"u8) ? json[3..].ToArray() : json.ToArray();
        _path = path;
        _options = options;
    }

    public PluginManifest Read()
    {
        if (_json.Length > Files.UntrustedFile.MaxManifestBytes)
        {
            throw Error(null, $"the file is {_json.Length} bytes; a manifest may be at most {Files.UntrustedFile.MaxManifestBytes} bytes.", null);
        }

        ReadTopLevel();
        string id = RequiredString("id");
        if (!IdPattern().IsMatch(id))
        {
            throw Error("id", $"expected a plugin id of letters, digits, '.', '-' and '_' (such as \"com.example.my-platform\"), found \"{id}\".", Offset("id"));
        }

        string version = RequiredString("version");
        if (!SemVerPattern().IsMatch(version))
        {
            throw Error("version", $"expected a semantic version such as \"1.0.0\" or \"2.1.0-beta.1\", found \"{version}\".", Offset("version"));
        }

        (string moduleField, string wasmPath) = ModulePath();
        string folder = Path.GetDirectoryName(_path) ?? Directory.GetCurrentDirectory();
        string modulePath = Path.GetFullPath(Path.Combine(folder, wasmPath));
        IReadOnlyList<string> moduleRoots = ModuleLocation.Roots(folder, _options);
        if (ModuleLocation.Problem(modulePath, moduleRoots) is { } outside)
        {
            throw Error(moduleField, outside, Offset(moduleField));
        }

        JsonElement? schema = null;
        if (_fields.TryGetValue("config_schema", out var config) && config.Value.ValueKind != JsonValueKind.Null)
        {
            if (config.Value.ValueKind is not (JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False))
            {
                throw Error("config_schema", $"expected a JSON schema (an object), found {Describe(config.Value)}.", config.Offset);
            }

            schema = config.Value;
            PluginConfiguration.CheckSchema(schema.Value, problem => Error("config_schema", problem, config.Offset));
        }

        JsonElement? configuration = null;
        if (_fields.TryGetValue("config", out var values) && values.Value.ValueKind != JsonValueKind.Null)
        {
            if (values.Value.ValueKind != JsonValueKind.Object)
            {
                throw Error("config", $"expected the plugin's configuration as an object, found {Describe(values.Value)}.", values.Offset);
            }

            configuration = values.Value;
        }

        var positions = new Dictionary<string, (long Line, long Column)>(StringComparer.Ordinal);
        foreach ((string name, (_, long offset)) in _fields)
        {
            positions[name] = Position(offset);
        }

        return new PluginManifest
        {
            Id = id,
            Name = OptionalString("name") is { } displayName && !string.IsNullOrWhiteSpace(displayName) ? displayName : id,
            Version = version,
            Description = OptionalString("description"),
            Author = OptionalString("author"),
            Capabilities = ReadCapabilities(),
            ModuleField = moduleField,
            WasmPath = modulePath,
            ModuleRoots = moduleRoots,
            ConfigSchema = schema,
            Configuration = configuration,
            ManifestPath = _path,
            Permissions = ReadPermissions(),
            Limits = ReadLimits(),
            HostResults = ReadHostResults(),
            Wasi = ReadWasi(),
            FieldPositions = positions,
        };
    }

    // "module" names the .wasm in a general manifest; SocialScale's manifests call it "wasm_path".
    private (string Field, string Path) ModulePath()
    {
        bool hasModule = _fields.ContainsKey("module");
        bool hasWasmPath = _fields.ContainsKey("wasm_path");
        if (hasModule && hasWasmPath)
        {
            throw Error("wasm_path", "the module is named twice (\"module\" and \"wasm_path\"); keep one.", Offset("wasm_path"));
        }

        if (!hasModule && !hasWasmPath)
        {
            throw Error("module", "the field is required: the path of the plugin's .wasm file, relative to the manifest (SocialScale manifests call it \"wasm_path\").", null);
        }

        string field = hasModule ? "module" : "wasm_path";
        string path = RequiredString(field);
        if (path.Contains('\0', StringComparison.Ordinal))
        {
            throw Error(field, "the path contains a NUL character.", Offset(field));
        }

        return (field, path);
    }

    // "host_status_codes": true asks for negative status codes from host functions (docs/abi/packed-ptr-len.md).
    private HostResultEncoding? ReadHostResults()
    {
        if (!_fields.TryGetValue("host_status_codes", out var field) || field.Value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return field.Value.ValueKind switch
        {
            JsonValueKind.True => HostResultEncoding.StatusCodes,
            JsonValueKind.False => HostResultEncoding.Plain,
            _ => throw Error("host_status_codes", $"expected true or false, found {Describe(field.Value)}.", field.Offset),
        };
    }

    // "wasi": false says the plugin uses no WASI: none is linked, and a module that imports it is refused.
    private bool? ReadWasi()
    {
        if (!_fields.TryGetValue("wasi", out var field) || field.Value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return field.Value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Error("wasi", $"expected true or false, found {Describe(field.Value)}.", field.Offset),
        };
    }

    private Security.PluginPermissions ReadPermissions()
    {
        if (!_fields.TryGetValue("permissions", out var field) || field.Value.ValueKind == JsonValueKind.Null)
        {
            return Security.PluginPermissions.None;
        }

        return Security.PermissionsReader.Read(field.Value, "permissions", (at, problem) => Error(at, problem, field.Offset));
    }

    // "limits": {"memory_mb": 64, "fuel_per_call": 1000000000, "timeout_ms": 30000, "max_instances": 4, "http_requests_per_hour": 1000}
    private Security.PluginLimitRequest? ReadLimits()
    {
        if (!_fields.TryGetValue("limits", out var field) || field.Value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (field.Value.ValueKind != JsonValueKind.Object)
        {
            throw Error("limits", $"expected an object such as {{\"memory_mb\": 64}}, found {Describe(field.Value)}.", field.Offset);
        }

        var limits = new Security.PluginLimitRequest();
        foreach (JsonProperty limit in field.Value.EnumerateObject())
        {
            string at = "limits." + limit.Name;
            if (limit.Value.ValueKind != JsonValueKind.Number || !limit.Value.TryGetInt64(out long number) || number <= 0)
            {
                throw Error(at, $"expected a positive whole number, found {(limit.Value.ValueKind == JsonValueKind.Number ? "\"" + limit.Value.GetRawText() + "\"" : Describe(limit.Value))}.", field.Offset);
            }

            limits = limit.Name switch
            {
                "memory_mb" when number <= 2048 => limits with { MemoryBytes = number * 1024 * 1024 },
                "fuel_per_call" => limits with { FuelPerCall = (ulong)number },
                "timeout_ms" when number <= 3_600_000 => limits with { Timeout = TimeSpan.FromMilliseconds(number) },
                "max_instances" when number <= 1024 => limits with { MaxInstances = (int)number },
                "http_requests_per_hour" when number <= int.MaxValue => limits with { HttpRequestsPerHour = (int)number },
                "memory_mb" or "timeout_ms" or "max_instances" or "http_requests_per_hour" => throw Error(at, $"{number} is out of range.", field.Offset),
                _ => throw Error(at, "unknown limit; expected memory_mb, fuel_per_call, timeout_ms, max_instances or http_requests_per_hour.", field.Offset),
            };
        }

        return limits;
    }

    private void ReadTopLevel()
    {
        var reader = new Utf8JsonReader(_json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, MaxDepth = 64 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw Error(null, "expected a JSON object at the top level.", reader.TokenStartIndex);
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string name = reader.GetString()!;
                long offset = reader.TokenStartIndex;
                if (_fields.ContainsKey(name))
                {
                    throw Error(name, "the field appears more than once.", offset);
                }

                reader.Read();
                long valueOffset = reader.TokenStartIndex;
                // Unknown fields are kept and ignored: newer manifests may add some.
                _fields[name] = (JsonElement.ParseValue(ref reader), valueOffset);
            }

            while (reader.Read())
            {
            }
        }
        catch (JsonException exception)
        {
            long line = (exception.LineNumber ?? 0) + 1;
            long column = (exception.BytePositionInLine ?? 0) + 1;
            string problem = exception.Message;
            int suffix = problem.IndexOf(" LineNumber:", StringComparison.Ordinal);
            problem = suffix > 0 ? problem[..suffix].TrimEnd(' ', '|', '.') + "." : problem;
            throw new PluginManifestException(_path, null, "the file is not valid JSON: " + problem, line, column, innerException: exception);
        }
    }

    // Optional in a general manifest; profiles decide which kinds they accept (SocialScaleManifest).
    private List<PluginCapability> ReadCapabilities()
    {
        if (!_fields.TryGetValue("capabilities", out var field) || field.Value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (field.Value.ValueKind != JsonValueKind.Array)
        {
            throw Error("capabilities", $"expected an array of capability types, found {Describe(field.Value)}.", field.Offset);
        }

        var capabilities = new List<PluginCapability>();
        int index = 0;
        foreach (JsonElement item in field.Value.EnumerateArray())
        {
            string at = $"capabilities[{index++}]";
            PluginCapability capability = item.ValueKind switch
            {
                JsonValueKind.String when !string.IsNullOrWhiteSpace(item.GetString()) => PluginCapability.Named(item.GetString()!),
                JsonValueKind.Object => ReadCustom(item, at, field.Offset),
                _ => throw Error(at, $"expected a capability type string or {{\"custom\": \"name\"}}, found {Describe(item)}.", field.Offset),
            };
            if (capabilities.Contains(capability))
            {
                throw Error(at, $"capability {capability} is listed twice.", field.Offset);
            }

            capabilities.Add(capability);
        }

        return capabilities;
    }

    private PluginCapability ReadCustom(JsonElement item, string at, long offset)
    {
        int count = 0;
        string? name = null;
        foreach (JsonProperty property in item.EnumerateObject())
        {
            count++;
            name = property.NameEquals("custom"u8) && property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null;
        }

        if (count != 1 || string.IsNullOrWhiteSpace(name))
        {
            throw Error(at, "expected a custom capability written as {\"custom\": \"name\"} with a non-empty name.", offset);
        }

        return PluginCapability.Custom(name);
    }

    private string RequiredString(string field)
    {
        if (!_fields.TryGetValue(field, out var value))
        {
            throw Error(field, "the field is required.", null);
        }

        if (value.Value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.Value.GetString()))
        {
            throw Error(field, $"expected a non-empty string, found {Describe(value.Value)}.", value.Offset);
        }

        return value.Value.GetString()!;
    }

    private string? OptionalString(string field)
    {
        if (!_fields.TryGetValue(field, out var value) || value.Value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.Value.ValueKind == JsonValueKind.String
            ? value.Value.GetString()
            : throw Error(field, $"expected a string, found {Describe(value.Value)}.", value.Offset);
    }

    private long? Offset(string field) => _fields.TryGetValue(field, out var value) ? value.Offset : null;

    private PluginManifestException Error(string? field, string problem, long? offset)
    {
        if (offset is not { } at)
        {
            return new PluginManifestException(_path, field, problem);
        }

        (long line, long column) = Position(at);
        return new PluginManifestException(_path, field, problem, line, column);
    }

    // Line and column (1-based, in characters) of a byte offset.
    private (long Line, long Column) Position(long offset)
    {
        ReadOnlySpan<byte> before = _json.AsSpan(0, (int)Math.Min(offset, _json.Length));
        int line = before.Count((byte)'\n') + 1;
        int lineStart = before.LastIndexOf((byte)'\n') + 1;
        return (line, Encoding.UTF8.GetCharCount(before[lineStart..]) + 1);
    }

    internal static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!.Length == 0 ? "an empty string" : "a blank string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        _ => value.ValueKind.ToString(),
    };

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
    private static partial Regex IdPattern();

    // Semantic Versioning 2.0.0, https://semver.org
    [GeneratedRegex(@"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$")]
    private static partial Regex SemVerPattern();
}
