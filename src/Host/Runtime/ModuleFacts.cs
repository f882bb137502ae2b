using System.Runtime.CompilerServices;
using Airlock.Abi;
using Airlock.Wasm;
using Wasmtime;

namespace Airlock.Runtime;

/// <summary>
/// What the host worked out about one compiled module, kept with it in the module cache so that a
/// second plugin over the same module does not work it out again: the module's imports and exports,
/// each contract check it passed (with the memory layout the check used), and the linkers of the
/// plugins loaded over it.
/// </summary>
/// <remarks>
/// <para>
/// A check is a pure function of the module's bytes (the cache entry is keyed by their SHA-256) and
/// of its <see cref="LoadKey"/>: the contract, the host modules provided, the WASI policy and the
/// no-imports reason, compared by reference. Contracts, host modules and policies are immutable
/// descriptions, so a key seen before means the same check with the same answer. Only passed checks
/// are kept: a refused module is evicted with everything here.
/// </para>
/// <para>
/// A linker holds host functions that find their plugin through the store's data, so two plugins
/// whose loads provide the very same implementations (and WASI policy) can share one. A shared linker
/// lives while a plugin uses it and instantiates under one lock (a Wasmtime linker is not documented
/// as safe for concurrent instantiation).
/// </para>
/// </remarks>
internal sealed class ModuleFacts
{
    private readonly ModuleCache _cache;
    private readonly Lazy<Module> _module;
    private readonly Lock _lock = new();
    private readonly Dictionary<LoadKey, GuestMemoryLayout> _verified = [];
    private readonly Dictionary<LoadKey, SharedLinker> _linkers = [];
    private ModuleShape? _shape;

    public ModuleFacts(ModuleCache cache, Lazy<Module> module)
    {
        _cache = cache;
        _module = module;
    }

    /// <summary>The module's imports and exports, read from Wasmtime once.</summary>
    public ModuleShape Shape
    {
        get
        {
            ModuleShape? shape = Volatile.Read(ref _shape);
            if (shape is null)
            {
                shape = ContractVerifier.ShapeOf(_module.Value);
                Volatile.Write(ref _shape, shape);
            }

            return shape;
        }
    }

    /// <summary>The layout a passed check of <paramref name="key"/> used; <see langword="false"/> when it was not checked (or did not pass).</summary>
    public bool TryGetVerified(LoadKey key, out GuestMemoryLayout layout)
    {
        lock (_lock)
        {
            return _verified.TryGetValue(key, out layout!);
        }
    }

    /// <summary>Remembers that the module passed the check of <paramref name="key"/> with <paramref name="layout"/>.</summary>
    public void Verified(LoadKey key, GuestMemoryLayout layout)
    {
        _cache.CountVerification();
        lock (_lock)
        {
            _verified.TryAdd(key, layout);
        }
    }

    /// <summary>Counts a check that refused the module (it is not remembered: the module leaves the cache).</summary>
    public void Refused() => _cache.CountVerification();

    /// <summary>
    /// The linker of loads keyed <paramref name="key"/>: the one a loaded plugin already uses, or a new one
    /// <paramref name="define"/> fills. Release it when the plugin unloads.
    /// </summary>
    public SharedLinker RentLinker(Engine engine, LoadKey key, Action<Linker> define)
    {
        lock (_lock)
        {
            if (_linkers.TryGetValue(key, out SharedLinker? shared))
            {
                shared.Users++;
                return shared;
            }

            var linker = new Linker(engine);
            try
            {
                define(linker);
            }
            catch
            {
                linker.Dispose();
                throw;
            }

            shared = new SharedLinker(this, key, linker) { Users = 1 };
            _linkers.Add(key, shared);
            return shared;
        }
    }

    internal void Release(SharedLinker linker)
    {
        lock (_lock)
        {
            if (--linker.Users > 0)
            {
                return;
            }

            _linkers.Remove(linker.Key);
        }

        linker.Linker.Dispose();
    }
}

/// <summary>A linker shared by the plugins of one module whose loads provide the same host functions.</summary>
internal sealed class SharedLinker
{
    private readonly ModuleFacts _owner;
    private int _released;

    internal SharedLinker(ModuleFacts owner, LoadKey key, Linker linker)
    {
        _owner = owner;
        Key = key;
        Linker = linker;
    }

    public LoadKey Key { get; }

    public Linker Linker { get; }

    /// <summary>Held while instantiating through <see cref="Linker"/>.</summary>
    public Lock Instantiation { get; } = new();

    // Guarded by the owner's lock.
    internal int Users { get; set; }

    /// <summary>A plugin that used the linker is gone.</summary>
    public void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            _owner.Release(this);
        }
    }
}

/// <summary>
/// What a load was given, compared by reference (strings by value): the same key means the same
/// contract, host modules or implementations, and policy objects.
/// </summary>
internal sealed class LoadKey : IEquatable<LoadKey>
{
    private readonly object?[] _parts;
    private readonly int _hash;

    public LoadKey(params object?[] parts)
    {
        _parts = parts;
        var hash = default(HashCode);
        foreach (object? part in parts)
        {
            hash.Add(part is string text ? StringComparer.Ordinal.GetHashCode(text) : part is null ? 0 : RuntimeHelpers.GetHashCode(part));
        }

        _hash = hash.ToHashCode();
    }

    public bool Equals(LoadKey? other)
    {
        if (other is null || other._parts.Length != _parts.Length)
        {
            return false;
        }

        for (int i = 0; i < _parts.Length; i++)
        {
            object? mine = _parts[i];
            object? theirs = other._parts[i];
            bool same = mine is string text ? theirs is string otherText && string.Equals(text, otherText, StringComparison.Ordinal) : ReferenceEquals(mine, theirs);
            if (!same)
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => Equals(obj as LoadKey);

    public override int GetHashCode() => _hash;
}
