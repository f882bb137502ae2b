using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Airlock.Cli.Tests;

/// <summary>A minimal HTTP/1.1 server on 127.0.0.1 that can cut a response short, as a dropped connection does.</summary>
internal sealed class DownloadServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Dictionary<string, (byte[] Body, int? TruncateAt)> _routes = [];
    private readonly CancellationTokenSource _stop = new();

    public DownloadServer()
    {
        _listener.Start();
        _ = Task.Run(AcceptAsync);
    }

    public string Url(string path) => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}{path}";

    public void Serve(string path, byte[] body, int? truncateAt) => _routes[path] = (body, truncateAt);

    /// <summary>A .zip of the files of <paramref name="folder"/>, as a plugin is published.</summary>
    public static byte[] Zip(string folder)
    {
        using var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (string file in Directory.GetFiles(folder))
            {
                zip.CreateEntryFromFile(file, Path.GetFileName(file));
            }
        }

        return stream.ToArray();
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => HandleAsync(client));
        }
    }

    private async Task HandleAsync(TcpClient client)
    {
        using (client)
        {
            NetworkStream stream = client.GetStream();
            var reader = new StreamReader(stream, Encoding.ASCII);
            string? requestLine = await reader.ReadLineAsync();
            while (await reader.ReadLineAsync() is { Length: > 0 })
            {
            }

            string path = requestLine?.Split(' ')[1] ?? "/";
            if (!_routes.TryGetValue(path, out var route))
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
                return;
            }

            await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/zip\r\nContent-Length: {route.Body.Length}\r\nConnection: close\r\n\r\n"));
            await stream.WriteAsync(route.Body.AsMemory(0, route.TruncateAt ?? route.Body.Length));
            await stream.FlushAsync();
            // A truncated response ends with the connection dropped before Content-Length bytes arrived.
            client.Client.LingerState = new LingerOption(true, 0);
        }
    }
}
