using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Airlock.Tests;

/// <summary>
/// A real PostgreSQL from Debian's packages (apt-get install postgresql; .ci/run installs it), started in a temporary
/// directory on 127.0.0.1 and a free port, and stopped afterwards. As root, initdb refuses to run, so the server then
/// runs as the unprivileged <c>postgres</c> user the package creates. Shared by tests/Airlock.PostgreSql.Tests and the
/// policy-store benchmarks.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    private static readonly Lazy<string?> Bin = new(FindBin);

    private readonly string _directory;
    private readonly string _data;
    private readonly string? _runAs;
    private readonly bool _fsync;

    /// <summary>Creates and starts a server.</summary>
    /// <param name="fsync">Whether commits wait for the disk (PostgreSQL's default, for measurements); the tests run without, for speed.</param>
    public PostgresServer(bool fsync = false)
    {
        _fsync = fsync;
        if (Bin.Value is null)
        {
            throw new InvalidOperationException(Missing);
        }

        _runAs = Environment.UserName == "root" ? "postgres" : null;
        _directory = Directory.CreateTempSubdirectory("airlock-pg-").FullName;
        _data = Path.Combine(_directory, "data");
        Port = FreePort();
        if (_runAs is not null)
        {
            Run("chown", _runAs, _directory);
        }

        PgTool("initdb", "-D", _data, "-U", "airlock", "--auth=trust", "-E", "UTF8", "--no-sync", "--locale=C");
        Start();
    }

    /// <summary>Whether PostgreSQL's server binaries are installed.</summary>
    public static bool Available => Bin.Value is not null && (Environment.UserName != "root" || UserExists("postgres"));

    public const string Missing = "PostgreSQL's server binaries (/usr/lib/postgresql/*/bin) are not installed (apt-get install postgresql; .ci/run installs it)";

    public int Port { get; }

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=airlock;Database=postgres;Pooling=true";

    /// <summary>Starts the server (again) and waits until it accepts connections.</summary>
    public void Start()
        => PgTool("pg_ctl", "-D", _data, "-l", Path.Combine(_directory, "server.log"), "-w", "-t", "60", "-o", $"-p {Port} -c listen_addresses=127.0.0.1 -k {_directory} -c fsync={(_fsync ? "on" : "off")} -c max_connections=200", "start");

    /// <summary>Kills the server as a crash would (pg_ctl stop -m immediate): no shutdown checkpoint, connections cut.</summary>
    public void Kill() => PgTool("pg_ctl", "-D", _data, "-m", "immediate", "-w", "stop");

    public void Dispose()
    {
        try
        {
            PgTool("pg_ctl", "-D", _data, "-m", "fast", "-w", "stop");
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void PgTool(string tool, params string[] arguments)
    {
        string path = Path.Combine(Bin.Value!, tool);
        if (_runAs is null)
        {
            Run(path, arguments);
        }
        else
        {
            Run("runuser", ["-u", _runAs, "--", path, .. arguments]);
        }
    }

    private static void Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetTempPath() };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}: {output.Result}{error.Result}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool UserExists(string name) => File.ReadLines("/etc/passwd").Any(line => line.StartsWith(name + ":", StringComparison.Ordinal));

    private static string? FindBin()
    {
        const string root = "/usr/lib/postgresql";
        if (!Directory.Exists(root))
        {
            return null;
        }

        return Directory.GetDirectories(root)
            .Select(d => Path.Combine(d, "bin"))
            .Where(b => File.Exists(Path.Combine(b, "initdb")) && File.Exists(Path.Combine(b, "pg_ctl")))
            .OrderByDescending(b => b, StringComparer.Ordinal)
            .FirstOrDefault();
    }
}
