using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Wasmtime;

namespace Airlock.Runtime;

/// <summary>
/// Compiled modules keyed by the SHA-256 of their bytes and the engine's configuration: shared in
/// memory by every plugin of a host, and (when a directory is configured) kept on disk through
/// <see cref="Module.Serialize"/> so a restarted host skips compilation.
/// </summary>
/// <remarks>
/// <para>
/// In memory the cache holds only what serves: the modules of loaded plugins, and a bounded number of
/// idle modules whose plugins unloaded (most recently used kept), so that a reload does not compile
/// again. A module refused at load (not a valid module, does not fit its contract, failed to start)
/// is evicted as soon as no loaded plugin uses it, so a stream of refused modules costs nothing lasting.
/// </para>
/// <para>A cache file is a 120-byte header and Wasmtime's serialized module:</para>
/// <code>
/// magic "AIRLOCK-MODULE\0\1" (16) | engine fingerprint SHA-256 (32) | module SHA-256 (32)
/// | payload length u64 LE (8) | payload SHA-256 (32) | payload
/// </code>
/// <para>
/// Every field is checked before Wasmtime sees the payload; a file that fails any check is deleted
/// and the module compiled again. Files are written to a temporary name and renamed into place, so a
/// reader never sees half a file. The least recently used files go first when the cache is over budget.
/// </para>
/// </remarks>
internal sealed class ModuleCache : IDisposable
{
    private const string Extension = ".airmod";
    private const int HeaderLength = 16 + 32 + 32 + 8 + 32;
    private static readonly byte[] Magic = "AIRLOCK-MODULE\0\u0001"u8.ToArray();

    private readonly Engine _engine;
    private readonly byte[] _fingerprint;
    private readonly string _fingerprintTag;
    private readonly ModuleCacheOptions? _disk;
    private readonly ILogger _logger;
    private readonly Dictionary<string, Entry> _modules = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _idle = [];
    private readonly Lock _memoryLock = new();
    private readonly int _maxIdle;
    private readonly Lock _evictionLock = new();
    private bool _disposed;
    private long _memoryHits;
    private long _diskHits;
    private long _compilations;
    private long _rejected;
    private long _evicted;

    /// <param name="engine">The engine modules are compiled for.</param>
    /// <param name="engineConfiguration">Every engine setting that changes compiled code, as text.</param>
    /// <param name="disk">The disk cache, or null for memory only.</param>
    /// <param name="maxIdle">How many compiled modules no plugin uses are kept in memory for reuse.</param>
    /// <param name="logger">Where cache events are logged.</param>
    public ModuleCache(Engine engine, string engineConfiguration, ModuleCacheOptions? disk, int maxIdle, ILogger logger)
    {
        _engine = engine;
        _maxIdle = maxIdle;
        _disk = disk;
        _logger = logger;
        string identity = engineConfiguration
            + ";wasmtime=" + typeof(Engine).Assembly.GetName().Version
            + ";arch=" + System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture
            + ";os=" + System.Runtime.InteropServices.RuntimeInformation.OSDescription;
        _fingerprint = SHA256.HashData(Encoding.UTF8.GetBytes(identity));
        _fingerprintTag = Convert.ToHexStringLower(_fingerprint, 0, 8);
    }

    public ModuleCacheStatistics Statistics => new(
        Interlocked.Read(ref _memoryHits),
        Interlocked.Read(ref _diskHits),
        Interlocked.Read(ref _compilations),
        Interlocked.Read(ref _rejected),
        Interlocked.Read(ref _evicted));

    /// <summary>What the cache directory <paramref name="disk"/> holds now (a scan of it).</summary>
    /// <param name="disk">The disk cache, or null for memory only.</param>
    /// <param name="logger">Where a directory that cannot be read is reported.</param>
    public static ModuleCacheUsage UsageOf(ModuleCacheOptions? disk, ILogger logger)
    {
        if (disk is null)
        {
            return new ModuleCacheUsage(null, 0, 0, 0);
        }

        try
        {
            FileInfo[] files = new DirectoryInfo(disk.Directory).GetFiles("*" + Extension);
            return new ModuleCacheUsage(disk.Directory, files.Length, files.Sum(f => f.Length), disk.MaxBytes);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            HostLog.ModuleCacheUnavailable(logger, disk.Directory, exception.Message);
            return new ModuleCacheUsage(disk.Directory, 0, 0, disk.MaxBytes);
        }
    }

    /// <summary>How many compiled modules are in memory: those a loaded plugin uses, and the idle ones kept for reuse.</summary>
    public int Count
    {
        get
        {
            lock (_memoryLock)
            {
                return _modules.Count;
            }
        }
    }

