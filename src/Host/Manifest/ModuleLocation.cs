namespace Airlock.Manifest;

/// <summary>
/// Where a manifest may name its module: in the manifest's own directory or below it, or in a directory
/// the administrator allows, with symbolic links followed on both sides. Checked when the manifest is
/// read, and again when the module is opened, so a link changed in between does not slip through.
/// </summary>
internal static class ModuleLocation
{
    /// <summary>The directories a manifest in <paramref name="manifestDirectory"/> may name its module in, links resolved.</summary>
    /// <param name="manifestDirectory">The manifest's directory.</param>
    /// <param name="options">The administrator's allowances.</param>
    public static IReadOnlyList<string> Roots(string manifestDirectory, PluginManifestOptions? options)
    {
        var roots = new List<string> { Files.UntrustedFile.ResolveLinks(manifestDirectory) };
        foreach (string allowed in options?.AllowedModuleRoots ?? [])
        {
            roots.Add(Files.UntrustedFile.ResolveLinks(allowed));
        }

        return roots;
    }

    /// <summary>Why <paramref name="modulePath"/> may not be read as the manifest's module, or null when it may.</summary>
    /// <param name="modulePath">The module's absolute path, as the manifest names it.</param>
    /// <param name="roots">From <see cref="Roots"/>; the first is the manifest's directory.</param>
    public static string? Problem(string modulePath, IReadOnlyList<string> roots)
    {
        string resolved;
        try
        {
            resolved = Files.UntrustedFile.ResolveLinks(modulePath);
        }
        catch (IOException exception)
        {
            return $"the module '{modulePath}' cannot be located: {exception.Message}";
        }

        if (roots.Any(root => Files.UntrustedFile.IsWithin(resolved, root)))
        {
            return null;
        }

        string where = string.Equals(resolved, modulePath, StringComparison.Ordinal) ? $"'{modulePath}'" : $"'{modulePath}', which leads through a symbolic link to '{resolved}',";
        return $"the module {where} is outside the manifest's directory '{roots[0]}'; a manifest names a module in its own directory or below it, unless the administrator allows another directory (PluginManifestOptions.AllowedModuleRoots).";
    }
}
