using System;
using System.Text;

namespace Airlock.Generators.CodeFixes;

/// <summary>The wasm names the code fixes propose for a contract method.</summary>
internal static class ExportNames
{
    private const string AsyncSuffix = "Async";

    /// <summary>
    /// The snake_case form of a method name without its <c>Async</c> suffix: <c>GetUserAsync</c> is
    /// <c>get_user</c>, <c>ParseHTTPRequest</c> is <c>parse_http_request</c>, <c>Sha256Hash</c> is <c>sha256_hash</c>.
    /// </summary>
    public static string SnakeCase(string methodName)
    {
        string name = methodName.Length > AsyncSuffix.Length && methodName.EndsWith(AsyncSuffix, StringComparison.Ordinal)
            ? methodName.Substring(0, methodName.Length - AsyncSuffix.Length)
            : methodName;
        var builder = new StringBuilder(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (!char.IsLetterOrDigit(c))
            {
                AppendSeparator(builder);
                continue;
            }

            // A word starts at an upper-case letter after a lower-case letter or digit, and at the last
            // capital of an acronym that a lower-case letter follows (HTTPRequest: http_request).
            if (char.IsUpper(c) && i > 0)
            {
                char previous = name[i - 1];
                bool nextIsLower = i + 1 < name.Length && char.IsLower(name[i + 1]);
                if (char.IsLower(previous) || char.IsDigit(previous) || (char.IsUpper(previous) && nextIsLower))
                {
                    AppendSeparator(builder);
                }
            }

            builder.Append(char.ToLowerInvariant(c));
        }

        string snake = builder.ToString().Trim('_');
        return snake.Length == 0 ? methodName : snake;
    }

    /// <summary>
    /// <paramref name="name"/> when it is free, otherwise <paramref name="prefix"/> + <paramref name="name"/>
    /// (when a prefix is given), otherwise that with the first free number appended (<c>_2</c>, <c>_3</c>, …).
    /// </summary>
    public static string FirstFree(string name, string? prefix, Func<string, bool> isFree)
    {
        if (isFree(name))
        {
            return name;
        }

        string stem = name;
        if (prefix is not null && !name.StartsWith(prefix, StringComparison.Ordinal))
        {
            stem = prefix + name;
            if (isFree(stem))
            {
                return stem;
            }
        }

        for (int number = 2; ; number++)
        {
            string candidate = stem + "_" + number.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (isFree(candidate))
            {
                return candidate;
            }
        }
    }

    private static void AppendSeparator(StringBuilder builder)
    {
        if (builder.Length > 0 && builder[builder.Length - 1] != '_')
        {
            builder.Append('_');
        }
    }
}