    /// <summary>
    /// The compiled module whose bytes hash to <paramref name="sha256"/>: from memory, from disk, or
    /// compiled now, held for the caller until the lease ends. A lease ended with
    /// <see cref="ModuleLease.Refuse"/> (the module was refused at load) evicts the module once no
    /// one else holds it; a lease ended with <see cref="ModuleLease.Dispose"/> (its plugin unloaded)
    /// keeps it among the most recently used idle modules, of which the cache keeps a bounded number.
    /// </summary>
    /// <param name="id">The plugin (names the module and log entries).</param>
    /// <param name="sha256">The lower-case hex SHA-256 of the module's bytes.</param>
    /// <param name="compile">Compiles the module when no cached copy can be used; throws a typed load error.</param>
    public ModuleLease Rent(string id, string sha256, Func<Module> compile)
    {
        Entry entry;
        lock (_memoryLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_modules.TryGetValue(sha256, out entry!))
            {
                entry = new Entry(sha256, new Lazy<Module>(() => LoadOrCompile(id, sha256, compile), LazyThreadSafetyMode.ExecutionAndPublication));
                _modules.Add(sha256, entry);
            }

            entry.Users++;
            if (entry.IdleNode is { } node)
            {
                _idle.Remove(node);
                entry.IdleNode = null;
            }
        }

        bool cached = entry.Module.IsValueCreated;
        Module module;
        try
        {
            module = entry.Module.Value;
        }
        catch
        {
            // Do not cache a failure: the next load retries (and reports) it.
            Release(entry, refused: true);
            throw;
        }

        if (cached)
        {
            Interlocked.Increment(ref _memoryHits);
            HostLog.ModuleCacheHit(_logger, id, sha256);
        }

