using System.Globalization;
using System.Text;
using Airlock.Runtime;

namespace Airlock.Host.Tests;

/// <summary>
/// The one sanitiser of plugin-controlled text: line breaks and controls become spaces, format characters (bidi
/// controls, marks, zero-width and tag characters) and lone surrogates become U+FFFD, and cuts never split a pair.
/// </summary>
public sealed class PluginTextTests
{
    [Theory]
    [InlineData("line one\nforged: line two", "line one forged: line two")]
    [InlineData("a\r\nb", "a  b")]
    [InlineData("a\u0000b\u001Bc\u007Fd", "a b c d")]
    [InlineData("next\u0085line", "next line")]
    [InlineData("line\u2028separator", "line separator")]
    [InlineData("paragraph\u2029separator", "paragraph separator")]
    public void Line_breaks_and_control_characters_become_spaces(string text, string expected)
        => Assert.Equal(expected, PluginText.Sanitize(text, 100));

    [Theory]
    [InlineData('\u202A')]
    [InlineData('\u202B')]
    [InlineData('\u202C')]
    [InlineData('\u202D')]
    [InlineData('\u202E')]
    [InlineData('\u2066')]
    [InlineData('\u2067')]
    [InlineData('\u2068')]
    [InlineData('\u2069')]
    [InlineData('\u200E')]
    [InlineData('\u200F')]
    [InlineData('\u061C')]
    [InlineData('\u200B')]
    [InlineData('\u2060')]
    [InlineData('\uFEFF')]
    [InlineData('\u00AD')]
    public void Bidirectional_controls_and_other_format_characters_are_marked(char format)
    {
        Assert.Equal(UnicodeCategory.Format, CharUnicodeInfo.GetUnicodeCategory(format));
        Assert.Equal("evil\uFFFDtxt.exe", PluginText.Sanitize("evil" + format + "txt.exe", 100));
    }

    [Fact]
    public void A_tag_character_outside_the_basic_plane_becomes_one_replacement()
    {
        string tagged = "key" + char.ConvertFromUtf32(0xE0041) + char.ConvertFromUtf32(0xE007F);
        Assert.Equal("key\uFFFD\uFFFD", PluginText.Sanitize(tagged, 100));
    }

    [Fact]
    public void Lone_surrogates_become_replacements()
    {
        // Built in code: attribute arguments cannot carry a lone surrogate.
        Assert.Equal("a\uFFFDb", PluginText.Sanitize("a" + '\uD800' + "b", 100));
        Assert.Equal("a\uFFFDb", PluginText.Sanitize("a" + '\uDC00' + "b", 100));
        Assert.Equal("\uFFFD\uFFFD", PluginText.Sanitize(new string(['\uDC00', '\uD800']), 100));
        Assert.Equal("end\uFFFD", PluginText.Sanitize("end" + '\uD83D', 100));
    }

    [Fact]
    public void Ordinary_text_and_valid_pairs_are_kept_without_a_copy()
    {
        string text = "Grüße, 你好, emoji 😀👨‍👩‍👧 ok";
        string kept = "Grüße, 你好, emoji 😀 ok";
        Assert.Same(kept, PluginText.Sanitize(kept, 100));

        // The zero-width joiner inside the family emoji is a format character: marked, the pictographs kept.
        Assert.Equal("Grüße, 你好, emoji 😀👨\uFFFD👩\uFFFD👧 ok", PluginText.Sanitize(text, 100));
    }

    [Theory]
    [InlineData("abcdef", 4, "abc…")]
    [InlineData("abcd", 4, "abcd")]
    [InlineData("abcde", 4, "abc…")]
    [InlineData("abcdef", 1, "…")]
    [InlineData("a\nbcdef", 3, "a …")]
    public void Long_text_is_cut_to_the_limit_with_an_ellipsis(string text, int maxChars, string expected)
    {
        string sanitized = PluginText.Sanitize(text, maxChars);
        Assert.Equal(expected, sanitized);
        Assert.True(sanitized.Length <= maxChars);
    }

    [Theory]
    [InlineData(3, "ab…")]
    [InlineData(4, "ab…")]
    [InlineData(5, "ab😀…")]
    [InlineData(6, "ab😀cd")]
    public void A_cut_never_splits_a_surrogate_pair(int maxChars, string expected)
        => Assert.Equal(expected, PluginText.Sanitize("ab😀cd", maxChars));

    [Fact]
    public void A_replaced_pair_counts_as_the_one_character_it_becomes()
    {
        string tags = string.Concat(Enumerable.Repeat(char.ConvertFromUtf32(0xE0041), 4));
        Assert.Equal("\uFFFD\uFFFD\uFFFD\uFFFD", PluginText.Sanitize(tags, 4));
    }

    [Fact]
    public void Any_text_comes_out_clean_within_the_limit_and_sanitising_again_changes_nothing()
    {
        var random = new Random(1234);
        char[] alphabet = ['a', 'Z', ' ', '\n', '\r', '\u0085', '\u2028', '\u2029', '\u202E', '\u2066', '\u200F', '\u061C', '\uD83D', '\uDE00', '\uDB40', '\uDC41', 'é', '…'];
        for (int round = 0; round < 2000; round++)
        {
            var text = new StringBuilder();
            int length = random.Next(0, 40);
            for (int i = 0; i < length; i++)
            {
                text.Append(alphabet[random.Next(alphabet.Length)]);
            }

            int maxChars = random.Next(1, 30);
            string sanitized = PluginText.Sanitize(text.ToString(), maxChars);
            Assert.True(sanitized.Length <= maxChars, $"'{sanitized}' is longer than {maxChars}");
            Assert.True(PluginText.IsClean(sanitized), $"'{sanitized}' is not clean");
            Assert.Equal(sanitized, PluginText.Sanitize(sanitized, maxChars));
            for (int i = 0; i < sanitized.Length; i++)
            {
                if (char.IsHighSurrogate(sanitized[i]))
                {
                    Assert.True(i + 1 < sanitized.Length && char.IsLowSurrogate(sanitized[i + 1]), $"'{sanitized}' ends in half a pair");
                    i++;
                }
                else
                {
                    Assert.False(char.IsLowSurrogate(sanitized[i]), $"'{sanitized}' has a lone low surrogate");
                }
            }
        }
    }
}
