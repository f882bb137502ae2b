using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Airlock.Discovery;

/// <summary>
/// The plugins of one directory: every <c>.wasm</c> file in it (not in subdirectories), with its
/// optional manifest beside it, loaded at start. In development mode a watcher reloads a plugin when
/// its files change: 150 ms after the last change, only that plugin, with calls already running
/// finishing on the old version, and the old version kept serving if the new one fails to load.
/// </summary>
/// <typeparam name="TPlugin">The plugins' contract.</typeparam>
public sealed partial class PluginDirectory<TPlugin> : IAsyncDisposable
    where TPlugin : class, IWasmPlugin
{
    private readonly Func<PluginFile, CancellationToken, Task<TPlugin>> _load;
    private readonly PluginDirectoryOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _reloads = new(1, 1);
    private readonly Dictionary<string, ITimer> _pending = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private ImmutableSortedDictionary<string, Entry> _entries = ImmutableSortedDictionary.Create<string, Entry>(StringComparer.Ordinal);
    private ImmutableDictionary<string, PluginLoadFailure> _failures = ImmutableDictionary.Create<string, PluginLoadFailure>(StringComparer.Ordinal);
    private FileSystemWatcher? _watcher;
    private int _disposed;

    private PluginDirectory(string path, PluginDirectoryOptions options, Func<PluginFile, CancellationToken, Task<TPlugin>> load, ILogger logger, TimeProvider time)
    {
        DirectoryPath = path;
        _options = options;
        _load = load;
        _logger = logger;
        _time = time;
    }

    /// <summary>Raised after a plugin was loaded, reloaded or unloaded, or failed to (re)load. Handlers must not throw.</summary>
    public event EventHandler<PluginDirectoryEventArgs>? Changed;

    /// <summary>The directory.</summary>
    public string DirectoryPath { get; }

    /// <summary>The names of the plugins serving now, in order.</summary>
    public IReadOnlyList<string> Names => [.. _entries.Keys];

    /// <summary>Whether the directory is watched and changed plugins are reloaded (development mode).</summary>
    public bool IsWatching => _watcher is not null;

    /// <summary>Why plugins failed to load: the latest failure of each file whose current version is not serving.</summary>
    public IReadOnlyCollection<PluginLoadFailure> Failures => [.. _failures.Values.OrderBy(f => f.Name, StringComparer.Ordinal)];

    /// <summary>
    /// Discovers and loads the plugins of <paramref name="path"/>. A plugin that fails to load is
    /// reported in <see cref="Failures"/> and logged; the others load regardless. Only regular files
    /// are loaded (symbolic links are followed): an entry that is a FIFO, a device or a directory is a
    /// failure of its own, reported without being opened for reading.
    /// </summary>
    /// <param name="path">The directory (created if missing).</param>
    /// <param name="options">Watching and debounce settings.</param>
    /// <param name="load">Loads one plugin from its files; called again on every reload.</param>
    /// <param name="logger">Where loads, reloads and failures are logged.</param>
    /// <param name="timeProvider">The clock of the debounce; <see langword="null"/> for the system clock.</param>
    /// <param name="cancellationToken">Cancels the initial load.</param>
    public static async Task<PluginDirectory<TPlugin>> OpenAsync(
        string path,
        PluginDirectoryOptions options,
        Func<PluginFile, CancellationToken, Task<TPlugin>> load,
        ILogger? logger = null,
        TimeProvider? timeProvider = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(load);
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(full);
        var directory = new PluginDirectory<TPlugin>(full, options, load, logger ?? NullLogger.Instance, timeProvider ?? TimeProvider.System);
        try
        {
            foreach (string name in directory.DiscoverNames())
            {
                await directory.LoadOneAsync(name, cancellationToken).ConfigureAwait(false);
            }

            if (options.Watch)
            {
                directory.StartWatching();
            }
        }
        catch
        {
            await directory.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return directory;
    }

    /// <summary>
    /// Takes the plugins serving now, in name order. They stay usable until the lease is disposed,
    /// even if a reload replaces them meanwhile: a replaced version is unloaded when its last lease ends.
    /// </summary>
    public PluginLease<TPlugin> Acquire()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            Entry[] entries = [.. _entries.Values];
            foreach (Entry entry in entries)
            {
                entry.Leases++;
            }

            return new PluginLease<TPlugin>(this, entries);
        }
    }

    /// <summary>Reloads one plugin now, as the watcher would: loads the new version, then swaps it in.</summary>
    /// <param name="name">The plugin's file name without extension.</param>
    /// <param name="cancellationToken">Cancels the reload.</param>
    /// <returns>Whether the plugin serves its files' current version (or was removed with its files).</returns>
    public async Task<bool> ReloadAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        await _reloads.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await LoadOneAsync(name, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _reloads.Release();
        }
    }

    /// <summary>Stops watching and unloads every plugin once its leases end.</summary>
    public async ValueTask DisposeAsync()
    {
        Entry[] retired;
        lock (_gate)
        {
            if (_disposed != 0)
            {
                return;
            }

            _disposed = 1;
            retired = [.. _entries.Values];
            _entries = _entries.Clear();
            foreach (ITimer timer in _pending.Values)
            {
                timer.Dispose();
            }

            _pending.Clear();
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _watcher?.Dispose();
        foreach (Entry entry in retired)
        {
            await RetireAsync(entry).ConfigureAwait(false);
        }

        await _reloads.WaitAsync().ConfigureAwait(false);
        _reloads.Release();
        _stopping.Dispose();
    }

    internal void Release(Entry[] entries)
    {
        var unload = new List<Entry>();
        lock (_gate)
        {
            foreach (Entry entry in entries)
            {
                if (--entry.Leases == 0 && entry.Retired)
                {
                    unload.Add(entry);
                }
            }
        }

        foreach (Entry entry in unload)
        {
            _ = UnloadAsync(entry);
        }
    }

    // The plugin names of the directory: flat <name>.wasm files, and wasm-pack's pkg/<name>_bg.wasm when enabled.
    private IEnumerable<string> DiscoverNames()
    {
        IEnumerable<string> names = Directory.EnumerateFiles(DirectoryPath, "*.wasm", SearchOption.TopDirectoryOnly).Select(path => Path.GetFileNameWithoutExtension(path));
        if (_options.WasmPackLayout)
        {
            names = names.Concat(WasmPackModules().Select(WasmPackName).OfType<string>());
        }

        return names.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
    }

    // pkg/<name>_bg.wasm in the directory or one folder below it.
    private IEnumerable<string> WasmPackModules()
    {
        IEnumerable<string> folders = Directory.EnumerateDirectories(DirectoryPath).Select(folder => Path.Combine(folder, WasmPackFolder)).Prepend(Path.Combine(DirectoryPath, WasmPackFolder));
        return folders.Where(Directory.Exists).SelectMany(pkg => Directory.EnumerateFiles(pkg, "*" + WasmPackSuffix, SearchOption.TopDirectoryOnly)).Order(StringComparer.Ordinal);
    }

    private const string WasmPackFolder = "pkg";
    private const string WasmPackSuffix = "_bg.wasm";

    private static string? WasmPackName(string path)
    {
        string file = Path.GetFileName(path);
        return file.EndsWith(WasmPackSuffix, StringComparison.Ordinal) && file.Length > WasmPackSuffix.Length && string.Equals(Path.GetFileName(Path.GetDirectoryName(path)), WasmPackFolder, StringComparison.Ordinal)
            ? file[..^WasmPackSuffix.Length]
            : null;
    }

    // Where plugin <name>'s module is: the flat file, else (with the wasm-pack layout) its pkg/<name>_bg.wasm.
    private string ModulePathOf(string name)
    {
        string flat = Path.Combine(DirectoryPath, name + ".wasm");
        if (File.Exists(flat) || !_options.WasmPackLayout)
        {
            return flat;
        }

        return WasmPackModules().FirstOrDefault(path => string.Equals(WasmPackName(path), name, StringComparison.Ordinal)) ?? flat;
    }

    private async Task<bool> LoadOneAsync(string name, CancellationToken cancellationToken)
    {
        string wasm = ModulePathOf(name);
        string manifest = Path.Combine(DirectoryPath, name + _options.ManifestExtension);
        if (!File.Exists(wasm))
        {
            Entry? removed = Swap(name, null);
            ImmutableInterlocked.TryRemove(ref _failures, name, out _);
            if (removed is not null)
            {
                Unloaded(_logger, name, DirectoryPath);
                Raise(new PluginDirectoryEventArgs(name, PluginDirectoryChange.Unloaded, null));
                await RetireAsync(removed).ConfigureAwait(false);
            }

            return true;
        }

        var file = new PluginFile(name, wasm, File.Exists(manifest) ? manifest : null);
        TPlugin plugin;
        try
        {
            // Anyone who can write to the directory chooses what these names are: only regular files
            // are handed to the loader (a FIFO would block it, a device would feed it without end).
            Files.UntrustedFile.EnsureRegularFile(wasm, "a module", name);
            if (file.ManifestPath is { } present)
            {
                Files.UntrustedFile.EnsureRegularFile(present, "a manifest", name);
            }

            plugin = await _load(file, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // One bad entry never stops the directory: whatever its load threw is its failure alone.
            bool serving = _entries.ContainsKey(name);
            var failure = new PluginLoadFailure(name, wasm, exception, serving);
            ImmutableInterlocked.AddOrUpdate(ref _failures, name, failure, (_, _) => failure);
            LoadFailed(_logger, name, serving ? "keeps serving its previous version" : "is not serving", exception.Message, exception);
            Raise(new PluginDirectoryEventArgs(name, PluginDirectoryChange.Failed, exception));
            return false;
        }

        ImmutableInterlocked.TryRemove(ref _failures, name, out _);
        Entry? replaced = Swap(name, new Entry(plugin));
        if (replaced is null)
        {
            Loaded(_logger, name, plugin.Info.Version, plugin.Info.ModuleSha256[..12]);
            Raise(new PluginDirectoryEventArgs(name, PluginDirectoryChange.Loaded, null));
        }
        else
        {
            Reloaded(_logger, name, replaced.Plugin.Info.Version, plugin.Info.Version, plugin.Info.ModuleSha256[..12]);
            Raise(new PluginDirectoryEventArgs(name, PluginDirectoryChange.Reloaded, null));
            await RetireAsync(replaced).ConfigureAwait(false);
        }

        return true;
    }

    private Entry? Swap(string name, Entry? next)
    {
        lock (_gate)
        {
            if (_disposed != 0)
            {
                // Loaded while the directory was closing: unload it at once.
                if (next is not null)
                {
                    next.Retired = true;
                    _ = UnloadAsync(next);
                }

                return null;
            }

            _entries.TryGetValue(name, out Entry? previous);
            _entries = next is null ? _entries.Remove(name) : _entries.SetItem(name, next);
            return previous;
        }
    }

    private Task RetireAsync(Entry entry)
    {
        lock (_gate)
        {
            entry.Retired = true;
            if (entry.Leases > 0)
            {
                // The last lease unloads it.
                return Task.CompletedTask;
            }
        }

        return UnloadAsync(entry);
    }

    private async Task UnloadAsync(Entry entry)
    {
        if (Interlocked.Exchange(ref entry.Unloading, 1) != 0)
        {
            return;
        }

        try
        {
            await entry.Plugin.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is AirlockException or ObjectDisposedException)
        {
            UnloadFailed(_logger, entry.Plugin.Info.Id, exception.Message, exception);
        }
    }

    private void StartWatching()
    {
        var watcher = new FileSystemWatcher(DirectoryPath)
        {
            IncludeSubdirectories = _options.WasmPackLayout,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        watcher.Filters.Add("*.wasm");
        watcher.Filters.Add("*" + _options.ManifestExtension);
        watcher.Created += OnFileEvent;
        watcher.Changed += OnFileEvent;
        watcher.Deleted += OnFileEvent;
        watcher.Renamed += OnRenamed;
        watcher.Error += (_, e) => WatcherFailed(_logger, DirectoryPath, e.GetException().Message, e.GetException());
        watcher.EnableRaisingEvents = true;
        _watcher = watcher;
    }

    private void OnRenamed(object sender, RenamedEventArgs e)
    {
        Schedule(e.OldFullPath);
        Schedule(e.FullPath);
    }

    private void OnFileEvent(object sender, FileSystemEventArgs e) => Schedule(e.FullPath);

    // Debounce per plugin: every event restarts that plugin's timer; the reload runs once the files
    // have been quiet for the debounce interval.
    private void Schedule(string path)
    {
        string extension = Path.GetExtension(path);
        if (!string.Equals(extension, ".wasm", StringComparison.Ordinal) && !string.Equals(extension, _options.ManifestExtension, StringComparison.Ordinal))
        {
            return;
        }

        string name = (_options.WasmPackLayout ? WasmPackName(path) : null) ?? Path.GetFileNameWithoutExtension(path);
        lock (_gate)
        {
            if (_disposed != 0)
            {
                return;
            }

            if (_pending.TryGetValue(name, out ITimer? timer))
            {
                timer.Change(_options.Debounce, Timeout.InfiniteTimeSpan);
                return;
            }

            _pending[name] = _time.CreateTimer(OnDebounced, name, _options.Debounce, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnDebounced(object? state)
    {
        string name = (string)state!;
        lock (_gate)
        {
            if (_pending.Remove(name, out ITimer? timer))
            {
                timer.Dispose();
            }
        }

        _ = ReloadInBackgroundAsync(name);
    }

    private async Task ReloadInBackgroundAsync(string name)
    {
        try
        {
            await ReloadAsync(name, _stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (ObjectDisposedException) when (_disposed != 0)
        {
        }
    }

    private void Raise(PluginDirectoryEventArgs change) => Changed?.Invoke(this, change);

    // Names, versions and failure reasons can carry a plugin author's text (a manifest's version, the message a
    // plugin's hook_on_plugin_loaded answered with, SQLite's message quoting its SQL): sanitised before logging.
    private static void Loaded(ILogger logger, string name, string version, string sha256)
        => LogLoaded(logger, Clean(name), Clean(version), sha256);

    private static void Reloaded(ILogger logger, string name, string oldVersion, string newVersion, string sha256)
        => LogReloaded(logger, Clean(name), Clean(oldVersion), Clean(newVersion), sha256);

    private static void Unloaded(ILogger logger, string name, string directory)
        => LogUnloaded(logger, Clean(name), directory);

    private static void LoadFailed(ILogger logger, string name, string state, string reason, Exception exception)
        => LogLoadFailed(logger, Clean(name), state, Runtime.PluginText.Sanitize(reason, MaxReasonChars), exception);

    private static void UnloadFailed(ILogger logger, string pluginId, string reason, Exception exception)
        => LogUnloadFailed(logger, Clean(pluginId), Runtime.PluginText.Sanitize(reason, MaxReasonChars), exception);

    private static string Clean(string text) => Runtime.PluginText.Sanitize(text, Auditing.AuditEntry.MaxNameChars);

    private const int MaxReasonChars = 4096;

    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "Plugin {Name} {Version} loaded (module {Sha256})")]
    private static partial void LogLoaded(ILogger logger, string name, string version, string sha256);

    [LoggerMessage(EventId = 401, Level = LogLevel.Information, Message = "Plugin {Name} reloaded: {OldVersion} -> {NewVersion} (module {Sha256}); calls in flight finish on the old version")]
    private static partial void LogReloaded(ILogger logger, string name, string oldVersion, string newVersion, string sha256);

    [LoggerMessage(EventId = 402, Level = LogLevel.Information, Message = "Plugin {Name} unloaded: its module left {Directory}")]
    private static partial void LogUnloaded(ILogger logger, string name, string directory);

    [LoggerMessage(EventId = 403, Level = LogLevel.Error, Message = "Plugin {Name} failed to load and {State}: {Reason}")]
    private static partial void LogLoadFailed(ILogger logger, string name, string state, string reason, Exception exception);

    [LoggerMessage(EventId = 404, Level = LogLevel.Warning, Message = "Plugin {PluginId} did not unload cleanly: {Reason}")]
    private static partial void LogUnloadFailed(ILogger logger, string pluginId, string reason, Exception exception);

    [LoggerMessage(EventId = 405, Level = LogLevel.Error, Message = "Watching {Directory} failed: {Reason}; plugins are no longer reloaded")]
    private static partial void WatcherFailed(ILogger logger, string directory, string reason, Exception exception);

    internal sealed class Entry(TPlugin plugin)
    {
        public TPlugin Plugin { get; } = plugin;

        public int Leases { get; set; }

        public bool Retired { get; set; }

        public int Unloading;
    }
}
