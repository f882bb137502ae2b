using Npgsql;

namespace Airlock.PostgreSql;

/// <summary>Statements with positional parameters (<c>$1</c>, <c>$2</c>, ...), as every store builds them.</summary>
internal static class Sql
{
    public static NpgsqlCommand Command(NpgsqlConnection connection, string sql, params object[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        Add(command.Parameters, parameters);
        return command;
    }

    public static NpgsqlBatchCommand Statement(string sql, params object[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        Add(command.Parameters, parameters);
        return command;
    }

    private static void Add(NpgsqlParameterCollection collection, object[] parameters)
    {
        foreach (object parameter in parameters)
        {
            collection.Add(new NpgsqlParameter { Value = parameter });
        }
    }
}
