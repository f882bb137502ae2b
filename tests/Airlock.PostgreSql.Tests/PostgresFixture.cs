using Airlock.Tests;

namespace Airlock.PostgreSql.Tests;

/// <summary>A fact that needs a real PostgreSQL: skipped, saying what to install, when it is absent.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (!PostgresServer.Available)
        {
            Skip = PostgresServer.Missing;
        }
    }
}

/// <summary>One server for every test of the collection; each test uses a schema of its own.</summary>
public sealed class PostgresFixture : IDisposable
{
    private readonly Lazy<PostgresServer> _server = new(() => new PostgresServer());

    public PostgresServer Server => _server.Value;

    public static string NewSchema() => "t_" + Guid.NewGuid().ToString("N")[..12];

    public void Dispose()
    {
        if (_server.IsValueCreated)
        {
            _server.Value.Dispose();
        }
    }
}

[CollectionDefinition("postgres")]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>;
