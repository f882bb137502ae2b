using System.Collections.ObjectModel;
using Tomlyn;
using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace Airlock.Lesstruct;

/// <summary>
/// Reads a Lesstruct <c>.manifest</c> (TOML) with positions: the file is parsed into Tomlyn's syntax tree, which keeps
/// every key's and value's line and column, and the tree is walked against the manifest's schema. Keys may be written in
/// any TOML form (<c>[capabilities]</c> tables, dotted keys, inline tables); every error names the dotted field.
/// </summary>
internal sealed class LesstructManifestReader
{
    private const int MaxManifestChars = 1024 * 1024;

    private static readonly string[] RootKeys = ["name", "version", "capabilities", "config"];
    private static readonly string[] CapabilityKeys = ["http", "database"];

    private readonly string _text;
    private readonly string _path;

    private string? _name;
    private string? _version;
    private readonly List<(UrlPattern Pattern, string Field)> _http = [];
    private readonly List<(DatabasePermission Permission, string Field)> _database = [];
    private readonly Dictionary<string, string> _config = new(StringComparer.Ordinal);

    public LesstructManifestReader(string text, string path)
    {
        _text = text.StartsWith('\uFEFF') ? text[1..] : text;
        _path = path;
    }

    /// <summary>Where a key leads in the manifest's schema.</summary>
    private enum Slot
    {
        Root,
        Capabilities,
        Config,
        Name,
        Version,
        Http,
        Database,
        ConfigValue,
    }

    private readonly record struct KeyPart(string Name, SourceSpan Span);

    public LesstructManifest Read()
    {
        if (_text.Length > MaxManifestChars)
        {
            throw new PluginManifestException(_path, null, $"the file has {_text.Length} characters; a manifest may have at most {MaxManifestChars}.");
        }

        DocumentSyntax document;
        try
        {
            document = SyntaxParser.Parse(_text, _path, validate: true);
        }
        catch (TomlException exception)
        {
            throw new PluginManifestException(_path, null, "the file is not valid TOML: " + Sentence(exception.Message), exception.Line, exception.Column, innerException: exception);
        }

        // The lexer's and the parser's errors are not in source order; the earliest one is the cause of the others.
        if (document.Diagnostics.Where(d => d.Kind == DiagnosticMessageKind.Error).OrderBy(d => d.Span.Start.Offset).FirstOrDefault() is { } syntaxError)
        {
            (long line, long column) = Position(syntaxError.Span);
            throw new PluginManifestException(_path, null, "the file is not valid TOML: " + Sentence(syntaxError.Message), line, column);
        }

        foreach (KeyValueSyntax keyValue in document.KeyValues)
        {
            Assign(Slot.Root, "", keyValue);
        }

        foreach (TableSyntaxBase table in document.Tables)
        {
            ReadTable(table);
        }

        string name = _name ?? throw new PluginManifestException(_path, "name", "the field is required; expected a non-empty string such as name = \"enrich\".");
        string version = _version ?? throw new PluginManifestException(_path, "version", "the field is required; expected a non-empty string such as version = \"1.0.0\".", pluginId: name);
        return new LesstructManifest(
            name,
            version,
            _path,
            _http.Count == 0 ? UrlAllowlist.Empty : new UrlAllowlist(_http.Select(h => h.Pattern)),
            Array.AsReadOnly(_database.Select(d => d.Permission).ToArray()),
            new ReadOnlyDictionary<string, string>(_config));
    }

    private void ReadTable(TableSyntaxBase table)
    {
        List<KeyPart> parts = Parts(table.Name!);
        bool isArray = table is TableArraySyntax;
        Slot slot = Slot.Root;
        string field = "";
        for (int i = 0; i < parts.Count; i++)
        {
            field = Join(field, parts[i].Name);
            slot = Child(slot, parts[i], field);
            bool last = i == parts.Count - 1;
            if (!IsTable(slot))
            {
                throw Error(field, $"expected {Expectation(slot)}, found {(last && isArray ? "an array of tables" : "a table")}.", parts[i].Span);
            }

            if (last && isArray)
            {
                throw Error(field, "expected a table, found an array of tables; write it as [" + field + "].", parts[i].Span);
            }
        }

        foreach (KeyValueSyntax keyValue in table.Items)
        {
            Assign(slot, field, keyValue);
        }
    }

