using System.Text;
using Tomlyn;
using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace Airlock.Manifest;

/// <summary>
/// The positional TOML reading every TOML file of Airlock's shares (Lesstruct manifests, Driftless <c>plugins.toml</c>): a
/// bounded UTF-8 read, Tomlyn's syntax tree (which keeps every key's and value's line and column), and a tree of tables
/// built from it in which <c>[table]</c> headers, <c>[[array]]</c> headers, dotted keys and inline tables all look the
/// same. A file's own reader walks the tree with the typed readers here; every error is a
/// <see cref="PluginManifestException"/> that names the file, the dotted field (such as <c>registries[1].url</c>), the line,
/// the column and what was expected.
/// </summary>
internal sealed class TomlDocumentReader
{
    /// <summary>The most characters a TOML file Airlock reads may have (and the most bytes it reads from disk).</summary>
    public const int MaxChars = 1024 * 1024;

    private readonly string _text;

    /// <param name="text">The file's text (a leading byte-order mark is allowed).</param>
    /// <param name="path">Where the file lives, named in every error.</param>
    /// <param name="what">What the file is, for size errors (such as "a manifest").</param>
    public TomlDocumentReader(string text, string path, string what)
    {
        _text = text.StartsWith('\uFEFF') ? text[1..] : text;
        FilePath = path;
        What = what;
    }

    /// <summary>The file, named in every error.</summary>
    public string FilePath { get; }

    /// <summary>What the file is, for messages (such as "a manifest").</summary>
    public string What { get; }

    /// <summary>The plugin the file belongs to, carried by errors once the reader knows it.</summary>
    public string? PluginId { get; set; }

    /// <summary>
    /// Reads a UTF-8 text file of at most <see cref="MaxChars"/> bytes. The one place TOML files are read from disk.
    /// </summary>
    /// <exception cref="PluginManifestException">The file cannot be read, is too large, or is not UTF-8.</exception>
    public static string ReadFile(string fullPath, string what)
    {
        byte[] bytes;
        try
        {
            // Only a regular file, read no further than the limit (Files.UntrustedFile).
            bytes = Files.UntrustedFile.ReadAllBytes(fullPath, Math.Min(MaxChars, Files.UntrustedFile.MaxManifestBytes), what);
        }
        catch (PluginFileException exception)
        {
            throw new PluginManifestException(fullPath, null, exception.Problem, innerException: exception);
        }

        try
        {
            return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException exception)
        {
            throw new PluginManifestException(fullPath, null, $"the file is not valid UTF-8; {what} is a UTF-8 TOML file.", innerException: exception);
        }
    }

    /// <summary>Parses the text and builds its tree of tables.</summary>
    /// <exception cref="PluginManifestException">The text is too long or is not valid TOML; the error names the line and column.</exception>
    public TomlTable Read()
    {
        if (_text.Length > MaxChars)
        {
            throw new PluginManifestException(FilePath, null, $"the file has {_text.Length} characters; {What} may have at most {MaxChars}.");
        }

        DocumentSyntax document;
        try
        {
            document = SyntaxParser.Parse(_text, FilePath, validate: true);
        }
        catch (TomlException exception)
        {
            throw new PluginManifestException(FilePath, null, "the file is not valid TOML: " + Sentence(exception.Message), exception.Line, exception.Column, innerException: exception);
        }

        // The lexer's and the parser's errors are not in source order; the earliest one is the cause of the others.
        if (document.Diagnostics.Where(d => d.Kind == DiagnosticMessageKind.Error).OrderBy(d => d.Span.Start.Offset).FirstOrDefault() is { } syntaxError)
        {
            (long line, long column) = Position(syntaxError.Span);
            throw new PluginManifestException(FilePath, null, "the file is not valid TOML: " + Sentence(syntaxError.Message), line, column);
        }

        var root = new TomlTable("", TomlTableOrigin.Root, default, null);
        foreach (KeyValueSyntax keyValue in document.KeyValues)
        {
            Assign(root, keyValue);
        }

        foreach (TableSyntaxBase table in document.Tables)
        {
            AddHeader(root, table);
        }

        return root;
    }

