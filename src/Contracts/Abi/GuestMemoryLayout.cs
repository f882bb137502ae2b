namespace Airlock.Abi;

/// <summary>
/// The parts of a plugin's linear memory the guest owns — its static data, its stack and its heap —
/// as far as the host can tell from the module before it runs. The fixed-offset ABI writes only
/// outside them. See <c>docs/abi/fixed-offset.md</c>.
/// </summary>
public sealed class GuestMemoryLayout
{
    /// <summary>The end of a 32-bit memory: 4 GiB.</summary>
    public const ulong AddressSpaceEnd = 1UL << 32;

    private readonly GuestMemoryRegion[] _regions;
    private readonly ulong[] _boundaries;

    /// <summary>Creates a layout from guest-owned regions and host-reserved addresses.</summary>
    /// <param name="regions">The regions the guest owns, in any order; empty regions are ignored.</param>
    /// <param name="boundaries">
    /// Addresses where a host window must end even though the guest does not own them, such as the
    /// start of a contract's input window (so a host-function result never overwrites the input).
    /// </param>
    public GuestMemoryLayout(IEnumerable<GuestMemoryRegion> regions, IEnumerable<ulong>? boundaries = null)
    {
        ArgumentNullException.ThrowIfNull(regions);
        _regions = [.. regions.Where(r => r.End > r.Start).OrderBy(r => r.Start)];
        _boundaries = [.. (boundaries ?? []).Distinct().Order()];
    }

    /// <summary>A layout that knows of nothing the guest owns: only the memory's bounds apply.</summary>
    public static GuestMemoryLayout Unknown { get; } = new([]);

    /// <summary>The regions the guest owns, by start address.</summary>
    public IReadOnlyList<GuestMemoryRegion> Regions => _regions;

    /// <summary>Addresses where host windows end although the guest does not own them.</summary>
    public IReadOnlyList<ulong> Boundaries => _boundaries;

    /// <summary>The guest-owned region that contains <paramref name="address"/>, if any.</summary>
    /// <param name="address">The address.</param>
    public GuestMemoryRegion? RegionAt(ulong address)
    {
        foreach (GuestMemoryRegion region in _regions)
        {
            if (address >= region.Start && address < region.End)
            {
                return region;
            }
        }

        return null;
    }

    /// <summary>
    /// The end of the free window that starts at <paramref name="start"/>: the first guest-owned
    /// address or boundary above it, or <see cref="AddressSpaceEnd"/>.
    /// </summary>
    /// <param name="start">The window's first address; it must not be guest-owned.</param>
    /// <param name="limit">What ends the window, for error messages.</param>
    public ulong WindowEnd(ulong start, out string limit)
    {
        ulong end = WindowEnd(start, out int region, out int boundary);
        limit = boundary >= 0 ? $"the input window at 0x{_boundaries[boundary]:x}"
            : region >= 0 ? _regions[region].Description
            : "the end of the 32-bit address space";
        return end;
    }

    /// <summary><see cref="WindowEnd(ulong, out string)"/> without the description; allocates nothing.</summary>
    /// <param name="start">The window's first address; it must not be guest-owned.</param>
    public ulong WindowEnd(ulong start) => WindowEnd(start, out _, out _);

    private ulong WindowEnd(ulong start, out int region, out int boundary)
    {
        ulong end = AddressSpaceEnd;
        region = -1;
        boundary = -1;
        for (int i = 0; i < _regions.Length; i++)
        {
            if (_regions[i].Start > start && _regions[i].Start < end)
            {
                end = _regions[i].Start;
                region = i;
            }
        }

        for (int i = 0; i < _boundaries.Length; i++)
        {
            if (_boundaries[i] > start && _boundaries[i] < end)
            {
                end = _boundaries[i];
                boundary = i;
            }
        }

        return end;
    }

    /// <inheritdoc/>
    public override string ToString()
        => _regions.Length == 0 ? "no known guest-owned memory" : string.Join(", ", _regions.Select(r => r.ToString()));
}

/// <summary>A range of guest memory, <c>[Start, End)</c>, and what lives there.</summary>
/// <param name="Start">The first address.</param>
/// <param name="End">The address after the last.</param>
/// <param name="Description">What the guest keeps there, for example <c>data segment 0</c> or <c>stack</c>.</param>
public readonly record struct GuestMemoryRegion(ulong Start, ulong End, string Description)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Description} [0x{Start:x}, 0x{End:x})";
}
