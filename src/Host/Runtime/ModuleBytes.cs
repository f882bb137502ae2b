using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Airlock.Wasm;

namespace Airlock.Runtime;

/// <summary>
/// A module's bytes as the host holds them: an array no one else can write (the host's own copy, or a
/// file the host read itself), with its SHA-256 worked out once and what the compile limits read from
/// its section headers. Everything derived from it stays true because the bytes cannot change.
/// </summary>
/// <remarks>
/// <see cref="Of(ReadOnlyMemory{byte}, out bool)"/> remembers, for the caller's array, the copy it made: loading
/// the same array again compares the caller's bytes with that copy (a memory comparison, an order of
/// magnitude cheaper than SHA-256) and reuses the copy and its hash only when every byte is equal. An
/// array the caller changed in between, even by one byte, is copied and hashed again, so a changed
/// module is never served what was worked out for the old one.
/// </remarks>
internal sealed class ModuleBytes
{
    // Per caller array, the copy made of it last (keyed weakly: the entry goes with the caller's array).
    private static readonly ConditionalWeakTable<byte[], Remembered> Copies = new();

    private readonly byte[] _bytes;
    private StrongBox<WasmCodeSize>? _codeSize;
    private IReadOnlyList<string>? _customSections;

    private ModuleBytes(byte[] bytes, string sha256)
    {
        _bytes = bytes;
        Sha256 = sha256;
    }

    /// <summary>The bytes (never written after construction).</summary>
    public ReadOnlySpan<byte> Span => _bytes;

    /// <summary>The bytes as an array, for Wasmtime, which does not write them.</summary>
    public byte[] Array => _bytes;

    /// <summary>The lower-case hex SHA-256 of the bytes.</summary>
    public string Sha256 { get; }

    /// <summary>The length in bytes.</summary>
    public int Length => _bytes.Length;

    /// <summary>
    /// The bytes of a module the caller holds in memory: the copy made when the same array was last
    /// loaded with these very bytes, or a new copy, hashed.
    /// </summary>
    /// <param name="module">The caller's bytes.</param>
    /// <param name="hashed">Whether the bytes were copied and hashed now (not found unchanged).</param>
    public static ModuleBytes Of(ReadOnlyMemory<byte> module, out bool hashed)
    {
        hashed = true;
        if (!MemoryMarshal.TryGetArray(module, out ArraySegment<byte> segment) || segment.Array is null)
        {
            return Own(module.ToArray());
        }

        if (Copies.TryGetValue(segment.Array, out Remembered? remembered)
            && remembered.Offset == segment.Offset
            && remembered.Bytes.Length == segment.Count
            && module.Span.SequenceEqual(remembered.Bytes.Span))
        {
            hashed = false;
            return remembered.Bytes;
        }

        ModuleBytes copy = Own(module.ToArray());
        Copies.AddOrUpdate(segment.Array, new Remembered(segment.Offset, copy));
        return copy;
    }

    /// <summary>Takes <paramref name="bytes"/>, an array only the host holds (read from a file by the host), and hashes it.</summary>
    /// <param name="bytes">The array; the caller must not write it from here on.</param>
    public static ModuleBytes Own(byte[] bytes) => new(bytes, Convert.ToHexStringLower(SHA256.HashData(bytes)));

    /// <summary>Takes <paramref name="bytes"/>, an array only the host holds, whose SHA-256 the caller has just computed.</summary>
    /// <param name="bytes">The array; the caller must not write it from here on.</param>
    /// <param name="sha256">Its lower-case hex SHA-256.</param>
    public static ModuleBytes Own(byte[] bytes, string sha256) => new(bytes, sha256);

    /// <summary>What compiling the module costs, read from its section headers once.</summary>
    /// <exception cref="WasmFormatException">The sections cannot be walked.</exception>
    public WasmCodeSize CodeSize => (Volatile.Read(ref _codeSize) ?? Remember(WasmModuleReader.ReadCodeSize(_bytes))).Value;

    /// <summary>The names of the module's custom sections, read from its section headers once.</summary>
    /// <exception cref="WasmFormatException">The sections cannot be walked.</exception>
    public IReadOnlyList<string> CustomSections => Volatile.Read(ref _customSections) ?? Remember(WasmModuleReader.ReadCustomSectionNames(_bytes));

    private IReadOnlyList<string> Remember(IReadOnlyList<string> names)
    {
        Volatile.Write(ref _customSections, names);
        return names;
    }

    private StrongBox<WasmCodeSize> Remember(WasmCodeSize size)
    {
        var box = new StrongBox<WasmCodeSize>(size);
        Volatile.Write(ref _codeSize, box);
        return box;
    }

    private sealed record Remembered(int Offset, ModuleBytes Bytes);
}
