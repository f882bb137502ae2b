using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Airlock.Services;

/// <summary>
/// Which addresses plugins may connect to: public unicast only. Refused: loopback, private (RFC 1918), shared (CGNAT),
/// link-local, unique-local, site-local, unspecified, "this network", multicast, broadcast and reserved ranges,
/// documentation and benchmarking ranges, and IPv4 addresses embedded in IPv6 (mapped, compatible, NAT64, 6to4) that are
/// any of those; Teredo and local-use NAT64 entirely; every IPv6 address outside global unicast (2000::/3).
/// </summary>
internal static class AddressPolicy
{
    private static readonly (uint Network, int Prefix, string Kind)[] RefusedV4 =
    [
        (0x00000000, 8, "this network (0.0.0.0/8)"),
        (0x0A000000, 8, "private (10.0.0.0/8)"),
        (0x64400000, 10, "shared carrier-grade NAT (100.64.0.0/10)"),
        (0x7F000000, 8, "loopback (127.0.0.0/8)"),
        (0xA9FE0000, 16, "link-local (169.254.0.0/16, which includes cloud metadata services)"),
        (0xAC100000, 12, "private (172.16.0.0/12)"),
        (0xC0000000, 24, "IETF protocol assignments (192.0.0.0/24)"),
        (0xC0000200, 24, "documentation (192.0.2.0/24)"),
        (0xC0586300, 24, "6to4 relay anycast (192.88.99.0/24)"),
        (0xC0A80000, 16, "private (192.168.0.0/16)"),
        (0xC6120000, 15, "benchmarking (198.18.0.0/15)"),
        (0xC6336400, 24, "documentation (198.51.100.0/24)"),
        (0xCB007100, 24, "documentation (203.0.113.0/24)"),
        (0xE0000000, 4, "multicast (224.0.0.0/4)"),
        (0xFFFFFFFF, 32, "broadcast (255.255.255.255)"),
        (0xF0000000, 4, "reserved (240.0.0.0/4)"),
    ];

    /// <summary>What kind of non-public address <paramref name="address"/> is, or <see langword="null"/> when it is public.</summary>
    public static string? Refusal(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> v4 = stackalloc byte[4];
            address.TryWriteBytes(v4, out _);
            return RefusalV4(BinaryPrimitives.ReadUInt32BigEndian(v4));
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return $"not an IP address ({address.AddressFamily})";
        }

        Span<byte> b = stackalloc byte[16];
        address.TryWriteBytes(b, out _);
        ReadOnlySpan<byte> bytes = b;
        if (!bytes.ContainsAnyExcept((byte)0))
        {
            return "unspecified (::)";
        }

        if (!bytes[..15].ContainsAnyExcept((byte)0) && bytes[15] == 1)
        {
            return "loopback (::1)";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return Embedded(bytes[12..], "IPv4-mapped (::ffff:0:0/96)");
        }

        if (!bytes[..12].ContainsAnyExcept((byte)0))
        {
            return "IPv4-compatible (::/96, deprecated)";
        }

        ushort first = BinaryPrimitives.ReadUInt16BigEndian(bytes);
        ushort second = BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]);
        ushort third = BinaryPrimitives.ReadUInt16BigEndian(bytes[4..]);
        if (first == 0x0064 && second == 0xff9b && !bytes[4..12].ContainsAnyExcept((byte)0))
        {
            return Embedded(bytes[12..], "NAT64 (64:ff9b::/96)");
        }

        if (first == 0x0064 && second == 0xff9b && third == 0x0001)
        {
            return "local-use NAT64 (64:ff9b:1::/48)";
        }

        if (first == 0x0100 && !bytes[2..8].ContainsAnyExcept((byte)0))
        {
            return "discard-only (100::/64)";
        }

        if (first == 0x2001 && second == 0x0000)
        {
            return "Teredo (2001::/32)";
        }

        if (first == 0x2001 && second == 0x0db8)
        {
            return "documentation (2001:db8::/32)";
        }

        if (first == 0x2001 && second == 0x0002 && third == 0x0000)
        {
            return "benchmarking (2001:2::/48)";
        }

        if (first == 0x2002)
        {
            return Embedded(bytes[2..6], "6to4 (2002::/16)");
        }

        if ((first & 0xfe00) == 0xfc00)
        {
            return "unique-local (fc00::/7)";
        }

        if ((first & 0xffc0) == 0xfe80)
        {
            return "link-local (fe80::/10)";
        }

        if ((first & 0xffc0) == 0xfec0)
        {
            return "site-local (fec0::/10, deprecated)";
        }

        if ((first & 0xff00) == 0xff00)
        {
            return "multicast (ff00::/8)";
        }

        if ((first & 0xe000) != 0x2000)
        {
            return "not global unicast (outside 2000::/3)";
        }

        return null;
    }

    private static string? Embedded(ReadOnlySpan<byte> v4, string form) =>
        RefusalV4(BinaryPrimitives.ReadUInt32BigEndian(v4)) is { } kind ? $"{kind}, in {form} form" : null;

    private static string? RefusalV4(uint address)
    {
        foreach ((uint network, int prefix, string kind) in RefusedV4)
        {
            uint mask = prefix == 0 ? 0 : uint.MaxValue << (32 - prefix);
            if ((address & mask) == network)
            {
                return kind;
            }
        }

        return null;
    }
}
