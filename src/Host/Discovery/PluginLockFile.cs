using System.Text.Json;
using System.Text.Json.Serialization;

namespace Airlock.Discovery;

/// <summary>One plugin a lock file records as installed.</summary>
/// <param name="Name">The plugin's id (its folder in the plugins directory).</param>
/// <param name="Version">Its version.</param>
/// <param name="Sha256">The lower-case hex SHA-256 of its module, which later loads are checked against.</param>
/// <param name="Source">Where it was installed from (a folder, a <c>file://</c> or <c>https://</c> address).</param>
/// <param name="Directory">The folder it was installed into.</param>
/// <param name="InstalledAt">When.</param>
internal sealed record InstalledPlugin(string Name, string Version, string Sha256, string Source, string Directory, DateTimeOffset InstalledAt)
{
    /// <summary>Who signed the module (the trusted key that verified it), or <see langword="null"/> when it was installed unsigned.</summary>
    public string? Signer { get; init; }

    /// <summary>The plugin system whose manifest it has (<c>socialscale</c>, <c>lesstruct</c>, <c>driftless</c>, <c>samuel</c>), when recorded.</summary>
    public string? Profile { get; init; }

    /// <summary>The module's file name inside <see cref="Directory"/>, when recorded.</summary>
    public string? Module { get; init; }
}

/// <summary>
/// The lock file of a plugins directory: one record per installed plugin (id, version, SHA-256 of the module, source,
/// folder, time, signer), written atomically (a new file moved over the old one). The Samuel loader and the
/// <c>airlock</c> command keep theirs with this one machinery.
/// </summary>
internal static class PluginLockFile
{
    private const int MaxBytes = 4 * 1024 * 1024;

    /// <summary>Adds or replaces the record of <paramref name="installation"/> (by its name).</summary>
    public static void Record(string path, InstalledPlugin installation)
    {
        List<InstalledPlugin> entries = [.. Read(path)];
        entries.RemoveAll(e => e.Name == installation.Name);
        entries.Add(installation);
        Write(path, entries);
    }

    /// <summary>Removes the record of plugin <paramref name="name"/>; whether there was one.</summary>
    public static bool Remove(string path, string name)
    {
        List<InstalledPlugin> entries = [.. Read(path)];
        if (entries.RemoveAll(e => e.Name == name) == 0)
        {
            return false;
        }

        Write(path, entries);
        return true;
    }

    /// <summary>The record of the plugin whose manifest is <paramref name="manifestPath"/>, if the lock file has one for its folder.</summary>
    public static InstalledPlugin? Find(string path, string name, string manifestPath)
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(manifestPath))!;
        return Read(path).FirstOrDefault(e => e.Name == name && string.Equals(Path.GetFullPath(e.Directory), folder, StringComparison.Ordinal));
    }

    /// <summary>Every record, by name; none when the file does not exist.</summary>
    /// <exception cref="PluginManifestException">The file is not a valid lock file.</exception>
    public static IReadOnlyList<InstalledPlugin> Read(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        byte[] bytes = Files.UntrustedFile.ReadAllBytes(path, MaxBytes, "a lock file");
        try
        {
            return JsonSerializer.Deserialize(bytes, PluginLockJsonContext.Default.LockDocument)?.Plugins is { } plugins ? [.. plugins] : [];
        }
        catch (JsonException exception)
        {
            throw new PluginManifestException(path, exception.Path, "the lock file is not valid: " + exception.Message, exception.LineNumber + 1, exception.BytePositionInLine + 1, innerException: exception);
        }
    }

    private static void Write(string path, List<InstalledPlugin> entries)
    {
        entries.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        string temporary = path + $".{Guid.NewGuid():N}.tmp";
        using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
        {
            stream.Write(JsonSerializer.SerializeToUtf8Bytes(new LockDocument(entries), PluginLockJsonContext.Default.LockDocument));
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }

    internal sealed record LockDocument(IReadOnlyList<InstalledPlugin> Plugins);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(PluginLockFile.LockDocument))]
internal sealed partial class PluginLockJsonContext : JsonSerializerContext;
