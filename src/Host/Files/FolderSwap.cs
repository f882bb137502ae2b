namespace Airlock.Files;

/// <summary>
/// Puts a fully written folder in place of an installed one: the old version is moved aside, the new one moved in,
/// and only then the old one deleted, so an installation stopped before the swap leaves the old version as it was.
/// </summary>
internal static class FolderSwap
{
    /// <summary>A new staging folder beside <paramref name="root"/>'s plugins, named after <paramref name="name"/>.</summary>
    public static string CreateStaging(string root, string name)
    {
        string staging = Path.Combine(root, $".installing-{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        return staging;
    }

    /// <summary>Moves <paramref name="staging"/> to <paramref name="target"/>, replacing what is there.</summary>
    public static void Swap(string staging, string target)
    {
        string? retired = null;
        if (Directory.Exists(target))
        {
            retired = target + $".retired-{Guid.NewGuid():N}";
            Directory.Move(target, retired);
        }

        try
        {
            Directory.Move(staging, target);
        }
        catch
        {
            if (retired is not null)
            {
                Directory.Move(retired, target);
            }

            throw;
        }

        if (retired is not null)
        {
            TryDelete(retired);
        }
    }

    /// <summary>Deletes a folder and what it holds, ignoring a folder that cannot be deleted.</summary>
    public static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
