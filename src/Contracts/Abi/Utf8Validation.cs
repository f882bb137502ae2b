using System.Text;
using System.Text.Unicode;

namespace Airlock.Abi;

/// <summary>UTF-8 checks for bytes a guest hands the host.</summary>
internal static class Utf8Validation
{
    /// <summary>Returns the offset of the first byte that is not part of valid UTF-8, or -1.</summary>
    public static int IndexOfInvalid(ReadOnlySpan<byte> bytes)
    {
        if (Utf8.IsValid(bytes))
        {
            return -1;
        }

        int offset = 0;
        while (offset < bytes.Length)
        {
            if (Rune.DecodeFromUtf8(bytes[offset..], out _, out int consumed) != System.Buffers.OperationStatus.Done)
            {
                return offset;
            }

            offset += consumed;
        }

        return -1;
    }
}
