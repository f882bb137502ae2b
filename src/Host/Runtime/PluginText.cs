using System.Globalization;
using System.Text;

namespace Airlock.Runtime;

/// <summary>
/// Text from a plugin made safe for logs and audit records: the one sanitiser every path that records
/// plugin-controlled text goes through (the audit entry itself, plugin log lines, names from manifests).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Line breaks and other control characters (Unicode category Cc: U+0000–U+001F, U+007F–U+009F, U+0085
/// included) and the Unicode line and paragraph separators (U+2028, U+2029) become a space, so a plugin cannot
/// start a new log line or audit row of its own.</item>
/// <item>Format characters (category Cf) become U+FFFD: the bidirectional embeddings, overrides and isolates
/// (U+202A–U+202E, U+2066–U+2069), the direction marks (U+200E, U+200F, U+061C), zero-width characters (U+200B–U+200D,
/// U+2060, U+FEFF), tag characters (U+E0000 block) and the rest, which can reorder or hide text. They are marked
/// rather than removed, so a reader can see that something was there.</item>
/// <item>A lone surrogate (half of a pair without the other half) becomes U+FFFD.</item>
/// <item>Text longer than the limit is cut at a character boundary (never between the two halves of a surrogate
/// pair) and ends with "…"; the result is at most the limit long.</item>
/// </list>
/// Sanitising is idempotent: sanitised text passes through unchanged (and without a copy).
/// </remarks>
internal static class PluginText
{
    /// <summary>What replaces a format character or a lone surrogate.</summary>
    public const char Replacement = '\uFFFD';

    /// <summary>What ends text that was cut.</summary>
    public const char Ellipsis = '…';

    /// <summary>
    /// Returns <paramref name="text"/> with line breaks and control characters replaced by spaces, format characters
    /// and lone surrogates replaced by U+FFFD, and cut to at most <paramref name="maxChars"/> characters.
    /// </summary>
    /// <param name="text">The text from the plugin.</param>
    /// <param name="maxChars">The longest result, the "…" that marks a cut included; at least 1.</param>
    public static string Sanitize(string text, int maxChars)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxChars);
        if (text.Length <= maxChars && IsClean(text))
        {
            return text;
        }

        var builder = new StringBuilder(Math.Min(text.Length, maxChars));
        int i = 0;
        while (i < text.Length)
        {
            // A rune: one character, or both halves of a surrogate pair; a lone surrogate is one invalid char.
            int length = char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
            char? single = Replace(text, i, length);
            int produced = single is null ? length : 1;
            bool more = i + length < text.Length;

            // Keep room for the ellipsis while anything else remains to be written.
            if (builder.Length + produced > (more ? maxChars - 1 : maxChars))
            {
                break;
            }

            if (single is { } replaced)
            {
                builder.Append(replaced);
            }
            else
            {
                builder.Append(text, i, length);
            }

            i += length;
        }

        if (i < text.Length)
        {
            builder.Append(Ellipsis);
        }

        return builder.ToString();
    }

    /// <summary><see cref="Sanitize"/> for optional text: <see langword="null"/> stays <see langword="null"/>.</summary>
    /// <param name="text">The text from the plugin, or <see langword="null"/>.</param>
    /// <param name="maxChars">The longest result.</param>
    public static string? SanitizeOptional(string? text, int maxChars) => text is null ? null : Sanitize(text, maxChars);

    /// <summary>Whether <paramref name="text"/> has nothing <see cref="Sanitize"/> would replace.</summary>
    /// <param name="text">The text.</param>
    public static bool IsClean(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c is >= ' ' and < '\u007F')
            {
                continue;
            }

            int length = char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
            if (Replace(text, i, length) is not null)
            {
                return false;
            }

            i += length - 1;
        }

        return true;
    }

    // What replaces the rune at text[index..index+length], or null to keep it.
    private static char? Replace(string text, int index, int length)
    {
        char c = text[index];
        if (length == 1)
        {
            if (char.IsSurrogate(c))
            {
                return Replacement;
            }

            return CharUnicodeInfo.GetUnicodeCategory(c) switch
            {
                UnicodeCategory.Control or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator => ' ',
                UnicodeCategory.Format => Replacement,
                _ => null,
            };
        }

        return CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(c, text[index + 1])) == UnicodeCategory.Format ? Replacement : null;
    }
}
