using System.Globalization;
using System.Text.RegularExpressions;
using Airlock.Manifest;
using Airlock.Services;
using Semver;
using Tomlyn.Syntax;

namespace Airlock.Samuel;

/// <summary>
/// Reads a <c>samuel-plugin.toml</c> with positions through the shared <see cref="TomlDocumentReader"/>: keys may be
/// written in any TOML form (tables, dotted keys, inline tables); every error names the dotted field, the line and the column.
/// </summary>
internal sealed partial class SamuelManifestReader
{
    private const int MaxNameLength = 128;
    private const int MaxSummaryLength = 1024;
    private const int MaxExports = 64;
    private const int MaxExportNameLength = 64;
    private const int MaxEnvNameLength = 128;
    private const int MaxPathLength = 1024;
    private const int MaxListLength = 64;

    private static readonly string[] RootKeys = ["name", "version", "kind", "summary", "samuel", "wasm", "runtime", "capabilities"];
    private static readonly string[] SamuelKeys = ["framework", "protocol"];
    private static readonly string[] WasmKeys = ["module", "exports"];
    private static readonly string[] RuntimeKeys = ["max_memory", "timeout", "hard_timeout", "exports"];
    private static readonly string[] CapabilityKeys = ["env", "filesystem", "network"];
    private static readonly string[] FilesystemKeys = ["read", "write"];
    private static readonly string[] NetworkKeys = ["hosts"];

    private readonly TomlDocumentReader _toml;
    private readonly SamuelHostVersions _host;

    private SemVersion? _version;
    private string _summary = "";
    private (string Text, SemVersionRange Range, TomlEntry Entry)? _framework;
    private (string Text, SemVersionRange Range, TomlEntry Entry)? _protocol;
    private TomlTable? _samuelTable;
    private TomlTable? _wasmTable;
    private string? _module;
    private List<string>? _exports;
    private TomlEntry? _runtimeExports;
    private SamuelRuntime _runtime = SamuelRuntime.Default;
    private TomlEntry? _softEntry;
    private TomlEntry? _hardEntry;
    private SamuelCapabilities _capabilities = SamuelCapabilities.None;

    public SamuelManifestReader(string text, string path, SamuelHostVersions host)
    {
        ArgumentNullException.ThrowIfNull(host);
        _toml = new TomlDocumentReader(text, path, "a Samuel manifest");
        _host = host;
    }

    public SamuelManifest Read()
    {
        TomlTable root = _toml.Read();

        // The name first, so that every later error carries the plugin's name; then the kind, so that a skill or OCI
        // manifest is refused for what it is rather than for lacking a [wasm] table.
        string? name = root.Find("name") is { } nameEntry ? Name(nameEntry) : null;
        _toml.PluginId = name;
        if (root.Find("kind") is not { } kindEntry)
        {
            throw _toml.Missing(root, "kind", "the field is required; expected kind = \"wasm\" (the only kind Airlock runs).");
        }

        Kind(kindEntry);
        foreach (TomlEntry entry in root.Entries)
        {
            switch (entry.Key)
            {
                case "name":
                case "kind":
                    break;
                case "version":
                    _version = Version(entry);
                    break;
                case "summary":
                    _summary = Summary(entry);
                    break;
                case "samuel":
                    ReadSamuel(_samuelTable = _toml.Table(entry));
                    break;
                case "wasm":
                    ReadWasm(_wasmTable = _toml.Table(entry));
                    break;
                case "runtime":
                    ReadRuntime(_toml.Table(entry));
                    break;
                case "capabilities":
                    ReadCapabilities(_toml.Table(entry));
                    break;
                default:
                    throw _toml.UnknownKey(entry, RootKeys, "");
            }
        }

        string plugin = name ?? throw _toml.Missing(root, "name", "the field is required; expected the plugin's name such as name = \"go-guide-wasm\".");
        SemVersion version = _version ?? throw _toml.Missing(root, "version", "the field is required; expected a semantic version such as version = \"0.1.0\".");
        var framework = _framework ?? throw _toml.Missing(_samuelTable ?? root, "samuel.framework", "the field is required; expected the framework versions the plugin works with, such as framework = \"^2.2.0\" in [samuel].");
        var protocol = _protocol ?? throw _toml.Missing(_samuelTable ?? root, "samuel.protocol", "the field is required; expected the protocol versions the plugin speaks, such as protocol = \"^1.0.0\" in [samuel].");
        string module = _module ?? throw _toml.Missing(_wasmTable ?? root, "wasm.module", "the field is required; expected the module's file in the plugin's folder, such as module = \"plugin.wasm\" in [wasm].");
        List<string> exports = _exports ?? throw _toml.Missing(_wasmTable ?? root, "wasm.exports", "the field is required; expected the functions the plugin exports, such as exports = [\"lint\"] in [wasm].");

        CheckRuntimeExports(exports);
        CheckDeadlines();
        CheckCompatible("framework", framework, _host.Framework);
        CheckCompatible("protocol", protocol, _host.Protocol);

        string folder = Path.GetDirectoryName(_toml.FilePath) ?? _toml.FilePath;
        return new SamuelManifest(
            plugin,
            version,
            _summary,
            framework.Text,
            protocol.Text,
            module,
            Path.GetFullPath(Path.Combine(folder, module)),
            exports.AsReadOnly(),
            _runtime,
            _capabilities,
            _toml.FilePath);
    }

