using System.Diagnostics;
using Airlock.Tests;

namespace Airlock.PostgreSql.Tests;

/// <summary>One FleetNode process (an application instance): a command a line on stdin, an answer a line on stdout.</summary>
internal sealed class Node : IAsyncDisposable
{
    private readonly Process _process;
    private readonly SemaphoreSlim _gate = new(1, 1);

    private Node(Process process) => _process = process;

    /// <summary>The repository root (where Sdk.sln is).</summary>
    public static string Root => Checkout.Root;

    /// <summary>The C Chirp connector's manifest (its committed chirp.wasm beside it).</summary>
    public static string Manifest { get; } = Path.Combine(Root, "samples", "plugins", "chirp-c", "plugin.json");

    /// <summary>Starts an instance; <paramref name="extra"/> are its optional arguments (chirp=&lt;url&gt;, http-limit=&lt;n&gt;).</summary>
    public static async Task<Node> StartAsync(string connectionString, string schema, string name, bool approve, params string[] extra)
    {
        // Built beside the tests (a project reference), in the same configuration.
        string configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        string dll = Path.Combine(Root, "tests", "Fixtures", "Airlock.PostgreSql.FleetNode", "bin", configuration, "net10.0", "Airlock.PostgreSql.FleetNode.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in new[] { dll, connectionString, schema, name, approve ? "approve" : "deny" }.Concat(extra))
        {
            start.ArgumentList.Add(argument);
        }

        var node = new Node(Process.Start(start)!);
        string? ready = await node._process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        if (ready != "ready " + name)
        {
            // Only a node that failed to start has ended and closed its error output.
            Assert.Fail($"the node said '{ready}': {await node._process.StandardError.ReadToEndAsync()}");
        }

        return node;
    }

    /// <summary>Asks until the node answers <paramref name="expected"/> (at most 20 s).</summary>
    public static async Task WaitForAsync(Node node, string command, string expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        string answer;
        while ((answer = await node.AskAsync(command)) != expected)
        {
            Assert.True(DateTime.UtcNow < deadline, $"'{command}' still answered '{answer}' after 20 s");
            await Task.Delay(5);
        }
    }

    public async Task<string> AskAsync(string command)
    {
        await _gate.WaitAsync();
        try
        {
            await _process.StandardInput.WriteLineAsync(command);
            await _process.StandardInput.FlushAsync();
            string? answer = await _process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(120));
            return answer ?? throw new InvalidOperationException($"the node ended: {await _process.StandardError.ReadToEndAsync()}");
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await AskAsync("quit");
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (Exception) when (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        finally
        {
            _process.Dispose();
            _gate.Dispose();
        }
    }
}
