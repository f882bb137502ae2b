using System;
using System.Collections.Generic;

// Compiled into the source generator and its code fixes (netstandard2.0) and the host (net10.0):
// internal only, and no BCL API newer than netstandard2.0. The manifest reader refuses these export
// names at load; the generator refuses them for a contract that imports the Samuel host module.
namespace Airlock.Wasm;

/// <summary>The Samuel plugin system's own verbs, which a Samuel plugin's exports must not be named after.</summary>
internal static class SamuelVerbs
{
    /// <summary>The import module of Samuel's host functions (<c>samuel.log</c>, <c>samuel.net_outbound</c>, ...).</summary>
    public const string HostModule = "samuel";

    /// <summary>
    /// The thirteen reserved names, in Samuel's order: <c>init</c>, <c>install</c>, <c>uninstall</c>, <c>update</c>,
    /// <c>search</c>, <c>info</c>, <c>ls</c>, <c>list</c>, <c>run</c>, <c>doctor</c>, <c>sync</c>, <c>version</c>, <c>new</c>.
    /// </summary>
    public static readonly IReadOnlyList<string> Reserved = ["init", "install", "uninstall", "update", "search", "info", "ls", "list", "run", "doctor", "sync", "version", "new"];

    /// <summary>The reserved verb <paramref name="name"/> collides with (compared ignoring case), or null.</summary>
    public static string? Collision(string name)
    {
        foreach (string verb in Reserved)
        {
            if (string.Equals(verb, name, StringComparison.OrdinalIgnoreCase))
            {
                return verb;
            }
        }

        return null;
    }
}
