using Airlock.Manifest;

namespace Airlock.Driftless;

/// <summary>Reads a Driftless <c>plugins.toml</c> through the shared <see cref="TomlDocumentReader"/>.</summary>
internal sealed class DriftlessSettingsReader
{
    private const int MaxRegistryNameLength = 64;
    private const int MaxRegistryUrlLength = 2048;

    private static readonly string[] RootKeys = ["security", "registries"];
    private static readonly string[] SecurityKeys = ["max_memory", "fuel_limit", "execution_timeout_secs", "allow_wasi", "debug_enabled"];
    private static readonly string[] RegistryKeys = ["name", "url", "enabled"];

    private readonly TomlDocumentReader _toml;

    public DriftlessSettingsReader(string text, string path)
    {
        _toml = new TomlDocumentReader(text, path, "plugins.toml");
    }

    public DriftlessSettings Read()
    {
        TomlTable root = _toml.Read();
        DriftlessSecurity security = DriftlessSecurity.Default;
        IReadOnlyList<DriftlessRegistry> registries = [];
        foreach (TomlEntry entry in root.Entries)
        {
            switch (entry.Key)
            {
                case "security":
                    security = ReadSecurity(_toml.Table(entry));
                    break;
                case "registries":
                    registries = ReadRegistries(_toml.TableArray(entry));
                    break;
                default:
                    throw _toml.UnknownKey(entry, RootKeys, "");
            }
        }

        return new DriftlessSettings { Security = security, Registries = registries, FilePath = _toml.FilePath };
    }

    private DriftlessSecurity ReadSecurity(TomlTable table)
    {
        DriftlessSecurity security = DriftlessSecurity.Default;
        foreach (TomlEntry entry in table.Entries)
        {
            security = entry.Key switch
            {
                "max_memory" => security with
                {
                    MaxMemory = _toml.Integer(entry, DriftlessSecurity.MinMaxMemory, DriftlessSecurity.MaxMaxMemory, "an integer number of bytes", "between 65536 (64 KiB, one wasm page) and 2147483648 (2 GiB), such as 67108864 for 64 MiB"),
                },
                "fuel_limit" => security with
                {
                    FuelLimit = (ulong)_toml.Integer(entry, 1, (long)DriftlessSecurity.MaxFuelLimit, "an integer number of instructions", "between 1 and 100000000000, such as 1000000000"),
                },
                "execution_timeout_secs" => security with
                {
                    ExecutionTimeout = TimeSpan.FromSeconds(_toml.Integer(entry, 1, DriftlessSecurity.MaxExecutionTimeoutSeconds, "an integer number of seconds", "between 1 and 3600 (one hour), such as 30")),
                },
                "allow_wasi" => security with { AllowWasi = _toml.Boolean(entry) },
                "debug_enabled" => security with { DebugEnabled = _toml.Boolean(entry) },
                _ => throw _toml.UnknownKey(entry, SecurityKeys, " in [security]"),
            };
        }

        return security;
    }

    private List<DriftlessRegistry> ReadRegistries(IReadOnlyList<TomlTable> tables)
    {
        var registries = new List<DriftlessRegistry>();
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (TomlTable table in tables)
        {
            string? name = null;
            Uri? url = null;
            bool enabled = true;
            foreach (TomlEntry entry in table.Entries)
            {
                switch (entry.Key)
                {
                    case "name":
                        name = RegistryName(entry);
                        if (!fields.TryAdd(name, entry.Field))
                        {
                            throw _toml.Error(entry.Field, $"the registry name \"{name}\" is already used by {fields[name]}; each registry needs its own name (names are compared ignoring case).", entry.Span);
                        }

                        break;
                    case "url":
                        url = RegistryUrl(entry);
                        break;
                    case "enabled":
                        enabled = _toml.Boolean(entry);
                        break;
                    default:
                        throw _toml.UnknownKey(entry, RegistryKeys, " in [[registries]]");
                }
            }

            registries.Add(new DriftlessRegistry(
                name ?? throw _toml.Missing(table, table.Field + ".name", "the field is required; expected a registry name such as name = \"my-registry\"."),
                url ?? throw _toml.Missing(table, table.Field + ".url", "the field is required; expected the registry's address such as url = \"https://plugins.example.com\"."),
                enabled));
        }

        return registries;
    }

    private string RegistryName(TomlEntry entry)
    {
        string name = _toml.String(entry);
        return name.Length is > 0 and <= MaxRegistryNameLength && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_')
            ? name
            : throw _toml.Error(entry.Field, $"expected a registry name of 1 to {MaxRegistryNameLength} letters, digits, '.', '-' and '_' (such as \"my-registry\"), found {Quoted(name)}.", entry.Span);
    }

    private Uri RegistryUrl(TomlEntry entry)
    {
        string text = _toml.String(entry);
        string problem;
        if (text.Length > MaxRegistryUrlLength)
        {
            problem = $"the address has {text.Length} characters; at most {MaxRegistryUrlLength} are allowed.";
        }
        else if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? url) || text.Trim() != text)
        {
            problem = $"expected an absolute http or https address such as \"https://plugins.example.com\", found {Quoted(text)}.";
        }
        else if (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
        {
            problem = $"expected an http or https address, found the scheme {url.Scheme} in {Quoted(text)}.";
        }
        else if (url.UserInfo.Length > 0)
        {
            problem = $"the address {Quoted(text)} has user information; credentials do not belong in plugins.toml.";
        }
        else if (url.Host.Length == 0)
        {
            problem = $"the address {Quoted(text)} has no host.";
        }
        else
        {
            return url;
        }

        throw _toml.Error(entry.Field, problem, entry.Span);
    }

    private static string Quoted(string text) => TomlDocumentReader.Quoted(text);
}
