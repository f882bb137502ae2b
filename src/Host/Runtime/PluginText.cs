namespace Airlock.Runtime;

/// <summary>Text from a plugin made safe for logs and audit records.</summary>
internal static class PluginText
{
    /// <summary>Cuts <paramref name="text"/> to <paramref name="maxChars"/> and replaces control characters (line breaks included) with spaces, so a plugin cannot forge log lines.</summary>
    public static string Sanitize(string text, int maxChars)
    {
        string cut = text.Length > maxChars ? text[..maxChars] + "…" : text;
        return string.Create(cut.Length, cut, static (span, source) =>
        {
            for (int i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? ' ' : source[i];
            }
        });
    }
}
