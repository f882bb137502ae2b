using System.Text.Json;

namespace Airlock.Security;

/// <summary>One entry of an approvals file.</summary>
/// <param name="Plugin">The plugin's id.</param>
/// <param name="Version">Its version, or <c>*</c> for any.</param>
/// <param name="Sha256">The one module it approves (lower-case hex SHA-256), or null for any module.</param>
/// <param name="Permissions">The most it approves.</param>
internal sealed record ApprovalFileEntry(string Plugin, string Version, string? Sha256, PluginPermissions Permissions);

/// <summary>Reads an approvals file, reusing the manifest reader's permission rules and error positions.</summary>
internal static class ApprovalFileReader
{
    public static IReadOnlyList<ApprovalFileEntry> Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = Files.UntrustedFile.ReadAllBytes(path, Files.UntrustedFile.MaxManifestBytes, "an approvals file");
        }
        catch (PluginFileException exception)
        {
            throw new PluginManifestException(path, null, exception.Problem, innerException: exception);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException exception)
        {
            throw new PluginManifestException(path, null, "the file is not valid JSON: " + exception.Message, (exception.LineNumber ?? 0) + 1, (exception.BytePositionInLine ?? 0) + 1, innerException: exception);
        }

        using (document)
        {
            if (!document.RootElement.TryGetProperty("approvals", out JsonElement approvals) || approvals.ValueKind != JsonValueKind.Array)
            {
                throw new PluginManifestException(path, "approvals", "expected {\"approvals\": [...]}.");
            }

            var entries = new List<ApprovalFileEntry>();
            int index = 0;
            foreach (JsonElement entry in approvals.EnumerateArray())
            {
                string at = $"approvals[{index++}]";
                string plugin = entry.TryGetProperty("plugin", out JsonElement p) && p.ValueKind == JsonValueKind.String ? p.GetString()! : throw new PluginManifestException(path, at + ".plugin", "expected the plugin's id.");
                string version = entry.TryGetProperty("version", out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : throw new PluginManifestException(path, at + ".version", "expected a version or \"*\".");
                PluginPermissions permissions = entry.TryGetProperty("permissions", out JsonElement granted)
                    ? PermissionsReader.Read(granted, at + ".permissions", (field, problem) => new PluginManifestException(path, field, problem))
                    : PluginPermissions.None;
                string? sha256 = null;
                if (entry.TryGetProperty("sha256", out JsonElement pinned))
                {
                    sha256 = pinned.ValueKind == JsonValueKind.String && pinned.GetString() is { Length: 64 } hex && hex.All(char.IsAsciiHexDigit)
                        ? hex.ToLowerInvariant()
                        : throw new PluginManifestException(path, at + ".sha256", "expected the module's SHA-256 as 64 hexadecimal digits.");
                }

                entries.Add(new ApprovalFileEntry(plugin, version, sha256, permissions));
            }

            return entries;
        }
    }
}
