using System.Collections.ObjectModel;
using Airlock.Manifest;
using Tomlyn.Syntax;

namespace Airlock.Lesstruct;

/// <summary>
/// Reads a Lesstruct <c>.manifest</c> (TOML) with positions through the shared <see cref="TomlDocumentReader"/>: keys may be
/// written in any TOML form (<c>[capabilities]</c> tables, dotted keys, inline tables); every error names the dotted field,
/// the line and the column.
/// </summary>
internal sealed class LesstructManifestReader
{
    private static readonly string[] RootKeys = ["name", "version", "capabilities", "config"];
    private static readonly string[] CapabilityKeys = ["http", "database"];

    private readonly TomlDocumentReader _toml;
    private readonly List<(UrlPattern Pattern, string Field)> _http = [];
    private readonly List<(DatabasePermission Permission, string Field)> _database = [];
    private readonly Dictionary<string, string> _config = new(StringComparer.Ordinal);

    public LesstructManifestReader(string text, string path)
    {
        _toml = new TomlDocumentReader(text, path, "a manifest");
    }

    public LesstructManifest Read()
    {
        TomlTable root = _toml.Read();

        // The name first, so that every later error carries the plugin's id.
        string? name = root.Find("name") is { } nameEntry ? _toml.NonEmptyString(nameEntry) : null;
        _toml.PluginId = name;
        string? version = null;
        foreach (TomlEntry entry in root.Entries)
        {
            switch (entry.Key)
            {
                case "name":
                    break;
                case "version":
                    version = _toml.NonEmptyString(entry);
                    break;
                case "capabilities":
                    ReadCapabilities(_toml.Table(entry));
                    break;
                case "config":
                    ReadConfig(_toml.Table(entry));
                    break;
                default:
                    throw _toml.UnknownKey(entry, RootKeys, "");
            }
        }

        return new LesstructManifest(
            name ?? throw _toml.Missing(root, "name", "the field is required; expected a non-empty string such as name = \"enrich\"."),
            version ?? throw _toml.Missing(root, "version", "the field is required; expected a non-empty string such as version = \"1.0.0\"."),
            _toml.FilePath,
            _http.Count == 0 ? UrlAllowlist.Empty : new UrlAllowlist(_http.Select(h => h.Pattern)),
            Array.AsReadOnly(_database.Select(d => d.Permission).ToArray()),
            new ReadOnlyDictionary<string, string>(_config));
    }

    private void ReadCapabilities(TomlTable capabilities)
    {
        foreach (TomlEntry entry in capabilities.Entries)
        {
            switch (entry.Key)
            {
                case "http":
                    _toml.Strings(entry, ReadPattern);
                    break;
                case "database":
                    _toml.Strings(entry, ReadPermission);
                    break;
                default:
                    throw _toml.UnknownKey(entry, CapabilityKeys, " in [capabilities]");
            }
        }
    }

    private void ReadConfig(TomlTable config)
    {
        foreach (TomlEntry entry in config.Entries)
        {
            _config[entry.Key] = _toml.String(entry, "config values are strings (quote numbers and booleans)");
        }
    }

    private void ReadPattern(string field, string text, SourceSpan span)
    {
        if (!UrlPattern.TryParse(text, out UrlPattern? pattern, out string? problem))
        {
            throw _toml.Error(field, $"invalid URL pattern \"{text}\": {problem}", span);
        }

        if (_http.FirstOrDefault(h => h.Pattern.Equals(pattern)) is { Field: { } earlier })
        {
            throw _toml.Error(field, $"the pattern \"{text}\" matches the same URLs as {earlier}; list it once.", span);
        }

        _http.Add((pattern, field));
    }

    private void ReadPermission(string field, string text, SourceSpan span)
    {
        if (!DatabasePermission.TryParse(text, out DatabasePermission permission, out string? problem))
        {
            throw _toml.Error(field, problem, span);
        }

        if (_database.FirstOrDefault(d => d.Permission == permission) is { Field: { } earlier })
        {
            throw _toml.Error(field, $"{permission} is listed twice (also {earlier}).", span);
        }

        _database.Add((permission, field));
    }
}
