using System.Text;
using System.Text.Json;
using SQLitePCL;

namespace Airlock.Lesstruct;

/// <summary>
/// Binds a call's <c>params</c> to its prepared statements. Values are always bound, never spliced into SQL.
/// </summary>
/// <remarks>
/// <para>A JSON array gives positional parameters (<c>?</c>, <c>?NNN</c>). With several statements in one
/// <c>db_exec</c> the array is consumed in order: the first statement takes as many values as it has parameters,
/// the next statement the following ones, and so on (inside each statement <c>?1</c> is that statement's first
/// value). Every value must be used.</para>
/// <para>A JSON object gives named parameters (<c>:name</c>, <c>@name</c>, <c>$name</c>). A key may be written with
/// or without the prefix; the prefix is not compared, so <c>"title"</c>, <c>":title"</c> and <c>"@title"</c> all
/// bind <c>:title</c>, <c>@title</c> and <c>$title</c>. Every statement of a call sees the same values, and every key
/// must be used by some statement.</para>
/// <para>Strings bind as TEXT, integers as INTEGER (64-bit), other numbers as REAL, <c>true</c>/<c>false</c> as 1/0
/// and <c>null</c> as NULL. Objects and arrays are refused.</para>
/// </remarks>
internal sealed class PluginDbParameters
{
    private readonly string _verb;
    private readonly JsonElement[]? _positional;
    private readonly Dictionary<string, (string Key, JsonElement Value)>? _named;
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);
    private int _offset;
    private int _statement;

    public PluginDbParameters(JsonElement? parameters, string verb)
    {
        _verb = verb;
        if (parameters is not { } value || value.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return;
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.Array:
                _positional = [.. value.EnumerateArray()];
                break;
            case JsonValueKind.Object:
                _named = new Dictionary<string, (string, JsonElement)>(StringComparer.Ordinal);
                foreach (JsonProperty property in value.EnumerateObject())
                {
                    string name = Strip(property.Name);
                    if (name.Length == 0)
                    {
                        throw Invalid($"params has a member named '{property.Name}'; parameter names are the SQL's :name, @name or $name, with or without the prefix");
                    }

                    if (_named.TryGetValue(name, out (string Key, JsonElement Value) existing))
                    {
                        throw Invalid($"params names the parameter '{name}' twice ('{existing.Key}' and '{property.Name}'; the prefix is not part of the name)");
                    }

                    _named.Add(name, (property.Name, property.Value));
                }

                break;
            default:
                throw Invalid($"params must be a JSON array (for ? parameters) or a JSON object (for :name parameters), not {Article(value.ValueKind)}");
        }
    }

    /// <summary>Binds the next statement's parameters.</summary>
    public void Bind(sqlite3_stmt statement)
    {
        _statement++;
        int count = raw.sqlite3_bind_parameter_count(statement);
        if (count == 0)
        {
            return;
        }

        if (_positional is null && _named is null)
        {
            throw Invalid($"{Where()} has {Plural(count, "parameter")} but no params were given");
        }

        for (int index = 1; index <= count; index++)
        {
            string? name = raw.sqlite3_bind_parameter_name(statement, index).utf8_to_string();
            if (_positional is not null)
            {
                if (name is { Length: > 0 } && name[0] != '?')
                {
                    throw Invalid($"{Where()} uses the named parameter {name}, so params must be a JSON object, not an array");
                }

                int position = _offset + index - 1;
                if (position >= _positional.Length)
                {
                    throw Invalid(_offset == 0
                        ? $"{Where()} takes {Plural(count, "positional parameter")} but params has {Plural(_positional.Length, "value")}"
                        : $"{Where()} takes positional parameters {_offset + 1} to {_offset + count} of params, but params has {Plural(_positional.Length, "value")}");
                }

                BindValue(statement, index, _positional[position], $"params[{position}]");
            }
            else
            {
                if (name is not { Length: > 1 } || name[0] == '?')
                {
                    throw Invalid($"{Where()} uses the positional parameter {name ?? "?"} (number {index}), so params must be a JSON array, not an object");
                }

                string key = name[1..];
                if (!_named!.TryGetValue(key, out (string Key, JsonElement Value) entry))
                {
                    throw Invalid($"params has no value for {name}");
                }

                _used.Add(key);
                BindValue(statement, index, entry.Value, $"params[\"{entry.Key}\"]");
            }
        }

        if (_positional is not null)
        {
            _offset += count;
        }
    }

    /// <summary>Checks, once every statement is bound, that every given value was used.</summary>
    public void Finish()
    {
        if (_positional is not null && _offset != _positional.Length)
        {
            throw Invalid($"the SQL takes {Plural(_offset, "positional parameter")} but params has {Plural(_positional.Length, "value")}");
        }

        if (_named is not null)
        {
            foreach ((string name, (string key, _)) in _named)
            {
                if (!_used.Contains(name))
                {
                    throw Invalid($"params has '{key}', which the SQL does not use");
                }
            }
        }
    }

    private static void BindValue(sqlite3_stmt statement, int index, JsonElement value, string label)
    {
        int rc;
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                rc = raw.sqlite3_bind_text(statement, index, Encoding.UTF8.GetBytes(value.GetString()!));
                break;
            case JsonValueKind.Number:
                rc = value.TryGetInt64(out long integer)
                    ? raw.sqlite3_bind_int64(statement, index, integer)
                    : raw.sqlite3_bind_double(statement, index, value.GetDouble());
                break;
            case JsonValueKind.True:
                rc = raw.sqlite3_bind_int64(statement, index, 1);
                break;
            case JsonValueKind.False:
                rc = raw.sqlite3_bind_int64(statement, index, 0);
                break;
            case JsonValueKind.Null:
                rc = raw.sqlite3_bind_null(statement, index);
                break;
            default:
                throw Invalid($"{label} is {Article(value.ValueKind)}; a parameter must be a string, a number, true, false or null (pass JSON as a string and use json() in the SQL)");
        }

        if (rc != raw.SQLITE_OK)
        {
            throw Invalid($"{label} cannot be bound: {raw.sqlite3_errstr(rc).utf8_to_string()}");
        }
    }

    private string Where() => _verb == "db_query" ? "the SQL" : $"statement {_statement}";

    private static string Strip(string name) => name.Length > 0 && name[0] is ':' or '@' or '$' ? name[1..] : name;

    private static string Plural(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";

    private static string Article(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "a JSON object",
        JsonValueKind.Array => "a JSON array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    private static PluginDatabaseException Invalid(string message) => new(PluginDatabaseErrorCodes.InvalidParams, message);
}
