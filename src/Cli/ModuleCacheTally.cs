using System.Text.Json;
using System.Text.Json.Nodes;

namespace Airlock.Cli;

/// <summary>
/// The module cache's lookups summed over every command that loaded modules with this data directory
/// (<c>run</c>, <c>doctor</c>): <c>&lt;data-dir&gt;/module-cache-stats.json</c>, next to the cache. A host's own
/// <see cref="ModuleCacheStatistics"/> live as long as its process, and each command is a process, so the command adds
/// its host's counts to the file when its services are disposed. It is a statistic: a file that is missing, too large
/// or unreadable starts the counts again, and two commands finishing at the same moment may lose one's counts.
/// </summary>
internal sealed class ModuleCacheTally : IDisposable
{
    /// <summary>The file's name in the data directory.</summary>
    public const string FileName = "module-cache-stats.json";

    private const long MaxFileBytes = 64 * 1024;

    private readonly string _path;
    private readonly PluginHost _host;

    public ModuleCacheTally(string path, PluginHost host)
    {
        _path = path;
        _host = host;
    }

    /// <summary>The counts stored so far (not this process's), and since when they are counted.</summary>
    public static (long MemoryHits, long DiskHits, long Compilations, DateTimeOffset? Since) Read(string path)
    {
        try
        {
            byte[] bytes = Files.UntrustedFile.ReadAllBytes(path, MaxFileBytes, "the module cache statistics");
            JsonNode? node = JsonNode.Parse(bytes);
            return (Count(node, "memoryHits"), Count(node, "diskHits"), Count(node, "compilations"), node?["since"]?.GetValue<DateTimeOffset>());
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException or FormatException or PluginFileException)
        {
            return (0, 0, 0, null);
        }
    }

    /// <summary>Adds this process's lookups to the file (atomically replaced).</summary>
    public void Dispose()
    {
        ModuleCacheStatistics mine = _host.ModuleCacheStatistics;
        if (mine.MemoryHits + mine.DiskHits + mine.Compilations == 0)
        {
            return;
        }

        (long memory, long disk, long compiled, DateTimeOffset? since) = Read(_path);
        var node = new JsonObject
        {
            ["memoryHits"] = memory + mine.MemoryHits,
            ["diskHits"] = disk + mine.DiskHits,
            ["compilations"] = compiled + mine.Compilations,
            ["since"] = since ?? DateTimeOffset.UtcNow,
        };
        string temporary = _path + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            File.WriteAllText(temporary, node.ToJsonString());
            File.Move(temporary, _path, overwrite: true);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // A statistic that cannot be written is not worth failing the command for.
            try
            {
                File.Delete(temporary);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
            }
        }
    }

    private static long Count(JsonNode? node, string name) => node?[name]?.GetValue<long>() is { } value and >= 0 ? value : 0;
}
