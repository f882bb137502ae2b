using System.IO.Compression;
using Spectre.Console;

namespace Airlock.Cli.Plugins;

/// <summary>
/// Where a plugin is installed from: a folder, a <c>.zip</c> of one, a <c>file://</c> address of either, or an
/// <c>https://</c> address of a <c>.zip</c> (plain <c>http://</c> only to this machine, for local registries and
/// tests). A download goes to a temporary folder with a progress bar; nothing in the plugins directory is touched until
/// it is complete and verified.
/// </summary>
internal sealed class PluginSource : IDisposable
{
    /// <summary>The largest archive downloaded or unpacked.</summary>
    public const long MaxArchiveBytes = 256L * 1024 * 1024;

    private const int MaxEntries = 256;

    private readonly string? _temporary;

    private PluginSource(string folder, string address, string? temporary)
    {
        Folder = folder;
        Address = address;
        _temporary = temporary;
    }

    /// <summary>The plugin's folder (possibly a temporary one).</summary>
    public string Folder { get; }

    /// <summary>What the lock file records as the source.</summary>
    public string Address { get; }

    public static async Task<PluginSource> OpenAsync(string source, CliConsole console, HttpMessageHandler? handler, CancellationToken cancellationToken)
    {
        if (Uri.TryCreate(source, UriKind.Absolute, out Uri? uri) && uri.Scheme is "http" or "https" or "file")
        {
            if (uri.IsFile)
            {
                return FromPath(uri.LocalPath, source);
            }

            if (uri.Scheme == "http" && !uri.IsLoopback)
            {
                throw new CliException(ExitCodes.CouldNot, $"'{source}' is plain http: airlock downloads plugins over https (http only from this machine, 127.0.0.1 or localhost).");
            }

            string temporary = Directory.CreateTempSubdirectory("airlock-download-").FullName;
            try
            {
                string archive = Path.Combine(temporary, "plugin.zip");
                await DownloadAsync(uri, archive, console, handler, cancellationToken).ConfigureAwait(false);
                string folder = Path.Combine(temporary, "plugin");
                Unpack(archive, folder, source);
                return new PluginSource(folder, source, temporary);
            }
            catch
            {
                Files.FolderSwap.TryDelete(temporary);
                throw;
            }
        }

        return FromPath(source, Path.GetFullPath(source));
    }

    public void Dispose()
    {
        if (_temporary is not null)
        {
            Files.FolderSwap.TryDelete(_temporary);
        }
    }