        return new ModuleLease(this, entry, module);
    }

    public void Dispose()
    {
        Entry[] entries;
        lock (_memoryLock)
        {
            _disposed = true;
            entries = [.. _modules.Values];
            _modules.Clear();
            _idle.Clear();
        }

        foreach (Entry entry in entries)
        {
            DisposeModule(entry);
        }
    }

    internal void Release(Entry entry, bool refused)
    {
        var evicted = new List<Entry>();
        lock (_memoryLock)
        {
            if (--entry.Users > 0 || _disposed)
            {
                return;
            }

            if (refused || _maxIdle == 0)
            {
                Forget(entry);
                evicted.Add(entry);
            }
            else
            {
                entry.IdleNode = _idle.AddLast(entry);
                while (_idle.Count > _maxIdle)
                {
                    Entry oldest = _idle.First!.Value;
                    _idle.RemoveFirst();
                    oldest.IdleNode = null;
                    Forget(oldest);
                    evicted.Add(oldest);
                }
            }
        }

        foreach (Entry gone in evicted)
        {
            DisposeModule(gone);
        }
    }

    private void Forget(Entry entry)
    {
        if (_modules.TryGetValue(entry.Sha256, out Entry? current) && ReferenceEquals(current, entry))
        {
            _modules.Remove(entry.Sha256);
        }
    }

    private static void DisposeModule(Entry entry)
    {
        if (entry.Module.IsValueCreated)
        {
            entry.Module.Value.Dispose();
        }
    }

    private Module LoadOrCompile(string id, string sha256, Func<Module> compile)
    {
        string? path = _disk is null ? null : Path.Combine(_disk.Directory, sha256 + "-" + _fingerprintTag + Extension);
        if (path is not null && TryLoad(id, sha256, path) is { } loaded)
        {
            Interlocked.Increment(ref _diskHits);
            return loaded;
        }

        Module module = compile();
        Interlocked.Increment(ref _compilations);
        if (path is not null)
        {
            Store(id, sha256, path, module);
        }

        return module;
    }

    private Module? TryLoad(string id, string sha256, string path)
    {
        byte[] file;
        try
        {
            if (!File.Exists(path))
            {
                return null;
            }

            file = Files.UntrustedFile.ReadAllBytes(path, Math.Min(_disk!.MaxBytes, Array.MaxLength), "a module cache file", id);
        }
        catch (PluginFileException exception) when (exception.Reason != PluginFileProblem.Unreadable)
        {
            // Not a file this cache wrote (a device, a FIFO, more than the whole budget): delete it.
            Reject(path, exception.Problem);
            return null;
        }
        catch (PluginFileException exception)
        {
            HostLog.ModuleCacheUnavailable(_logger, path, exception.Problem);
            return null;
        }

        if (Validate(file, sha256) is { } problem)
        {
            Reject(path, problem);
            return null;
        }

        Module module;
        try
        {
            module = Module.Deserialize(_engine, id, file.AsSpan(HeaderLength));
        }
        catch (WasmtimeException exception)
        {
            Reject(path, "Wasmtime refused it: " + exception.Message.Split('\n')[0]);
            return null;
        }

        Touch(path);
        HostLog.ModuleCacheLoaded(_logger, id, sha256, path);
        return module;
    }

    private string? Validate(byte[] file, string sha256)
    {
        if (file.Length < HeaderLength)
        {
            return $"it is {file.Length} bytes, shorter than the {HeaderLength}-byte header";
        }

        ReadOnlySpan<byte> header = file.AsSpan(0, HeaderLength);
        if (!header[..16].SequenceEqual(Magic))
        {
            return "it does not start with Airlock's cache header";
        }

        if (!header.Slice(16, 32).SequenceEqual(_fingerprint))
        {
            return "it was compiled for another engine configuration";
        }

        if (!Convert.ToHexStringLower(header.Slice(48, 32)).Equals(sha256, StringComparison.Ordinal))
        {
            return "it holds another module";
        }

        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(header.Slice(80, 8));
        if (length != (ulong)(file.Length - HeaderLength))
        {
            return $"its header promises {length} bytes of compiled code but {file.Length - HeaderLength} follow";
        }

        return SHA256.HashData(file.AsSpan(HeaderLength)).AsSpan().SequenceEqual(header.Slice(88, 32))
            ? null
            : "its compiled code does not match its checksum";
    }

    private void Store(string id, string sha256, string path, Module module)
    {
        byte[] payload;
        try
        {
            payload = module.Serialize();
        }
        catch (WasmtimeException exception)
        {
            HostLog.ModuleCacheUnavailable(_logger, path, exception.Message);
            return;
        }

        if (HeaderLength + payload.LongLength > _disk!.MaxBytes)
        {
            HostLog.ModuleCacheTooLarge(_logger, id, HeaderLength + payload.LongLength, _disk.MaxBytes);
            return;
        }

        byte[] header = new byte[HeaderLength];
        Magic.CopyTo(header, 0);
        _fingerprint.CopyTo(header, 16);
        Convert.FromHexString(sha256).CopyTo(header, 48);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(80, 8), (ulong)payload.LongLength);
        SHA256.HashData(payload).CopyTo(header, 88);

        string temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            Directory.CreateDirectory(_disk.Directory);
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.WriteThrough))
            {
                stream.Write(header);
                stream.Write(payload);
            }

            File.Move(temporary, path, overwrite: true);
            HostLog.ModuleCacheStored(_logger, id, sha256, path, header.Length + payload.Length);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            HostLog.ModuleCacheUnavailable(_logger, path, exception.Message);
            TryDelete(temporary);
            return;
        }

        Evict(path);
    }

    // Oldest use first: a hit refreshes the file's write time.
    private void Evict(string keep)
    {
        lock (_evictionLock)
        {
            try
            {
                var files = new DirectoryInfo(_disk!.Directory).GetFiles("*" + Extension)
                    .OrderBy(f => f.LastWriteTimeUtc)
                    .ToList();
                long total = files.Sum(f => f.Length);
                foreach (FileInfo file in files)
                {
                    if (total <= _disk.MaxBytes)
                    {
                        break;
                    }

                    if (string.Equals(file.FullName, Path.GetFullPath(keep), StringComparison.Ordinal))
                    {
                        continue;
                    }

                    total -= file.Length;
                    if (TryDelete(file.FullName))
                    {
                        Interlocked.Increment(ref _evicted);
                        HostLog.ModuleCacheEvicted(_logger, file.FullName, file.Length);
                    }
                }
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                HostLog.ModuleCacheUnavailable(_logger, _disk!.Directory, exception.Message);
            }
        }
    }

    private void Reject(string path, string reason)
    {
        Interlocked.Increment(ref _rejected);
        HostLog.ModuleCacheRejected(_logger, path, reason);
        TryDelete(path);
    }

    private static void Touch(string path)
    {
        try
        {
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Only the eviction order suffers.
        }
    }

    private static bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    internal sealed class Entry(string sha256, Lazy<Module> module)
    {
        public string Sha256 { get; } = sha256;

        public Lazy<Module> Module { get; } = module;

        // Guarded by the cache's memory lock.
        public int Users { get; set; }

        public LinkedListNode<Entry>? IdleNode { get; set; }
    }
}

/// <summary>A compiled module held for one load, and then for the plugin it backs.</summary>
internal sealed class ModuleLease : IDisposable
{
    private readonly ModuleCache _cache;
    private readonly ModuleCache.Entry _entry;
    private int _ended;

    internal ModuleLease(ModuleCache cache, ModuleCache.Entry entry, Module module)
    {
        _cache = cache;
        _entry = entry;
        Module = module;
    }

    public Module Module { get; }

    /// <summary>
    /// Whether the module was refused at load: the lease then ends by evicting it once no one else
    /// holds it. Set it before disposing a plugin that failed to start, whose disposal ends the lease.
    /// </summary>
    public bool Refused { get; set; }

    /// <summary>Ends the lease because the module was refused.</summary>
    public void Refuse()
    {
        Refused = true;
        Dispose();
    }

    /// <summary>Ends the lease: a module that served may be kept for reuse; a refused one is evicted.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _ended, 1) == 0)
        {
            _cache.Release(_entry, Refused);
        }
    }
}