    /// <summary>The value of a key that must be a table (a <c>[header]</c>, dotted keys or an inline table).</summary>
    public TomlTable Table(TomlEntry entry) => entry.Kind switch
    {
        TomlEntryKind.Table => entry.Table!,
        TomlEntryKind.TableArray => throw Error(entry.Field, $"expected a table, found an array of tables; write it as [{entry.Field}].", entry.Span),
        _ => throw Mismatch(entry, "a table"),
    };

    /// <summary>
    /// The tables of a key that must be an array of tables: <c>[[header]]</c> sections or an inline array of inline
    /// tables. An empty inline array has none.
    /// </summary>
    public IReadOnlyList<TomlTable> TableArray(TomlEntry entry)
    {
        switch (entry.Kind)
        {
            case TomlEntryKind.TableArray:
                return entry.Tables!;
            case TomlEntryKind.Table:
                throw Error(entry.Field, $"expected an array of tables (write each as [[{entry.Field}]]), found a table.", entry.Span);
        }

        if (entry.Value is not ArraySyntax array)
        {
            throw Mismatch(entry, "an array of tables");
        }

        var tables = new List<TomlTable>();
        foreach (ArrayItemSyntax item in array.Items)
        {
            string field = $"{entry.Field}[{tables.Count}]";
            if (item.Value is not InlineTableSyntax inline)
            {
                throw Error(field, $"expected a table, found {Describe(item.Value!)}.", item.Value!.Span);
            }

            var table = new TomlTable(field, TomlTableOrigin.Inline, inline.Span, null);
            foreach (InlineTableItemSyntax inlineItem in inline.Items)
            {
                Assign(table, inlineItem.KeyValue!);
            }

            tables.Add(table);
        }

        return tables;
    }

    /// <summary>A string value.</summary>
    public string String(TomlEntry entry, string? hint = null) =>
        entry.Value is StringValueSyntax { Value: { } text } ? text : throw Mismatch(entry, "a string", hint);

    /// <summary>A string value that is not empty or blank, without its surrounding whitespace.</summary>
    public string NonEmptyString(TomlEntry entry) =>
        entry.Value is StringValueSyntax { Value: { } text } && !string.IsNullOrWhiteSpace(text) ? text.Trim() : throw Mismatch(entry, "a non-empty string");

    /// <summary>A boolean value (<c>true</c> or <c>false</c>).</summary>
    public bool Boolean(TomlEntry entry) =>
        entry.Value is BooleanValueSyntax boolean ? boolean.Value : throw Mismatch(entry, "true or false");

    /// <summary>An integer value between <paramref name="min"/> and <paramref name="max"/>.</summary>
    /// <param name="entry">The key.</param>
    /// <param name="min">The smallest value allowed.</param>
    /// <param name="max">The largest value allowed.</param>
    /// <param name="expected">What the value is, for messages (such as "an integer number of bytes").</param>
    /// <param name="bounds">The range in words, for messages (such as "between 65536 (64 KiB) and 2147483648 (2 GiB)").</param>
    public long Integer(TomlEntry entry, long min, long max, string expected, string bounds)
    {
        if (entry.Value is not IntegerValueSyntax integer)
        {
            throw Mismatch(entry, expected, entry.Value is StringValueSyntax or FloatValueSyntax ? "write a whole number without quotes or units" : null);
        }

        long value = integer.Value;
        return value < min || value > max
            ? throw Error(entry.Field, $"expected {expected} {bounds}, found {value}.", entry.Span)
            : value;
    }

    /// <summary>Reads each string of a key that must be an array of strings, naming each as <c>field[index]</c>.</summary>
    public void Strings(TomlEntry entry, Action<string, string, SourceSpan> read)
    {
        if (entry.Value is not ArraySyntax array)
        {
            throw Mismatch(entry, "an array of strings");
        }

        int index = 0;
        foreach (ArrayItemSyntax item in array.Items)
        {
            string at = $"{entry.Field}[{index++}]";
            ValueSyntax element = item.Value!;
            if (element is not StringValueSyntax { Value: { } text })
            {
                throw Error(at, $"expected a string, found {Describe(element)}.", element.Span);
            }

            read(at, text, element.Span);
        }
    }

