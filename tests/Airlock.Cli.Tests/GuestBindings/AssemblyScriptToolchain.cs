using System.Diagnostics;

namespace Airlock.Cli.Tests.GuestBindings;

/// <summary>
/// AssemblyScript 0.28 from npm, installed once per machine into a shared folder under the temporary directory (the
/// version the generated package.json pins) and linked into each project, so the tests run <c>npm install</c> once.
/// </summary>
internal static class AssemblyScriptToolchain
{
    private static readonly Lazy<(string? Folder, string Reason)> Installed = new(Install, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The folder holding <c>node_modules/assemblyscript</c>, or null when node, npm or the package cannot be had.</summary>
    public static string? Folder => Installed.Value.Folder;

    /// <summary>Why the toolchain is missing.</summary>
    public static string Missing => Installed.Value.Reason;

    /// <summary>Links the shared <c>node_modules</c> into a project folder, so its build.sh finds asc without installing.</summary>
    public static void LinkInto(string project)
        => Directory.CreateSymbolicLink(Path.Combine(project, "node_modules"), Path.Combine(Folder!, "node_modules"));

    /// <summary>Runs <c>asc</c> in a project folder.</summary>
    public static (int ExitCode, string Output) Asc(string project, params string[] arguments)
        => Clang.Run(Path.Combine(Folder!, "node_modules", ".bin", "asc"), project, arguments);

    private static (string?, string) Install()
    {
        if (!OnPath("node") || !OnPath("npm"))
        {
            return (null, "node and npm are not installed (apt-get install nodejs npm; .ci/run installs them)");
        }

        string folder = Path.Combine(Path.GetTempPath(), "airlock-assemblyscript-" + Airlock.Cli.Commands.NewAssemblyScript.AssemblyScriptVersion.TrimStart('~', '^'));
        string asc = Path.Combine(folder, "node_modules", ".bin", "asc");
        if (File.Exists(asc))
        {
            return (folder, string.Empty);
        }

        // Installed beside, then moved into place, so a concurrent or interrupted install never leaves half a folder.
        string staging = folder + "." + Environment.ProcessId + ".tmp";
        Directory.CreateDirectory(staging);
        File.WriteAllText(Path.Combine(staging, "package.json"), $$$"""{"name":"airlock-as-tests","private":true,"devDependencies":{"assemblyscript":"{{{Airlock.Cli.Commands.NewAssemblyScript.AssemblyScriptVersion}}}"}}""");
        (int code, string output) = Clang.Run("npm", staging, "install", "--no-audit", "--no-fund", "--silent");
        if (code != 0 || !File.Exists(Path.Combine(staging, "node_modules", ".bin", "asc")))
        {
            Directory.Delete(staging, recursive: true);
            return (null, "npm could not install assemblyscript " + Airlock.Cli.Commands.NewAssemblyScript.AssemblyScriptVersion + ": " + output.Trim());
        }

        try
        {
            Directory.Move(staging, folder);
        }
        catch (IOException) when (File.Exists(asc))
        {
            Directory.Delete(staging, recursive: true);
        }

        return (folder, string.Empty);
    }

    private static bool OnPath(string program)
        => (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, program)));
}

/// <summary>A fact that needs node, npm and the assemblyscript package: skipped, saying why, when they cannot be had.</summary>
internal sealed class AssemblyScriptFactAttribute : FactAttribute
{
    public AssemblyScriptFactAttribute()
    {
        if (AssemblyScriptToolchain.Folder is null)
        {
            Skip = AssemblyScriptToolchain.Missing;
        }
    }
}

/// <summary>A theory that needs node, npm and the assemblyscript package: skipped, saying why, when they cannot be had.</summary>
internal sealed class AssemblyScriptTheoryAttribute : TheoryAttribute
{
    public AssemblyScriptTheoryAttribute()
    {
        if (AssemblyScriptToolchain.Folder is null)
        {
            Skip = AssemblyScriptToolchain.Missing;
        }
    }
}
