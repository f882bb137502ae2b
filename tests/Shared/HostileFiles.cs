using System.Diagnostics;

namespace Airlock.Tests;

/// <summary>Files an attacker can leave where a host reads plugins: FIFOs, links to devices, sparse giants.</summary>
internal static class HostileFiles
{
    /// <summary>Creates a FIFO (named pipe) nobody writes to at <paramref name="path"/>, with the system's <c>mkfifo</c>.</summary>
    public static void Fifo(string path)
    {
        using Process mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        mkfifo.WaitForExit();
        if (mkfifo.ExitCode != 0)
        {
            throw new InvalidOperationException($"mkfifo {path} exited with {mkfifo.ExitCode}.");
        }
    }

    /// <summary>Creates a sparse file of <paramref name="length"/> bytes, which costs no disk: its length is a claim, its contents zeros.</summary>
    public static void Sparse(string path, long length)
    {
        using FileStream file = File.Create(path);
        file.SetLength(length);
    }

    /// <summary>A symbolic link at <paramref name="path"/> to <c>/dev/zero</c>, a file with no end.</summary>
    public static void LinkToDevZero(string path) => File.CreateSymbolicLink(path, "/dev/zero");
}