    private string Name(TomlEntry entry)
    {
        string name = _toml.String(entry);
        return name.Length <= MaxNameLength && NamePattern().IsMatch(name)
            ? name
            : throw _toml.Error(entry.Field, $"expected a name of 1 to {MaxNameLength} letters, digits, '.', '-' and '_', starting with a letter or digit (such as \"go-guide-wasm\"), found {Quoted(name)}.", entry.Span);
    }

    private void Kind(TomlEntry entry)
    {
        string kind = _toml.String(entry, "write kind = \"wasm\"");
        string? problem = kind switch
        {
            "wasm" => null,
            "skill" => "kind \"skill\" is a Samuel skill-tier plugin: prompt and behavioural guidance with no code to execute, which Samuel itself applies; Airlock runs only kind = \"wasm\" plugins.",
            "oci" => "kind \"oci\" is a Samuel OCI-tier plugin: a container image run under Docker on the host, for heavy runtimes, native dependencies or several processes; Airlock runs only kind = \"wasm\" plugins.",
            _ => $"expected kind = \"wasm\" (Samuel's other kinds, \"skill\" and \"oci\", do not run in Airlock), found {Quoted(kind)}.",
        };
        if (problem is not null)
        {
            throw _toml.Error(entry.Field, problem, entry.Span);
        }
    }

    private SemVersion Version(TomlEntry entry)
    {
        string text = _toml.String(entry, "write the version in quotes, such as version = \"0.1.0\"");
        return text.Length <= MaxNameLength && SemVersion.TryParse(text, SemVersionStyles.Strict, out SemVersion? version)
            ? version
            : throw _toml.Error(entry.Field, $"expected a semantic version MAJOR.MINOR.PATCH (such as \"0.1.0\" or \"1.2.0-beta.1\"), found {Quoted(text)}.", entry.Span);
    }

    private string Summary(TomlEntry entry)
    {
        string summary = _toml.String(entry);
        if (summary.Length > MaxSummaryLength)
        {
            throw _toml.Error(entry.Field, $"the summary has {summary.Length} characters; at most {MaxSummaryLength} are allowed.", entry.Span);
        }

        return summary.Any(char.IsControl)
            ? throw _toml.Error(entry.Field, "the summary contains a line break or another control character; write one line of plain text.", entry.Span)
            : summary.Trim();
    }

    private void ReadSamuel(TomlTable table)
    {
        foreach (TomlEntry entry in table.Entries)
        {
            switch (entry.Key)
            {
                case "framework":
                    _framework = Range(entry, "^2.2.0");
                    break;
                case "protocol":
                    _protocol = Range(entry, "^1.0.0");
                    break;
                default:
                    throw _toml.UnknownKey(entry, SamuelKeys, " in [samuel]");
            }
        }
    }

    private (string Text, SemVersionRange Range, TomlEntry Entry) Range(TomlEntry entry, string example)
    {
        string text = _toml.String(entry, $"write the range in quotes, such as \"{example}\"");
        return !string.IsNullOrWhiteSpace(text) && text.Length <= MaxNameLength && SemVersionRange.TryParseNpm(text.Trim(), out SemVersionRange? range)
            ? (text.Trim(), range, entry)
            : throw _toml.Error(entry.Field, $"expected a semantic version range (npm syntax, such as \"{example}\", \"~{example[1..]}\" or \">={example[1..]} <3.0.0\"), found {Quoted(text)}.", entry.Span);
    }

