using System.Globalization;
using System.Text;

namespace Airlock.Generators.Parsing;

/// <summary>
/// The JSON names System.Text.Json's known naming policies give a property, computed at build time so a
/// generated reader compares names without converting them. The reader checks every name against the
/// context's metadata when it is created, so a name computed differently only turns its fast pass off.
/// </summary>
internal static class JsonNaming
{
    /// <summary>The policy values of <c>JsonKnownNamingPolicy</c>.</summary>
    public const int Unspecified = 0;
    public const int CamelCase = 1;
    public const int SnakeCaseLower = 2;
    public const int SnakeCaseUpper = 3;
    public const int KebabCaseLower = 4;
    public const int KebabCaseUpper = 5;

    /// <summary>The JSON name of <paramref name="name"/> under <paramref name="policy"/>, or null for a policy this does not know.</summary>
    public static string? Apply(int policy, string name) => policy switch
    {
        Unspecified => name,
        CamelCase => Camel(name),
        SnakeCaseLower => Separated(name, '_', lower: true),
        SnakeCaseUpper => Separated(name, '_', lower: false),
        KebabCaseLower => Separated(name, '-', lower: true),
        KebabCaseUpper => Separated(name, '-', lower: false),
        _ => null,
    };

    // Lower-cases the leading run of capitals, keeping the last one of a run that starts a word: "URLValue" -> "urlValue".
    private static string Camel(string name)
    {
        if (name.Length == 0 || !char.IsUpper(name[0]))
        {
            return name;
        }

        char[] chars = name.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
        {
            if (i == 1 && !char.IsUpper(chars[i]))
            {
                break;
            }

            bool hasNext = i + 1 < chars.Length;
            if (i > 0 && hasNext && !char.IsUpper(chars[i + 1]))
            {
                if (chars[i + 1] == ' ')
                {
                    chars[i] = char.ToLowerInvariant(chars[i]);
                }

                break;
            }

            chars[i] = char.ToLowerInvariant(chars[i]);
        }

        return new string(chars);
    }

    private enum Word
    {
        None,
        Upper,
        LowerOrDigit,
        Space,
    }

    // Words split where a lower-case letter or digit meets a capital, before the last capital of a run
    // followed by a lower-case letter, and at spaces (dropped); other characters are kept and end a word.
    private static string Separated(string name, char separator, bool lower)
    {
        var builder = new StringBuilder(name.Length + 4);
        Word state = Word.None;
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            switch (char.GetUnicodeCategory(c))
            {
                case UnicodeCategory.UppercaseLetter:
                    if (state is Word.LowerOrDigit or Word.Space
                        || (state == Word.Upper && i + 1 < name.Length && char.IsLower(name[i + 1])))
                    {
                        builder.Append(separator);
                    }

                    builder.Append(lower ? char.ToLowerInvariant(c) : c);
                    state = Word.Upper;
                    break;
                case UnicodeCategory.LowercaseLetter:
                case UnicodeCategory.DecimalDigitNumber:
                    if (state == Word.Space)
                    {
                        builder.Append(separator);
                    }

                    builder.Append(lower ? c : char.ToUpperInvariant(c));
                    state = Word.LowerOrDigit;
                    break;
                case UnicodeCategory.SpaceSeparator:
                    if (state != Word.None)
                    {
                        state = Word.Space;
                    }

                    break;
                default:
                    builder.Append(c);
                    state = Word.None;
                    break;
            }
        }

        return builder.ToString();
    }
}
