using System.Net.Sockets;
using Airlock.Services;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Airlock.PostgreSql;

/// <summary>
/// The connection of one instance to the shared policy database: a pooled data source, the schema (created and
/// migrated when this is created), and the listener that hears other instances' revocations.
/// </summary>
/// <remarks>
/// <para>Every store call takes a pooled connection and runs one short transaction. When the database cannot be
/// reached, or does not answer within the timeouts, the call throws <see cref="PolicyStoreUnavailableException"/>
/// (Airlock fails closed) and the pool is cleared, so the next call opens a fresh connection: an instance recovers
/// on its own when the database comes back.</para>
/// <para>Revocations travel by <c>LISTEN/NOTIFY</c> on the channel <c>&lt;schema&gt;_policy</c>: the store that
/// revokes sends the notification in the revoking transaction, so it is delivered, to every listening instance,
/// exactly when the revocation commits. The listener reconnects on its own after a failure; while it is not
/// connected (and whenever it reconnects) instances trust no cached answer and ask the database on every check,
/// the polling fallback, so no revocation sent while an instance was not listening is missed.</para>
/// </remarks>
public sealed partial class PostgreSqlPolicyDatabase : IDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _listener;
    private long _sequence;
    private int _listening;

    /// <summary>Connects, creates or migrates the schema, and starts listening for revocations.</summary>
    /// <param name="options">The database and its timeouts.</param>
    /// <param name="logger">Where connection failures and recoveries are logged; <see langword="null"/> for nowhere.</param>
    /// <exception cref="PolicyStoreUnavailableException">The database cannot be reached, or its schema is newer than this Airlock knows.</exception>
    public PostgreSqlPolicyDatabase(PostgreSqlStoreOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options.Validated();
        _logger = logger ?? NullLogger.Instance;
        var connection = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        if (!options.ConnectionString.Contains("Timeout", StringComparison.OrdinalIgnoreCase))
        {
            connection.Timeout = (int)Math.Ceiling(options.ConnectTimeout.TotalSeconds);
            connection.CommandTimeout = (int)Math.Ceiling(options.CommandTimeout.TotalSeconds);
        }

        connection.ApplicationName ??= "airlock";
        _dataSource = NpgsqlDataSource.Create(connection);
        Schema = PostgreSqlSchema.Quote(options.Schema);
        Channel = options.Schema + "_policy";
        Instance = $"{Environment.MachineName}:{Environment.ProcessId}";
        try
        {
            (int before, int after) = Run("policy database", "create or migrate its schema", null, connection =>
            {
                try
                {
                    return PostgreSqlSchema.Migrate(connection, options.Schema);
                }
                catch (NotSupportedException exception)
                {
                    throw new PolicyStoreUnavailableException("policy database", "start", null, exception.Message, exception);
                }
            });
            if (before != after)
            {
                LogMigrated(_logger, options.Schema, before, after);
            }
        }
        catch
        {
            _dataSource.Dispose();
            throw;
        }

        _listener = Task.Run(ListenAsync);
    }

    /// <summary>The options in use.</summary>
    public PostgreSqlStoreOptions Options { get; }

    /// <summary>Whether the revocation listener is connected now; when it is not, every check asks the database.</summary>
    public bool Listening => Volatile.Read(ref _listening) == 1;

    /// <summary>This instance's name in audit records: machine and process id.</summary>
    public string Instance { get; }

    /// <summary>Raised (on the listener's thread) for every policy notification: its kind and plugin id.</summary>
    internal event Action<string, string>? Notified;

    /// <summary>Raised when the listener (re)connects or loses its connection: cached answers must be dropped.</summary>
    internal event Action? Resynchronise;

    /// <summary>The quoted schema.</summary>
    internal string Schema { get; }

    /// <summary>The notification channel.</summary>
    internal string Channel { get; }

    /// <summary>Increases with every notification and every change of the listener's state (see <see cref="Listening"/>).</summary>
    internal long Sequence => Volatile.Read(ref _sequence);

    /// <summary>Stops the listener and closes every connection.</summary>
    public void Dispose()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        _stopping.Cancel();
        try
        {
            _listener.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The listener ends by cancellation.
        }

        _dataSource.Dispose();
        _stopping.Dispose();
    }

    /// <summary>
    /// Runs <paramref name="body"/> on a pooled connection. A failure to reach the database, or a statement it
    /// did not finish, becomes <see cref="PolicyStoreUnavailableException"/> naming the store and operation. A plugin
    /// id PostgreSQL text cannot hold (a NUL character) is refused with <see cref="ArgumentException"/> before the
    /// database is asked, so it can neither pass for an unreachable database nor clear the connection pool.
    /// </summary>
    internal T Run<T>(string store, string operation, string? pluginId, Func<NpgsqlConnection, T> body)
    {
        int nul = pluginId?.IndexOf('\0', StringComparison.Ordinal) ?? -1;
        if (nul >= 0)
        {
            throw new ArgumentException($"The {store} cannot {operation} for a plugin id that contains U+0000 (NUL, at position {nul}): PostgreSQL text cannot hold it. Plugin ids are names such as \"com.example.plugin\".", nameof(pluginId));
        }

        try
        {
            using NpgsqlConnection connection = _dataSource.OpenConnection();
            return body(connection);
        }
        catch (Exception exception) when (IsUnavailable(exception))
        {
            // Idle pooled connections to a database that went away are dead too: drop them, so recovery needs no retry.
            _dataSource.Clear();
            throw new PolicyStoreUnavailableException(store, operation, pluginId, Reason(exception), exception);
        }
    }

    /// <summary>
    /// Whether <paramref name="exception"/> means the database could not be used (as opposed to a bug). A data
    /// exception (SQLSTATE class 22: a value the statement could not take) is the caller's input, not the database's
    /// state, so it is not one.
    /// </summary>
    internal static bool IsUnavailable(Exception exception)
        => exception is PostgresException postgres
            ? !postgres.SqlState.StartsWith("22", StringComparison.Ordinal)
            : exception is NpgsqlException or TimeoutException or SocketException or IOException
            || exception is InvalidOperationException { InnerException: NpgsqlException or SocketException };

    private static string Reason(Exception exception)
        => exception is PostgresException postgres ? $"{postgres.SqlState} {postgres.MessageText}" : exception.Message;

    private void Bump() => Interlocked.Increment(ref _sequence);

    // Keeps one connection listening; reconnects with a growing delay (at most 5 s) after a failure, and probes the
    // connection when nothing arrives so a silently dead one is noticed.
    private async Task ListenAsync()
    {
        CancellationToken stopping = _stopping.Token;
        TimeSpan delay = TimeSpan.FromMilliseconds(100);
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(stopping).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    connection.Notification += (_, notification) =>
                    {
                        Bump();
                        int tab = notification.Payload.IndexOf('\t', StringComparison.Ordinal);
                        if (tab > 0)
                        {
                            Notified?.Invoke(notification.Payload[..tab], notification.Payload[(tab + 1)..]);
                        }
                    };
                    using (var listen = new NpgsqlCommand($"LISTEN \"{Channel}\"", connection))
                    {
                        await listen.ExecuteNonQueryAsync(stopping).ConfigureAwait(false);
                    }

                    // Listening from here on: whatever was cached before may have missed a revocation.
                    Resynchronise?.Invoke();
                    Volatile.Write(ref _listening, 1);
                    Bump();
                    LogListening(_logger, Channel);
                    delay = TimeSpan.FromMilliseconds(100);
                    while (!stopping.IsCancellationRequested)
                    {
                        if (!await connection.WaitAsync(Options.ListenerProbeInterval, stopping).ConfigureAwait(false))
                        {
                            using var probe = new NpgsqlCommand("SELECT 1", connection);
                            await probe.ExecuteScalarAsync(stopping).ConfigureAwait(false);
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception) when (IsUnavailable(exception) || exception is OperationCanceledException)
            {
                if (Interlocked.Exchange(ref _listening, 0) == 1)
                {
                    Bump();
                    Resynchronise?.Invoke();
                    LogListenerLost(_logger, exception.Message, exception);
                }

                _dataSource.Clear();
            }

            try
            {
                await Task.Delay(delay, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
        }

        Interlocked.Exchange(ref _listening, 0);
    }

    [LoggerMessage(EventId = 900, Level = LogLevel.Information, Message = "Airlock policy schema {Schema} migrated from version {Before} to {After}")]
    private static partial void LogMigrated(ILogger logger, string schema, int before, int after);

    [LoggerMessage(EventId = 901, Level = LogLevel.Information, Message = "Listening for policy changes on {Channel}")]
    private static partial void LogListening(ILogger logger, string channel);

    [LoggerMessage(EventId = 902, Level = LogLevel.Warning, Message = "Lost the policy listener ({Reason}); every approval check asks the database until it reconnects")]
    private static partial void LogListenerLost(ILogger logger, string reason, Exception exception);
}