    private void CheckCompatible(string what, (string Text, SemVersionRange Range, TomlEntry Entry) required, SemVersion provided)
    {
        if (!required.Range.Contains(provided))
        {
            throw _toml.Error(required.Entry.Field, $"the plugin requires {what} {required.Text}, but this host provides {what} {provided}; install a version of the plugin built for {what} {provided}.", required.Entry.Span);
        }
    }

    private void ReadWasm(TomlTable table)
    {
        foreach (TomlEntry entry in table.Entries)
        {
            switch (entry.Key)
            {
                case "module":
                    _module = Module(entry);
                    break;
                case "exports":
                    _exports = Exports(entry);
                    break;
                default:
                    throw _toml.UnknownKey(entry, WasmKeys, " in [wasm]");
            }
        }
    }

    private string Module(TomlEntry entry)
    {
        string module = _toml.String(entry);
        string? problem = null;
        if (module.Length == 0 || module.Length > MaxPathLength)
        {
            problem = $"expected the module's file, 1 to {MaxPathLength} characters relative to the manifest's folder (such as \"plugin.wasm\"), found {Quoted(module)}.";
        }
        else if (module.Any(char.IsControl) || module.Contains('\\', StringComparison.Ordinal) || module.Contains(':', StringComparison.Ordinal))
        {
            problem = $"the module path {Quoted(module)} contains a control character, '\\' or ':'; write a relative path with '/' separators, such as \"plugin.wasm\" or \"build/plugin.wasm\".";
        }
        else if (module.StartsWith('/') || Path.IsPathRooted(module))
        {
            problem = $"the module path {Quoted(module)} is absolute; the module lives in the plugin's folder, so write a path relative to the manifest, such as \"plugin.wasm\".";
        }
        else if (module.Split('/').Any(segment => segment is "" or "." or ".."))
        {
            problem = $"the module path {Quoted(module)} has an empty, '.' or '..' segment; the module lives in the plugin's folder or below it.";
        }

        return problem is null ? module : throw _toml.Error(entry.Field, problem, entry.Span);
    }

    private List<string> Exports(TomlEntry entry)
    {
        List<string> exports = Distinct(entry, MaxExports, "exports", text =>
        {
            if (text.Length > MaxExportNameLength || !ExportPattern().IsMatch(text))
            {
                return (text, $"expected an export name of 1 to {MaxExportNameLength} ASCII letters, digits, '_' and '-', starting with a letter or '_' (such as \"lint\"), found {Quoted(text)}.");
            }

            return ReservedExport(text) is { } verb
                ? (text, $"\"{text}\" is a reserved name: {verb} is a built-in Samuel verb, and exports must not collide with one (reserved: {string.Join(", ", SamuelManifest.ReservedExportNames)}; compared ignoring case).")
                : (text, null);
        });

        return exports.Count > 0
            ? exports
            : throw _toml.Error(entry.Field, "expected at least one export; a plugin with no exports has nothing the host can call.", entry.Span);
    }

    /// <summary>
    /// Reads an array of at most <paramref name="max"/> strings, each checked and normalised by <paramref name="check"/>
    /// (which returns the value to keep and the problem, if any); a value listed twice is an error naming the first.
    /// </summary>
    private List<string> Distinct(TomlEntry entry, int max, string what, Func<string, (string Value, string? Problem)> check)
    {
        var values = new List<string>();
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        _toml.Strings(entry, (field, text, span) =>
        {
            if (values.Count == max)
            {
                throw _toml.Error(field, $"at most {max} {what} may be listed.", span);
            }

            (string value, string? problem) = check(text);
            if (problem is not null)
            {
                throw _toml.Error(field, problem, span);
            }

            if (!fields.TryAdd(value, field))
            {
                throw _toml.Error(field, $"{Quoted(text)} is listed twice (also {fields[value]}).", span);
            }

            values.Add(value);
        });
        return values;
    }

    private static string? ReservedExport(string name) => Wasm.SamuelVerbs.Collision(name);

