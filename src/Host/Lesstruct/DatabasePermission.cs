using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace Airlock.Lesstruct;

/// <summary>What a <see cref="DatabasePermission"/> lets a plugin do with a table.</summary>
public enum DatabaseAccess
{
    /// <summary><c>read:</c> — query the table with <c>db_query</c>.</summary>
    Read,

    /// <summary><c>write:</c> — insert, update and delete rows with <c>db_exec</c>.</summary>
    Write,
}

/// <summary>The Lesstruct tables a plugin can be granted.</summary>
public enum LesstructTable
{
    /// <summary><c>content</c>: the SQLite table <c>content_items</c>.</summary>
    Content,

    /// <summary><c>media</c>: the SQLite table <c>media_files</c>.</summary>
    Media,

    /// <summary><c>users</c>: the SQLite table <c>users</c>.</summary>
    Users,
}

/// <summary>Names of <see cref="LesstructTable"/> values.</summary>
public static class LesstructTableExtensions
{
    /// <summary>The table's name in the SQLite database: <c>content_items</c>, <c>media_files</c> or <c>users</c>.</summary>
    /// <param name="table">The table.</param>
    public static string SqliteName(this LesstructTable table) => table switch
    {
        LesstructTable.Content => "content_items",
        LesstructTable.Media => "media_files",
        LesstructTable.Users => "users",
        _ => throw new ArgumentOutOfRangeException(nameof(table), table, "Unknown Lesstruct table."),
    };

    /// <summary>The table's name in a manifest: <c>content</c>, <c>media</c> or <c>users</c>.</summary>
    /// <param name="table">The table.</param>
    public static string ManifestName(this LesstructTable table) => table switch
    {
        LesstructTable.Content => "content",
        LesstructTable.Media => "media",
        LesstructTable.Users => "users",
        _ => throw new ArgumentOutOfRangeException(nameof(table), table, "Unknown Lesstruct table."),
    };
}

/// <summary>
/// One entry of a Lesstruct manifest's <c>capabilities.database</c>: <c>read:&lt;table&gt;</c> or <c>write:&lt;table&gt;</c>
/// with table <c>content</c>, <c>media</c> or <c>users</c>, written in lowercase.
/// </summary>
/// <param name="Access">Read or write.</param>
/// <param name="Table">The table.</param>
public readonly record struct DatabasePermission(DatabaseAccess Access, LesstructTable Table)
{
    private const string Expected = "expected \"read:<table>\" or \"write:<table>\" with table content, media or users";

    /// <summary>
    /// The tables of the Lesstruct database that are never granted to plugins, whatever the manifest says:
    /// <c>comments</c>, <c>blocked_emails</c>, <c>failed_login_attempts</c>, <c>verification_tokens</c>,
    /// <c>password_reset_tokens</c>, <c>email_update_tokens</c>, <c>soft_deleted_content</c> and <c>api_keys</c>.
    /// </summary>
    public static IReadOnlySet<string> NeverGrantableTables { get; } = new[]
    {
        "comments", "blocked_emails", "failed_login_attempts", "verification_tokens",
        "password_reset_tokens", "email_update_tokens", "soft_deleted_content", "api_keys",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>The table's name in the SQLite database: <c>content_items</c>, <c>media_files</c> or <c>users</c>.</summary>
    public string SqliteTable => Table.SqliteName();

    /// <summary>Reads a permission such as <c>read:content</c>. Only lowercase is accepted.</summary>
    /// <param name="text">The permission text.</param>
    /// <param name="permission">The permission, when the text is valid.</param>
    /// <param name="problem">What is wrong, when it is not: a sentence a manifest author can act on.</param>
    /// <returns>Whether the text is a valid permission.</returns>
    public static bool TryParse(string? text, out DatabasePermission permission, [NotNullWhen(false)] out string? problem)
    {
        permission = default;
        if (string.IsNullOrEmpty(text))
        {
            problem = $"the permission is empty; {Expected}.";
            return false;
        }

        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            problem = $"{Expected}, found \"{text}\".";
            return false;
        }

        string access = text[..colon];
        string table = text[(colon + 1)..];
        DatabaseAccess? parsedAccess = access switch
        {
            "read" => DatabaseAccess.Read,
            "write" => DatabaseAccess.Write,
            _ => null,
        };
        LesstructTable? parsedTable = table switch
        {
            "content" => LesstructTable.Content,
            "media" => LesstructTable.Media,
            "users" => LesstructTable.Users,
            _ => null,
        };

        if (parsedAccess is { } a && parsedTable is { } t)
        {
            permission = new DatabasePermission(a, t);
            problem = null;
            return true;
        }

        string lower = text.ToLowerInvariant();
        if (!string.Equals(lower, text, StringComparison.Ordinal) && TryParse(lower, out _, out _))
        {
            problem = $"permissions are written in lowercase: write \"{lower}\", not \"{text}\".";
        }
        else if (NeverGrantableTables.Contains(table.ToLowerInvariant()))
        {
            problem = $"table {table} is never grantable to plugins; grantable tables are content, media and users.";
        }
        else if (parsedAccess is null)
        {
            problem = $"unknown access \"{access}\" in \"{text}\"; expected \"read\" or \"write\" (such as \"read:content\").";
        }
        else
        {
            string? hint = table switch
            {
                "content_items" => " (write \"content\" for content_items)",
                "media_files" => " (write \"media\" for media_files)",
                _ => null,
            };
            problem = $"unknown table \"{table}\" in \"{text}\"; expected content, media or users{hint}.";
        }

        return false;
    }

    /// <summary>The permission as written in a manifest, such as <c>read:content</c>.</summary>
    public override string ToString() => $"{(Access == DatabaseAccess.Read ? "read" : "write")}:{Table.ManifestName()}";
}
