using System.Text;

namespace Airlock.Lesstruct;

/// <summary>One table's permissions for plugin SQL.</summary>
/// <param name="Table">
/// A grantable table, by its name (<c>content_items</c>, <c>media_files</c>, <c>users</c>) or its manifest name
/// (<c>content</c>, <c>media</c>, <c>users</c>); case-insensitive.
/// </param>
/// <param name="CanRead">Whether the manifest grants <c>read:</c> on the table.</param>
/// <param name="CanWrite">Whether the manifest grants <c>write:</c> on the table.</param>
public readonly record struct TableGrant(string Table, bool CanRead, bool CanWrite);

/// <summary>
/// What one plugin's SQL may touch: read and write permission per grantable Lesstruct table. Immutable; build one
/// from a manifest's <c>read:&lt;table&gt;</c> / <c>write:&lt;table&gt;</c> entries with <see cref="Create"/> or
/// <see cref="Grant"/>.
/// </summary>
/// <remarks>
/// <para>Only the three grantable tables can be named (see <see cref="LesstructSchema.GrantableTables"/>); naming
/// any other table is an <see cref="ArgumentException"/>, so a grant of a table that is never available cannot slip
/// through an adapter by mistake. Grants for the same table accumulate.</para>
/// <para>Write does not imply read: <c>db_query</c> needs <c>read:</c> on every table it reads. Inside
/// <c>db_exec</c> a table may be read (in a <c>WHERE</c>, a sub-query, an <c>INSERT … SELECT</c>) with either
/// <c>read:</c> or <c>write:</c> on it, since the statement returns no rows.</para>
/// </remarks>
public sealed class TableGrants
{
    private readonly TableGrant[] _grants;

    private TableGrants(TableGrant[] grants)
    {
        _grants = grants;
        Grants = Array.AsReadOnly(grants);
    }

    /// <summary>No permission on any table (a plugin can still run SQL that reads no table, such as <c>SELECT 1</c>).</summary>
    public static TableGrants None { get; } = new([]);

    /// <summary>The granted tables, by table name (not manifest name), each at most once, in table order.</summary>
    public IReadOnlyList<TableGrant> Grants { get; }

    /// <summary>Builds grants from per-table permissions.</summary>
    /// <param name="grants">The permissions; a table may appear more than once (the permissions accumulate).</param>
    /// <exception cref="ArgumentException">A table is not one of the three grantable tables.</exception>
    public static TableGrants Create(params IEnumerable<TableGrant> grants)
    {
        ArgumentNullException.ThrowIfNull(grants);
        TableGrants result = None;
        foreach (TableGrant grant in grants)
        {
            result = result.Grant(grant.Table, grant.CanRead, grant.CanWrite);
        }

        return result;
    }

    /// <summary>Returns these grants with more permission on one table.</summary>
    /// <param name="table">A grantable table, by table name or manifest name (case-insensitive).</param>
    /// <param name="canRead">Whether to grant read.</param>
    /// <param name="canWrite">Whether to grant write.</param>
    /// <exception cref="ArgumentException">The table is not one of the three grantable tables.</exception>
    public TableGrants Grant(string table, bool canRead, bool canWrite)
    {
        string name = Canonical(table);
        if (!canRead && !canWrite)
        {
            return this;
        }

        var grants = new List<TableGrant>(_grants);
        int index = grants.FindIndex(g => g.Table == name);
        if (index >= 0)
        {
            TableGrant existing = grants[index];
            grants[index] = existing with { CanRead = existing.CanRead || canRead, CanWrite = existing.CanWrite || canWrite };
        }
        else
        {
            grants.Add(new TableGrant(name, canRead, canWrite));
        }

        grants.Sort((a, b) => IndexOf(a.Table).CompareTo(IndexOf(b.Table)));
        return new TableGrants([.. grants]);
    }

    /// <summary>Whether <c>read:</c> is granted on the table (case-insensitive; <see langword="false"/> for any table that is not grantable).</summary>
    /// <param name="table">A table name.</param>
    public bool CanRead(string table) => Find(table) is { CanRead: true };

    /// <summary>Whether <c>write:</c> is granted on the table (case-insensitive; <see langword="false"/> for any table that is not grantable).</summary>
    /// <param name="table">A table name.</param>
    public bool CanWrite(string table) => Find(table) is { CanWrite: true };

    /// <summary>The grants in manifest form, e.g. <c>read:content write:media</c>, or <c>(none)</c>.</summary>
    public override string ToString()
    {
        if (_grants.Length == 0)
        {
            return "(none)";
        }

        var text = new StringBuilder();
        foreach (TableGrant grant in _grants)
        {
            string permission = LesstructSchema.PermissionNameForTable(grant.Table)!;
            if (grant.CanRead)
            {
                text.Append(text.Length == 0 ? "" : " ").Append("read:").Append(permission);
            }

            if (grant.CanWrite)
            {
                text.Append(text.Length == 0 ? "" : " ").Append("write:").Append(permission);
            }
        }

        return text.ToString();
    }

    private TableGrant? Find(string table)
    {
        ArgumentNullException.ThrowIfNull(table);
        foreach (TableGrant grant in _grants)
        {
            if (string.Equals(grant.Table, table, StringComparison.OrdinalIgnoreCase))
            {
                return grant;
            }
        }

        return null;
    }

    private static int IndexOf(string table)
    {
        for (int i = 0; i < LesstructSchema.GrantableTables.Count; i++)
        {
            if (LesstructSchema.GrantableTables[i] == table)
            {
                return i;
            }
        }

        return int.MaxValue;
    }

    private static string Canonical(string table)
    {
        ArgumentNullException.ThrowIfNull(table);
        foreach (string grantable in LesstructSchema.GrantableTables)
        {
            if (string.Equals(grantable, table, StringComparison.OrdinalIgnoreCase))
            {
                return grantable;
            }
        }

        if (LesstructSchema.TableForPermissionName(table) is { } named)
        {
            return named;
        }

        throw new ArgumentException(
            $"'{table}' is not a table a plugin can be granted; the grantable tables are content_items (content), media_files (media) and users.",
            nameof(table));
    }
}