    private void ReadRuntime(TomlTable table)
    {
        foreach (TomlEntry entry in table.Entries)
        {
            switch (entry.Key)
            {
                case "max_memory":
                    _runtime = _runtime with
                    {
                        MaxMemoryMiB = (int)_toml.Integer(entry, 1, SamuelRuntime.MaxMaxMemoryMiB, "an integer number of MiB", $"between 1 and {SamuelRuntime.MaxMaxMemoryMiB} (2 GiB), such as 64"),
                    };
                    break;
                case "timeout":
                    _softEntry = entry;
                    _runtime = _runtime with { SoftTimeout = Duration(entry, "\"5s\"") };
                    break;
                case "hard_timeout":
                    _hardEntry = entry;
                    _runtime = _runtime with { HardTimeout = Duration(entry, "\"30s\"") };
                    break;
                case "exports":
                    _runtimeExports = entry;
                    break;
                default:
                    throw _toml.UnknownKey(entry, RuntimeKeys, " in [runtime]");
            }
        }
    }

    private TimeSpan Duration(TomlEntry entry, string example)
    {
        if (entry.Value is not StringValueSyntax { Value: { } text })
        {
            throw _toml.Mismatch(entry, "a duration string", entry.Value is IntegerValueSyntax or FloatValueSyntax ? $"write the number with its unit in quotes, such as {example}" : null);
        }

        if (!TryParseDuration(text, out TimeSpan duration))
        {
            throw _toml.Error(entry.Field, $"expected a duration of numbers with units h, m, s or ms (such as {example}, \"1500ms\" or \"1m30s\"), found {Quoted(text)}.", entry.Span);
        }

        return duration >= TimeSpan.FromMilliseconds(1) && duration <= SamuelRuntime.MaxTimeout
            ? duration
            : throw _toml.Error(entry.Field, $"expected a duration between 1ms and 1h, found {Quoted(text)}.", entry.Span);
    }

    /// <summary>Parses a Go-style duration: one or more decimal numbers each followed by <c>h</c>, <c>m</c>, <c>s</c> or <c>ms</c>.</summary>
    internal static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = default;
        Match match = DurationPattern().Match(text);
        if (!match.Success || text.Length > 32)
        {
            return false;
        }

        decimal milliseconds = 0;
        for (int i = 0; i < match.Groups["number"].Captures.Count; i++)
        {
            decimal number = decimal.Parse(match.Groups["number"].Captures[i].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            milliseconds += number * match.Groups["unit"].Captures[i].Value switch
            {
                "h" => 3_600_000m,
                "m" => 60_000m,
                "s" => 1_000m,
                _ => 1m,
            };
        }

        // Beyond a day the value is refused by the caller anyway; this keeps the conversion in range.
        duration = TimeSpan.FromMilliseconds((double)Math.Min(milliseconds, 86_400_000m));
        return true;
    }