    /// <summary>The error for a key the file's schema does not have.</summary>
    /// <param name="entry">The key.</param>
    /// <param name="expected">The keys allowed where it stands.</param>
    /// <param name="where">Where it stands, for messages (such as " in [capabilities]"; empty at the top level).</param>
    public PluginManifestException UnknownKey(TomlEntry entry, IEnumerable<string> expected, string where) =>
        Error(entry.Field, $"unknown key {Quote(entry.Key)}{where}; expected one of {string.Join(", ", expected)}.", entry.KeySpan);

    /// <summary>The error for a key whose value is of another kind than <paramref name="expected"/>.</summary>
    public PluginManifestException Mismatch(TomlEntry entry, string expected, string? hint = null)
    {
        string found = entry.Kind switch
        {
            TomlEntryKind.TableArray => "an array of tables",
            TomlEntryKind.Table when entry.Table!.DottedKey is { } dotted => $"a table (the dotted key {dotted} makes it one)",
            TomlEntryKind.Table => "a table",
            _ => Describe(entry.Value!),
        };
        return Error(entry.Field, hint is null ? $"expected {expected}, found {found}." : $"expected {expected}, found {found}; {hint}.", entry.Span);
    }

    /// <summary>An error at a position of the file.</summary>
    public PluginManifestException Error(string? field, string problem, SourceSpan span)
    {
        (long line, long column) = Position(span);
        return new PluginManifestException(FilePath, field, problem, line, column, PluginId);
    }

    /// <summary>An error about a required key that is missing: at the table that should hold it, or the whole file.</summary>
    public PluginManifestException Missing(TomlTable table, string field, string problem)
    {
        if (table.Origin == TomlTableOrigin.Root)
        {
            return new PluginManifestException(FilePath, field, problem, pluginId: PluginId);
        }

        return Error(field, problem, table.Span);
    }