    private static PluginSource FromPath(string path, string address)
    {
        string full = Path.GetFullPath(path);
        if (File.Exists(full) && full.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
        {
            string temporary = Directory.CreateTempSubdirectory("airlock-unpack-").FullName;
            try
            {
                string folder = Path.Combine(temporary, "plugin");
                Unpack(full, folder, path);
                return new PluginSource(folder, address, temporary);
            }
            catch
            {
                Files.FolderSwap.TryDelete(temporary);
                throw;
            }
        }

        if (!Directory.Exists(full) && !File.Exists(full))
        {
            throw new CliException(ExitCodes.CouldNot, $"'{path}' does not exist; give a plugin folder, a .zip of one, or a file:// or https:// address.");
        }

        return new PluginSource(full, address, null);
    }

    private static async Task DownloadAsync(Uri uri, string target, CliConsole console, HttpMessageHandler? handler, CancellationToken cancellationToken)
    {
        using var client = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        client.Timeout = TimeSpan.FromMinutes(10);
        using HttpResponseMessage response = await Send(client, uri, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new CliException(ExitCodes.CouldNot, $"Downloading '{uri}' failed: the server answered {(int)response.StatusCode} {response.ReasonPhrase}. Nothing was installed.");
        }

        long? length = response.Content.Headers.ContentLength;
        if (length > MaxArchiveBytes)
        {
            throw new CliException(ExitCodes.CouldNot, $"'{uri}' is {length} bytes, more than the {MaxArchiveBytes} bytes airlock downloads. Nothing was installed.");
        }

        try
        {
            await using Stream body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using var file = new FileStream(target, FileMode.CreateNew, FileAccess.Write);
            if (console.Error.Profile.Capabilities.Interactive && console.Error.Profile.Capabilities.Ansi)
            {
                await console.Error.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new DownloadedColumn(), new TransferSpeedColumn())
                    .StartAsync(async progress =>
                    {
                        ProgressTask task = progress.AddTask("download " + Markup.Escape(uri.Host), maxValue: length ?? 1);
                        task.IsIndeterminate = length is null;
                        await Copy(body, file, n => task.Value = length is null ? 0 : n, cancellationToken).ConfigureAwait(false);
                        task.Value = task.MaxValue;
                    }).ConfigureAwait(false);
            }
            else
            {
                long copied = await Copy(body, file, _ => { }, cancellationToken).ConfigureAwait(false);
                console.Error.WriteLine($"downloaded {uri} ({Output.Size(copied)})");
            }
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
        {
            throw new CliException(ExitCodes.CouldNot, $"Downloading '{uri}' was interrupted ({exception.Message}). Nothing was installed; the installed version, if any, is unchanged.");
        }
    }

    private static async Task<HttpResponseMessage> Send(HttpClient client, Uri uri, CancellationToken cancellationToken)
    {
        try
        {
            return await client.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException exception)
        {
            throw new CliException(ExitCodes.CouldNot, $"Downloading '{uri}' failed: {exception.Message}. Nothing was installed.");
        }
    }

    private static async Task<long> Copy(Stream from, Stream to, Action<long> progress, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = await from.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            total += read;
            if (total > MaxArchiveBytes)
            {
                throw new CliException(ExitCodes.CouldNot, $"The download is larger than the {MaxArchiveBytes} bytes airlock accepts. Nothing was installed.");
            }

            await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            progress(total);
        }

        return total;
    }

    // A .zip is untrusted: bounded entries and sizes, and no entry outside the folder.
    private static void Unpack(string archive, string folder, string source)
    {
        Directory.CreateDirectory(folder);
        string root = Path.GetFullPath(folder) + Path.DirectorySeparatorChar;
        try
        {
            using ZipArchive zip = ZipFile.OpenRead(archive);
            if (zip.Entries.Count > MaxEntries)
            {
                throw new CliException(ExitCodes.CouldNot, $"'{source}' holds {zip.Entries.Count} files; a plugin archive holds at most {MaxEntries}.");
            }

            long total = 0;
            foreach (ZipArchiveEntry entry in zip.Entries)
            {
                string target = Path.GetFullPath(Path.Combine(folder, entry.FullName));
                if (!target.StartsWith(root, StringComparison.Ordinal))
                {
                    throw new CliException(ExitCodes.CouldNot, $"'{source}' has an entry '{entry.FullName}' outside the plugin's folder; the archive is refused.");
                }

                total += entry.Length;
                if (total > MaxArchiveBytes)
                {
                    throw new CliException(ExitCodes.CouldNot, $"'{source}' unpacks to more than {MaxArchiveBytes} bytes; the archive is refused.");
                }

                if (entry.FullName.EndsWith('/'))
                {
                    Directory.CreateDirectory(target);
                    continue;
                }

                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                entry.ExtractToFile(target, overwrite: false);
            }
        }
        catch (InvalidDataException exception)
        {
            throw new CliException(ExitCodes.CouldNot, $"'{source}' is not a valid .zip archive ({exception.Message}); a downloaded plugin is a .zip of its folder.");
        }

        // An archive of a folder (plugin/plugin.json) rather than of its contents: use the one folder inside.
        if (Directory.GetFiles(folder).Length == 0 && Directory.GetDirectories(folder) is [string only])
        {
            string inner = folder + ".inner";
            Directory.Move(only, inner);
            Directory.Delete(folder);
            Directory.Move(inner, folder);
        }
    }
}
