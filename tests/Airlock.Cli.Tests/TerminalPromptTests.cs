using System.Diagnostics;

namespace Airlock.Cli.Tests;

/// <summary>
/// The interactive approval prompt, driven as a person would: the built command runs in a tmux pane (a real
/// terminal), the test reads the pane, answers with send-keys, and reads the outcome. CI installs tmux (.ci/run).
/// </summary>
public sealed class TerminalPromptTests : IDisposable
{
    private readonly CliHarness _cli = new();
    private readonly string _session = "airlock-test-" + Guid.NewGuid().ToString("N")[..8];

    public void Dispose()
    {
        Tmux("kill-session", "-t", _session);
        _cli.Dispose();
    }

    [Fact]
    public async Task The_approval_prompt_installs_on_yes_and_refuses_on_no()
    {
        if (!TmuxAvailable())
        {
            // Only where tmux is absent; .ci/run installs it, so CI always runs this test.
            return;
        }

        string dll = typeof(AirlockCli).Assembly.Location;
        string chirp = Path.Combine(CliHarness.Samples, "chirp-c");
        string command = $"NO_COLOR=1 dotnet '{dll}' install '{chirp}' --allow-unsigned --plugins-dir '{_cli.PluginsDirectory}' --data-dir '{_cli.DataDirectory}'; echo EXIT=$?; sleep 60";
        Assert.Equal(0, Tmux("new-session", "-d", "-s", _session, "-x", "200", "-y", "50", command).ExitCode);

        string screen = await WaitForAsync("Approve these permissions and install com.airlock.samples.chirp-c 1.0.0?");
        Assert.Contains("network_access: api.chirp.example", screen);
        Assert.Contains("[y/n] (n):", screen);
        Tmux("send-keys", "-t", _session, "y", "Enter");
        screen = await WaitForAsync("EXIT=");

        Assert.Contains("installed com.airlock.samples.chirp-c 1.0.0", screen);
        Assert.Contains("EXIT=0", screen);
        Assert.Contains("com.airlock.samples.chirp-c", File.ReadAllText(_cli.LockFile));
        Assert.Contains("airlock install prompt", (await _cli.RunAsync("approvals", "list")).Out);

        // A second plugin refused at the prompt: nothing installed, the refusal audited.
        Tmux("kill-session", "-t", _session);
        string samuel = Path.Combine(CliHarness.Samples, "samuel-hello-c");
        command = $"NO_COLOR=1 dotnet '{dll}' install '{samuel}' --allow-unsigned --plugins-dir '{_cli.PluginsDirectory}' --data-dir '{_cli.DataDirectory}'; echo EXIT=$?; sleep 60";
        Assert.Equal(0, Tmux("new-session", "-d", "-s", _session, "-x", "200", "-y", "50", command).ExitCode);
        await WaitForAsync("Install samuel-hello 0.1.0 (it asks for no permissions)?");
        Tmux("send-keys", "-t", _session, "n", "Enter");
        screen = await WaitForAsync("EXIT=");

        Assert.Contains("EXIT=1", screen);
        Assert.False(Directory.Exists(Path.Combine(_cli.PluginsDirectory, "samuel-hello")));
        Assert.Contains("refused by airlock install prompt", (await _cli.RunAsync("audit", "--plugin", "samuel-hello")).Out);
    }

    private async Task<string> WaitForAsync(string text)
    {
        string screen = string.Empty;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            screen = Tmux("capture-pane", "-p", "-J", "-t", _session).Output;
            if (screen.Contains(text, StringComparison.Ordinal))
            {
                return screen;
            }

            await Task.Delay(200);
        }

        Assert.Fail($"'{text}' did not appear in the terminal within 60 s; the pane shows:\n{screen}");
        return screen;
    }

    private static bool TmuxAvailable()
        => (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator).Any(d => File.Exists(Path.Combine(d, "tmux")));

    private static (int ExitCode, string Output) Tmux(params string[] args)
    {
        var start = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        try
        {
            using Process process = Process.Start(start)!;
            string output = process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return (-1, string.Empty);
        }
    }
}
