// Compiled into the source generator and its code fixes (netstandard2.0) and the host (net10.0):
// internal only, and no BCL API newer than netstandard2.0.
namespace Airlock.Wasm;

/// <summary>The allocator exports of the packed ptr+len ABI when a contract does not name others.</summary>
internal static class PackedAbiExports
{
    /// <summary><c>alloc(size: i32) -&gt; ptr: i32</c>.</summary>
    public const string DefaultAlloc = "alloc";

    /// <summary><c>dealloc(ptr: i32, len: i32)</c>.</summary>
    public const string DefaultFree = "dealloc";
}