    /// <summary>A key as written in a dotted field name: bare when it can be, quoted otherwise.</summary>
    public static string Quote(string name) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-')
            ? name
            : "\"" + name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    /// <summary>A string from the file as shown in a message: quoted, with control characters escaped and cut at 100 characters.</summary>
    public static string Quoted(string text)
    {
        string shown = text.Length > 100 ? text[..100] + "…" : text;
        return "\"" + string.Concat(shown.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString())) + "\"";
    }

    /// <summary>A value's kind in words, for messages.</summary>
    public static string Describe(ValueSyntax value) => value switch
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

    /// <summary>A span's 1-based line and column.</summary>
    public static (long Line, long Column) Position(SourceSpan span) => (span.Start.Line + 1, span.Start.Column + 1);

    /// <summary>Walks a <c>[header]</c> or <c>[[header]]</c> from the root and adds its keys to the table it names.</summary>
    private void AddHeader(TomlTable root, TableSyntaxBase header)
    {
        List<(string Name, SourceSpan Span)> parts = Parts(header.Name!);
        bool isArray = header is TableArraySyntax;
        TomlTable current = root;
        for (int i = 0; i < parts.Count; i++)
        {
            (string name, SourceSpan span) = parts[i];
            bool last = i == parts.Count - 1;
            TomlEntry? existing = current.Find(name);
            if (last && isArray)
            {
                if (existing is null)
                {
                    existing = current.Add(new TomlEntry(name, Join(current.Field, name), span, []));
                }
                else if (existing.Kind != TomlEntryKind.TableArray)
                {
                    throw Error(null, $"the file is not valid TOML: {existing.Field} is already defined and is not an array of tables.", span);
                }

                var element = new TomlTable($"{existing.Field}[{existing.Tables!.Count}]", TomlTableOrigin.Header, span, null);
                existing.Tables.Add(element);
                current = element;
            }
            else if (existing is null)
            {
                var table = new TomlTable(Join(current.Field, name), TomlTableOrigin.Header, span, null);
                current.Add(new TomlEntry(name, table.Field, span, table));
                current = table;
            }
            else if (existing.Kind == TomlEntryKind.Table)
            {
                current = existing.Table!;
            }
            else if (existing.Kind == TomlEntryKind.TableArray && !last)
            {
                // [a.b] after [[a]] names a table inside a's last element.
                current = existing.Tables![^1];
            }
            else
            {
                throw Error(null, $"the file is not valid TOML: {existing.Field} is already defined.", span);
            }
        }

        foreach (KeyValueSyntax keyValue in header.Items)
        {
            Assign(current, keyValue);
        }
    }

    /// <summary>Adds a <c>key = value</c> whose (possibly dotted) key is relative to <paramref name="table"/>.</summary>
    private void Assign(TomlTable table, KeyValueSyntax keyValue)
    {
        List<(string Name, SourceSpan Span)> parts = Parts(keyValue.Key!);
        string dotted = string.Join('.', parts.Select(p => Quote(p.Name)));
        TomlTable current = table;
        for (int i = 0; i < parts.Count - 1; i++)
        {
            (string name, SourceSpan span) = parts[i];
            TomlEntry? existing = current.Find(name);
            if (existing is null)
            {
                var child = new TomlTable(Join(current.Field, name), TomlTableOrigin.DottedKey, span, dotted);
                current.Add(new TomlEntry(name, child.Field, span, child));
                current = child;
            }
            else if (existing.Kind == TomlEntryKind.Table && existing.Table!.Origin != TomlTableOrigin.Inline)
            {
                current = existing.Table;
            }
            else
            {
                throw Error(null, $"the file is not valid TOML: {existing.Field} is already defined.", span);
            }
        }

        (string key, SourceSpan keySpan) = parts[^1];
        if (current.Find(key) is { } duplicate)
        {
            throw Error(null, $"the file is not valid TOML: {duplicate.Field} is already defined.", keySpan);
        }

        string field = Join(current.Field, key);
        if (keyValue.Value is InlineTableSyntax inline)
        {
            var child = new TomlTable(field, TomlTableOrigin.Inline, inline.Span, null);
            current.Add(new TomlEntry(key, field, keySpan, child));
            foreach (InlineTableItemSyntax item in inline.Items)
            {
                Assign(child, item.KeyValue!);
            }
        }
        else
        {
            current.Add(new TomlEntry(key, field, keySpan, keyValue.Value!));
        }
    }

    private static List<(string Name, SourceSpan Span)> Parts(KeySyntax key)
    {
        var parts = new List<(string, SourceSpan)> { Part(key.Key!) };
        foreach (DottedKeyItemSyntax dotted in key.DotKeys)
        {
            parts.Add(Part(dotted.Key!));
        }

        return parts;
    }

    private static (string Name, SourceSpan Span) Part(BareKeyOrStringValueSyntax key) => key switch
    {
        BareKeySyntax bare => (bare.Key?.Text ?? "", bare.Span),
        StringValueSyntax quoted => (quoted.Value ?? "", quoted.Span),
        _ => throw new InvalidOperationException($"Unexpected key syntax {key.GetType().Name}."),
    };

    private static string Join(string prefix, string name) => prefix.Length == 0 ? Quote(name) : prefix + "." + Quote(name);

    private static string Sentence(string message)
    {
        message = message.Replace("\u2424", "newline", StringComparison.Ordinal);
        return message.EndsWith('.') ? message : message + ".";
    }
}

/// <summary>How a TOML table came to be written.</summary>
internal enum TomlTableOrigin
{
    /// <summary>The document itself.</summary>
    Root,

    /// <summary>A <c>[header]</c> or <c>[[header]]</c> (or a table a header's dotted name implies).</summary>
    Header,

    /// <summary>A dotted key such as <c>a.b = 1</c>, which makes <c>a</c> a table.</summary>
    DottedKey,

