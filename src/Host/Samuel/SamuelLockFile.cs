using System.Text.Json;
using System.Text.Json.Serialization;

namespace Airlock.Samuel;

/// <summary>
/// The lock file of a Samuel plugins directory: one record per installed plugin (name, version, SHA-256 of the module,
/// source, folder, time), written atomically (a new file moved over the old one).
/// </summary>
internal static class SamuelLockFile
{
    private const int MaxBytes = 4 * 1024 * 1024;

    /// <summary>Adds or replaces the record of <paramref name="installation"/>.</summary>
    public static void Record(string path, SamuelInstallation installation)
    {
        List<SamuelInstallation> entries = Read(path);
        entries.RemoveAll(e => e.Name == installation.Name);
        entries.Add(installation);
        entries.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        string temporary = path + $".{Guid.NewGuid():N}.tmp";
        File.WriteAllBytes(temporary, JsonSerializer.SerializeToUtf8Bytes(new LockDocument(entries), SamuelLockJsonContext.Default.LockDocument));
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>The record of the plugin whose manifest is <paramref name="manifestPath"/>, if the lock file has one for its folder.</summary>
    public static SamuelInstallation? Find(string path, string name, string manifestPath)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        string folder = Path.GetDirectoryName(Path.GetFullPath(manifestPath))!;
        return Read(path).FirstOrDefault(e => e.Name == name && string.Equals(Path.GetFullPath(e.Directory), folder, StringComparison.Ordinal));
    }

    private static List<SamuelInstallation> Read(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        byte[] bytes = Files.UntrustedFile.ReadAllBytes(path, MaxBytes, "a Samuel lock file");
        try
        {
            return JsonSerializer.Deserialize(bytes, SamuelLockJsonContext.Default.LockDocument)?.Plugins is { } plugins ? [.. plugins] : [];
        }
        catch (JsonException exception)
        {
            throw new PluginManifestException(path, exception.Path, "the lock file is not valid: " + exception.Message, exception.LineNumber + 1, exception.BytePositionInLine + 1, innerException: exception);
        }
    }

    internal sealed record LockDocument(IReadOnlyList<SamuelInstallation> Plugins);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true, RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(SamuelLockFile.LockDocument))]
internal sealed partial class SamuelLockJsonContext : JsonSerializerContext;