    private void CheckRuntimeExports(List<string> exports)
    {
        if (_runtimeExports is not { } entry)
        {
            return;
        }

        var declared = new HashSet<string>(exports, StringComparer.Ordinal);
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        _toml.Strings(entry, (field, text, span) =>
        {
            if (!declared.Contains(text))
            {
                throw _toml.Error(field, $"{Quoted(text)} is not in wasm.exports ({string.Join(", ", exports)}); runtime.exports must list the same names as wasm.exports.", span);
            }

            if (!seen.TryAdd(text, field))
            {
                throw _toml.Error(field, $"\"{text}\" is listed twice (also {seen[text]}).", span);
            }
        });

        string[] missing = exports.Where(e => !seen.ContainsKey(e)).ToArray();
        if (missing.Length > 0)
        {
            throw _toml.Error(entry.Field, $"runtime.exports lacks {string.Join(", ", missing.Select(m => "\"" + m + "\""))}, which wasm.exports declares; the two lists must name the same exports.", entry.Span);
        }
    }

    private void CheckDeadlines()
    {
        if (_runtime.SoftTimeout <= _runtime.HardTimeout)
        {
            return;
        }

        string soft = _softEntry is null ? $"the default soft timeout ({_runtime.SoftTimeout.TotalSeconds}s)" : $"the soft timeout ({Text(_softEntry)})";
        string hard = _hardEntry is null ? $"the default hard timeout ({_runtime.HardTimeout.TotalSeconds}s)" : $"the hard timeout ({Text(_hardEntry)})";
        TomlEntry at = _softEntry ?? _hardEntry!;
        throw _toml.Error(at.Field, $"{soft} is longer than {hard}; the soft deadline must come no later than the hard one.", at.Span);
    }

    private static string Text(TomlEntry entry) => entry.Value is StringValueSyntax { Value: { } text } ? "\"" + text + "\"" : "";

    private void ReadCapabilities(TomlTable table)
    {
        IReadOnlyList<string> env = [];
        IReadOnlyList<string> read = [];
        IReadOnlyList<string> write = [];
        DomainAllowlist network = DomainAllowlist.Empty;
        foreach (TomlEntry entry in table.Entries)
        {
            switch (entry.Key)
            {
                case "env":
                    env = Environment(entry);
                    break;
                case "filesystem":
                    (read, write) = Filesystem(_toml.Table(entry));
                    break;
                case "network":
                    network = Network(_toml.Table(entry));
                    break;
                default:
                    throw _toml.UnknownKey(entry, CapabilityKeys, " in [capabilities]");
            }
        }

        _capabilities = new SamuelCapabilities { Environment = env, ReadMounts = read, WriteMounts = write, Network = network };
    }

    private IReadOnlyList<string> Environment(TomlEntry entry) =>
        Distinct(entry, MaxListLength, "environment variables", text =>
            (text, text.Length <= MaxEnvNameLength && EnvPattern().IsMatch(text)
                ? null
                : $"expected an environment variable name of 1 to {MaxEnvNameLength} ASCII letters, digits and '_', not starting with a digit (such as \"HOME\"), found {Quoted(text)}.")).AsReadOnly();

    private (IReadOnlyList<string> Read, IReadOnlyList<string> Write) Filesystem(TomlTable table)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var read = new List<string>();
        var write = new List<string>();
        foreach (TomlEntry entry in table.Entries)
        {
            List<string> mounts = entry.Key switch
            {
                "read" => read,
                "write" => write,
                _ => throw _toml.UnknownKey(entry, FilesystemKeys, " in [capabilities.filesystem]"),
            };
            _toml.Strings(entry, (field, text, span) =>
            {
                if (read.Count + write.Count == MaxListLength)
                {
                    throw _toml.Error(field, $"at most {MaxListLength} mounts may be granted.", span);
                }

                if (MountProblem(text) is { } problem)
                {
                    throw _toml.Error(field, problem, span);
                }

                if (!fields.TryAdd(text, field))
                {
                    throw _toml.Error(field, $"\"{text}\" is already granted by {fields[text]}; list each mount once (a write mount is readable too).", span);
                }

                mounts.Add(text);
            });
        }

        return (read.AsReadOnly(), write.AsReadOnly());
    }

    /// <summary>Why <paramref name="path"/> is not a mount: an absolute guest path in normal form, other than <c>/</c>.</summary>
    private static string? MountProblem(string path)
    {
        const string Rule = "a mount is an absolute guest path in normal form, such as \"/workspace\" or \"/workspace/out\"";
        if (path.Length == 0 || path.Length > MaxPathLength)
        {
            return $"expected {Rule}, 1 to {MaxPathLength} characters, found {Quoted(path)}.";
        }

        if (path.Any(char.IsControl) || path.Contains('\\', StringComparison.Ordinal))
        {
            return $"the path {Quoted(path)} contains a control character or '\\'; {Rule}, with '/' separators.";
        }

        if (!path.StartsWith('/'))
        {
            return $"the path {Quoted(path)} is relative; {Rule}.";
        }

        if (path == "/")
        {
            return "mounting \"/\" would grant the whole file system; grant the directories the plugin needs, such as \"/workspace\".";
        }

        return path[1..].Split('/').Any(segment => segment is "" or "." or "..")
            ? $"the path {Quoted(path)} has an empty, '.' or '..' segment or a trailing '/'; {Rule}."
            : null;
    }

    private DomainAllowlist Network(TomlTable table)
    {
        List<string> hosts = [];
        foreach (TomlEntry entry in table.Entries)
        {
            hosts = entry.Key == "hosts"
                ? Distinct(entry, MaxListLength, "hosts", text =>
                    DomainAllowlist.TryNormalizeDomain(text, out string? host, out string? problem) ? (host, null) : (text, $"invalid host {Quoted(text)}: {problem}"))
                : throw _toml.UnknownKey(entry, NetworkKeys, " in [capabilities.network]");
        }

        return hosts.Count == 0 ? DomainAllowlist.Empty : new DomainAllowlist(hosts).WithDeclarationHint("List the host in [capabilities.network] hosts of samuel-plugin.toml.");
    }

    private static string Quoted(string text) => TomlDocumentReader.Quoted(text);

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_-]*$")]
    private static partial Regex ExportPattern();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvPattern();

    [GeneratedRegex(@"^(?:(?<number>[0-9]{1,12}(?:\.[0-9]{1,9})?)(?<unit>ms|h|m|s))+$")]
    private static partial Regex DurationPattern();
}