    /// <summary>An inline table <c>{ ... }</c>.</summary>
    Inline,
}

/// <summary>What a key of a TOML table holds.</summary>
internal enum TomlEntryKind
{
    /// <summary>A value (string, number, boolean, date, array).</summary>
    Value,

    /// <summary>A table, however it was written.</summary>
    Table,

    /// <summary>An array of tables written as <c>[[header]]</c> sections.</summary>
    TableArray,
}

/// <summary>A TOML table with its keys in the order they were written.</summary>
internal sealed class TomlTable
{
    private readonly List<TomlEntry> _entries = [];
    private readonly Dictionary<string, TomlEntry> _byKey = new(StringComparer.Ordinal);

    public TomlTable(string field, TomlTableOrigin origin, SourceSpan span, string? dottedKey)
    {
        Field = field;
        Origin = origin;
        Span = span;
        DottedKey = dottedKey;
    }

    /// <summary>The table's dotted field name (such as <c>registries[0]</c>); empty for the document.</summary>
    public string Field { get; }

    /// <summary>How the table was written.</summary>
    public TomlTableOrigin Origin { get; }

    /// <summary>Where the table was first named: its key in a header or dotted key, or its inline table.</summary>
    public SourceSpan Span { get; }

    /// <summary>The dotted key that made this a table, when it was made by one.</summary>
    public string? DottedKey { get; }

    /// <summary>The table's keys in the order they were written.</summary>
    public IReadOnlyList<TomlEntry> Entries => _entries;

    /// <summary>The entry of <paramref name="key"/>, if the table has it.</summary>
    public TomlEntry? Find(string key) => _byKey.GetValueOrDefault(key);

    internal TomlEntry Add(TomlEntry entry)
    {
        _entries.Add(entry);
        _byKey.Add(entry.Key, entry);
        return entry;
    }
}

/// <summary>A key of a TOML table and what it holds, with positions.</summary>
internal sealed class TomlEntry
{
    public TomlEntry(string key, string field, SourceSpan keySpan, ValueSyntax value)
        : this(key, field, keySpan, TomlEntryKind.Value) => Value = value;

    public TomlEntry(string key, string field, SourceSpan keySpan, TomlTable table)
        : this(key, field, keySpan, TomlEntryKind.Table) => Table = table;

    public TomlEntry(string key, string field, SourceSpan keySpan, List<TomlTable> tables)
        : this(key, field, keySpan, TomlEntryKind.TableArray) => Tables = tables;

    private TomlEntry(string key, string field, SourceSpan keySpan, TomlEntryKind kind)
    {
        Key = key;
        Field = field;
        KeySpan = keySpan;
        Kind = kind;
    }

    /// <summary>The key (its last part, when it was dotted).</summary>
    public string Key { get; }

    /// <summary>The key's dotted field name from the top of the document (such as <c>security.max_memory</c>).</summary>
    public string Field { get; }

    /// <summary>Where the key was first written.</summary>
    public SourceSpan KeySpan { get; }

    /// <summary>What the key holds.</summary>
    public TomlEntryKind Kind { get; }

    /// <summary>The value, when <see cref="Kind"/> is <see cref="TomlEntryKind.Value"/>.</summary>
    public ValueSyntax? Value { get; }

    /// <summary>The table, when <see cref="Kind"/> is <see cref="TomlEntryKind.Table"/>.</summary>
    public TomlTable? Table { get; }

    /// <summary>The tables, when <see cref="Kind"/> is <see cref="TomlEntryKind.TableArray"/>.</summary>
    public List<TomlTable>? Tables { get; }

    /// <summary>Where errors about the key's value point: the value, or the inline table, or the key of a table written otherwise.</summary>
    public SourceSpan Span => Kind switch
    {
        TomlEntryKind.Value => Value!.Span,
        TomlEntryKind.Table when Table!.Origin == TomlTableOrigin.Inline => Table.Span,
        _ => KeySpan,
    };
}
