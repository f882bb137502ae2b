using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
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
/// <para>A cache file is Wasmtime's serialized module followed by a 120-byte trailer:</para>
/// <code>
/// payload | magic "AIRLOCK-MODULE\0\2" (16) | engine fingerprint SHA-256 (32) | module SHA-256 (32)
/// | payload length u64 LE (8) | payload SHA-256 (32)
/// </code>
/// <para>
/// Every field is checked before Wasmtime sees the payload, the payload's checksum hashed from the open
/// file through one pooled buffer (nothing of the file's size is allocated); a file that fails any
/// check is deleted and the module compiled again. Wasmtime then maps the very file that was checked
/// (<see cref="Module.DeserializeFile"/>, through the open handle's <c>/proc/self/fd</c> entry on
/// Linux) instead of copying it: the trailer is after the ELF image Wasmtime reads, so it needs no
/// copy to strip. Files are written to a temporary name and renamed into place, never written in
/// place, so a reader never sees half a file and a mapped file never changes under Wasmtime. The least
/// recently used files go first when the cache is over budget.
/// </para>
/// </remarks>
internal sealed class ModuleCache : IDisposable
{
    private const string Extension = ".airmod";
    private const int TrailerLength = 16 + 32 + 32 + 8 + 32;
    private const int HashChunk = 64 * 1024;
    private static readonly byte[] Magic = "AIRLOCK-MODULE\0\u0002"u8.ToArray();
    private static readonly bool ProcFileDescriptors = OperatingSystem.IsLinux() && Directory.Exists("/proc/self/fd");

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
    private const string Hit = "hit";
    private const string Miss = "miss";
    private const string Eviction = "eviction";
    private long _compilations;
    private long _rejected;
    private long _evicted;
    private long _verifications;
    private readonly Diagnostics.AirlockInstruments _instruments;

    /// <param name="engine">The engine modules are compiled for.</param>
    /// <param name="engineConfiguration">Every engine setting that changes compiled code, as text.</param>
    /// <param name="disk">The disk cache, or null for memory only.</param>
    /// <param name="maxIdle">How many compiled modules no plugin uses are kept in memory for reuse.</param>
    /// <param name="logger">Where cache events are logged.</param>
    /// <param name="instruments">Where lookups and evictions are counted.</param>
    public ModuleCache(Engine engine, string engineConfiguration, ModuleCacheOptions? disk, int maxIdle, ILogger logger, Diagnostics.AirlockInstruments instruments)
    {
        _instruments = instruments;
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

    /// <summary>How many times a module was checked against a contract (<see cref="ModuleFacts"/> checks once per module and load key).</summary>
    public long ContractChecks => Interlocked.Read(ref _verifications);

    /// <summary>Counts one check of a module against a contract.</summary>
    internal void CountVerification() => Interlocked.Increment(ref _verifications);

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
    /// The compiled module whose bytes hash to <paramref name="sha256"/> when it is already in memory,
    /// held for the caller as <see cref="Rent"/> holds it; <see langword="null"/> (and nothing held) when it
    /// is not, or is still being compiled or loaded. Cheap: no compilation, no disk, no thread hop.
    /// </summary>
    /// <param name="id">The plugin (names log entries).</param>
    /// <param name="sha256">The lower-case hex SHA-256 of the module's bytes.</param>
    public ModuleLease? TryRentCompiled(string id, string sha256)
    {
        Entry? entry;
        lock (_memoryLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_modules.TryGetValue(sha256, out entry) || !entry.Module.IsValueCreated)
            {
                return null;
            }

            entry.Users++;
            if (entry.IdleNode is { } node)
            {
                _idle.Remove(node);
                entry.IdleNode = null;
            }
        }

        Interlocked.Increment(ref _memoryHits);
        _instruments.CacheOperation(Hit);
        HostLog.ModuleCacheHit(_logger, id, sha256);
        return new ModuleLease(this, entry, entry.Module.Value);
    }

    /// <summary>
    /// The compiled module whose bytes hash to <paramref name="sha256"/> from the disk cache, read and
    /// checked on the calling thread (a cache file is read once and mapped, not compiled), when no load
    /// of the module is in memory or under way; <see langword="null"/> when there is no usable file (a
    /// damaged one is deleted) or another load got there first, and <see cref="Rent"/> then serves.
    /// </summary>
    /// <param name="id">The plugin (names the module and log entries).</param>
    /// <param name="sha256">The lower-case hex SHA-256 of the module's bytes.</param>
    public ModuleLease? TryRentFromDisk(string id, string sha256)
    {
        if (_disk is null)
        {
            return null;
        }

        lock (_memoryLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_modules.ContainsKey(sha256))
            {
                return null;
            }
        }

        if (TryLoad(id, sha256, CachePath(sha256)) is not { } module)
        {
            return null;
        }

        Entry entry;
        lock (_memoryLock)
        {
            if (_disposed || _modules.ContainsKey(sha256))
            {
                // Another load of the module came first (or the host is going): serve from it instead.
                module.Dispose();
                return null;
            }

            entry = new Entry(this, sha256, new Lazy<Module>(module));
            entry.Users = 1;
            _modules.Add(sha256, entry);
        }