    /// <summary>Applies a <c>key = value</c> whose (possibly dotted) key is relative to <paramref name="slot"/>.</summary>
    private void Assign(Slot slot, string prefix, KeyValueSyntax keyValue)
    {
        List<KeyPart> parts = Parts(keyValue.Key!);
        string field = prefix;
        for (int i = 0; i < parts.Count; i++)
        {
            field = Join(field, parts[i].Name);
            slot = Child(slot, parts[i], field);
            if (i < parts.Count - 1 && !IsTable(slot))
            {
                throw Error(field, $"expected {Expectation(slot)}, found a table (the dotted key {string.Join('.', parts.Select(p => Quote(p.Name)))} makes it one).", parts[i].Span);
            }
        }

        ReadValue(slot, field, parts[^1].Name, keyValue.Value!);
    }

    private void ReadValue(Slot slot, string field, string key, ValueSyntax value)
    {
        switch (slot)
        {
            case Slot.Capabilities or Slot.Config:
                if (value is not InlineTableSyntax inline)
                {
                    throw Error(field, $"expected a table, found {Describe(value)}.", value.Span);
                }

                foreach (InlineTableItemSyntax item in inline.Items)
                {
                    Assign(slot, field, item.KeyValue!);
                }

                break;
            case Slot.Name:
                _name = NonEmptyString(field, value);
                break;
            case Slot.Version:
                _version = NonEmptyString(field, value);
                break;
            case Slot.Http:
                ReadStrings(field, value, ReadPattern);
                break;
            case Slot.Database:
                ReadStrings(field, value, ReadPermission);
                break;
            case Slot.ConfigValue:
                _config[key] = value is StringValueSyntax text
                    ? text.Value!
                    : throw Error(field, $"expected a string, found {Describe(value)}; config values are strings (quote numbers and booleans).", value.Span);
                break;
            default:
                throw new InvalidOperationException($"Unexpected manifest slot {slot}.");
        }
    }

    private string NonEmptyString(string field, ValueSyntax value) =>
        value is StringValueSyntax { Value: { } text } && !string.IsNullOrWhiteSpace(text)
            ? text.Trim()
            : throw Error(field, $"expected a non-empty string, found {Describe(value)}.", value.Span);

    private void ReadStrings(string field, ValueSyntax value, Action<string, string, SourceSpan> read)
    {
        if (value is not ArraySyntax array)
        {
            throw Error(field, $"expected an array of strings, found {Describe(value)}.", value.Span);
        }

        int index = 0;
        foreach (ArrayItemSyntax item in array.Items)
        {
            string at = $"{field}[{index++}]";
            ValueSyntax element = item.Value!;
            if (element is not StringValueSyntax { Value: { } text })
            {
                throw Error(at, $"expected a string, found {Describe(element)}.", element.Span);
            }

            read(at, text, element.Span);
        }
    }

    private void ReadPattern(string field, string text, SourceSpan span)
    {
        if (!UrlPattern.TryParse(text, out UrlPattern? pattern, out string? problem))
        {
            throw Error(field, $"invalid URL pattern \"{text}\": {problem}", span);
        }

        if (_http.FirstOrDefault(h => h.Pattern.Equals(pattern)) is { Field: { } earlier })
        {
            throw Error(field, $"the pattern \"{text}\" matches the same URLs as {earlier}; list it once.", span);
        }

        _http.Add((pattern, field));
    }

    private void ReadPermission(string field, string text, SourceSpan span)
    {
        if (!DatabasePermission.TryParse(text, out DatabasePermission permission, out string? problem))
        {
            throw Error(field, problem, span);
        }

        if (_database.FirstOrDefault(d => d.Permission == permission) is { Field: { } earlier })
        {
            throw Error(field, $"{permission} is listed twice (also {earlier}).", span);
        }

        _database.Add((permission, field));
    }

    /// <summary>Where <paramref name="key"/> leads from <paramref name="parent"/>; an unknown key is an error.</summary>
    private Slot Child(Slot parent, KeyPart key, string field)
    {
        Slot? child = parent switch
        {
            Slot.Root => key.Name switch
            {
                "name" => Slot.Name,
                "version" => Slot.Version,
                "capabilities" => Slot.Capabilities,
                "config" => Slot.Config,
                _ => null,
            },
            Slot.Capabilities => key.Name switch
            {
                "http" => Slot.Http,
                "database" => Slot.Database,
                _ => null,
            },
            Slot.Config => Slot.ConfigValue,
            _ => throw new InvalidOperationException($"Slot {parent} has no keys."),
        };

        if (child is { } found)
        {
            return found;
        }

        string[] expected = parent == Slot.Root ? RootKeys : CapabilityKeys;
        string where = parent == Slot.Root ? "" : " in [capabilities]";
        throw Error(field, $"unknown key {Quote(key.Name)}{where}; expected one of {string.Join(", ", expected)}.", key.Span);
    }

    private static bool IsTable(Slot slot) => slot is Slot.Root or Slot.Capabilities or Slot.Config;

    private static string Expectation(Slot slot) => slot switch
    {
        Slot.Name or Slot.Version => "a non-empty string",
        Slot.Http or Slot.Database => "an array of strings",
        Slot.ConfigValue => "a string",
        _ => "a table",
    };

    private static List<KeyPart> Parts(KeySyntax key)
    {
        var parts = new List<KeyPart> { Part(key.Key!) };
        foreach (DottedKeyItemSyntax dotted in key.DotKeys)
        {
            parts.Add(Part(dotted.Key!));
        }

        return parts;
    }

    private static KeyPart Part(BareKeyOrStringValueSyntax key) => key switch
    {
        BareKeySyntax bare => new KeyPart(bare.Key?.Text ?? "", bare.Span),
        StringValueSyntax quoted => new KeyPart(quoted.Value ?? "", quoted.Span),
        _ => throw new InvalidOperationException($"Unexpected key syntax {key.GetType().Name}."),
    };

    private static string Join(string prefix, string name) => prefix.Length == 0 ? Quote(name) : prefix + "." + Quote(name);

    /// <summary>A key as written in a dotted field name: bare when it can be, quoted otherwise.</summary>
    private static string Quote(string name) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-')
            ? name
            : "\"" + name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static string Describe(ValueSyntax value) => value switch
    {
        StringValueSyntax { Value: "" } => "an empty string",
        StringValueSyntax { Value: { } text } when string.IsNullOrWhiteSpace(text) => "a blank string",
        StringValueSyntax => "a string",
        IntegerValueSyntax => "an integer",
        FloatValueSyntax => "a float",
        BooleanValueSyntax => "a boolean",
        DateTimeValueSyntax { Kind: SyntaxKind.LocalDate } => "a date",
        DateTimeValueSyntax { Kind: SyntaxKind.LocalTime } => "a time",
        DateTimeValueSyntax => "a date-time",
        ArraySyntax => "an array",
        InlineTableSyntax => "a table",
        _ => "a " + value.Kind.ToString().ToLowerInvariant(),
    };

    private static (long Line, long Column) Position(SourceSpan span) => (span.Start.Line + 1, span.Start.Column + 1);

    private static string Sentence(string message)
    {
        message = message.Replace("\u2424", "newline", StringComparison.Ordinal);
        return message.EndsWith('.') ? message : message + ".";
    }

    private PluginManifestException Error(string field, string problem, SourceSpan span)
    {
        (long line, long column) = Position(span);
        return new PluginManifestException(_path, field, problem, line, column, _name);
    }
}