        Interlocked.Increment(ref _diskHits);
        _instruments.CacheOperation(Hit);
        return new ModuleLease(this, entry, module);
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
                entry = new Entry(this, sha256, new Lazy<Module>(() => LoadOrCompile(id, sha256, compile), LazyThreadSafetyMode.ExecutionAndPublication));
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
            _instruments.CacheOperation(Hit);
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
            // A refused module leaving is not an eviction: only modules that served and were pushed out count.
            if (!refused)
            {
                _instruments.CacheOperation(Eviction);
            }

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
        string? path = _disk is null ? null : CachePath(sha256);
        if (path is not null && TryLoad(id, sha256, path) is { } loaded)
        {
            Interlocked.Increment(ref _diskHits);
            _instruments.CacheOperation(Hit);
            return loaded;
        }

        _instruments.CacheOperation(Miss);
        Module module = compile();
        Interlocked.Increment(ref _compilations);
        if (path is not null)
        {
            Store(id, sha256, path, module);
        }

        return module;
    }

    private string CachePath(string sha256) => Path.Combine(_disk!.Directory, sha256 + "-" + _fingerprintTag + Extension);

    private Module? TryLoad(string id, string sha256, string path)
    {
        SafeFileHandle handle;
        long length;
        try
        {
            if (!File.Exists(path))
            {
                return null;
            }

            handle = Files.UntrustedFile.Open(path, _disk!.MaxBytes, "a module cache file", id, out length);
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

        Module module;
        using (handle)
        {
            string? problem;
            try
            {
                problem = Validate(handle, length, sha256);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                HostLog.ModuleCacheUnavailable(_logger, path, exception.Message);
                return null;
            }

            if (problem is not null)
            {
                Reject(path, problem);
                return null;
            }

            try
            {
                // Wasmtime maps the file the checks just read: on Linux through the open handle, so a file
                // renamed over the path in between is not the one mapped.
                module = Module.DeserializeFile(_engine, id, ProcFileDescriptors ? "/proc/self/fd/" + handle.DangerousGetHandle() : path);
            }
            catch (WasmtimeException exception)
            {
                Reject(path, "Wasmtime refused it: " + exception.Message.Split('\n')[0]);
                return null;
            }
        }

        Touch(path);
        HostLog.ModuleCacheLoaded(_logger, id, sha256, path);
        return module;
    }

    // The trailer's fields, then the payload's checksum, read from the open file in pieces through one
    // pooled buffer.
    private string? Validate(SafeFileHandle file, long length, string sha256)
    {
        if (length < TrailerLength)
        {
            return $"it is {length} bytes, shorter than the {TrailerLength}-byte trailer";
        }

        long payloadLength = length - TrailerLength;
        Span<byte> trailer = stackalloc byte[TrailerLength];
        if (RandomAccess.Read(file, trailer, payloadLength) != TrailerLength)
        {
            return "it ended while its trailer was read";
        }

        if (!trailer[..16].SequenceEqual(Magic))
        {
            return "it does not end with Airlock's cache trailer";
        }

        if (!trailer.Slice(16, 32).SequenceEqual(_fingerprint))
        {
            return "it was compiled for another engine configuration";
        }

        Span<byte> module = stackalloc byte[32];
        if (Convert.FromHexString(sha256, module, out _, out _) != OperationStatus.Done || !trailer.Slice(48, 32).SequenceEqual(module))
        {
            return "it holds another module";
        }

        ulong promised = BinaryPrimitives.ReadUInt64LittleEndian(trailer.Slice(80, 8));
        if (promised != (ulong)payloadLength)
        {
            return $"its trailer promises {promised} bytes of compiled code but {payloadLength} precede it";
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(HashChunk);
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long offset = 0;
            while (offset < payloadLength)
            {
                int read = RandomAccess.Read(file, buffer.AsSpan(0, (int)Math.Min(buffer.Length, payloadLength - offset)), offset);
                if (read == 0)
                {
                    return "it ended while its compiled code was read";
                }

                hash.AppendData(buffer, 0, read);
                offset += read;
            }

            Span<byte> actual = stackalloc byte[32];
            hash.GetHashAndReset(actual);
            return actual.SequenceEqual(trailer.Slice(88, 32)) ? null : "its compiled code does not match its checksum";
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
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

        if (TrailerLength + payload.LongLength > _disk!.MaxBytes)
        {
            HostLog.ModuleCacheTooLarge(_logger, id, TrailerLength + payload.LongLength, _disk.MaxBytes);
            return;
        }

        byte[] trailer = new byte[TrailerLength];
        Magic.CopyTo(trailer, 0);
        _fingerprint.CopyTo(trailer, 16);
        Convert.FromHexString(sha256).CopyTo(trailer, 48);
        BinaryPrimitives.WriteUInt64LittleEndian(trailer.AsSpan(80, 8), (ulong)payload.LongLength);
        SHA256.HashData(payload).CopyTo(trailer, 88);

        string temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            Directory.CreateDirectory(_disk.Directory);
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.WriteThrough))
            {
                stream.Write(payload);
                stream.Write(trailer);
            }

            File.Move(temporary, path, overwrite: true);
            HostLog.ModuleCacheStored(_logger, id, sha256, path, trailer.Length + payload.Length);
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
                        _instruments.CacheOperation(Eviction);
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

    internal sealed class Entry(ModuleCache cache, string sha256, Lazy<Module> module)
    {
        public string Sha256 { get; } = sha256;

        public Lazy<Module> Module { get; } = module;

        /// <summary>What the host worked out about the compiled module, for the loads that use it.</summary>
        public ModuleFacts Facts { get; } = new(cache, module);

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

    /// <summary>What the host worked out about the module: its shape, the contract checks it passed, its shared linkers.</summary>
    public ModuleFacts Facts => _entry.Facts;

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
