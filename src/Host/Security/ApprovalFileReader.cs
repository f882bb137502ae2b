using System.Text.Json;

namespace Airlock.Security;

/// <summary>Reads an approvals file, reusing the manifest reader's permission rules and error positions.</summary>
internal static class ApprovalFileReader
{
    public static IReadOnlyList<(string Plugin, string Version, PluginPermissions Permissions)> Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new PluginManifestException(path, null, $"the file cannot be read: {exception.Message}", innerException: exception);
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

            var entries = new List<(string, string, PluginPermissions)>();
            int index = 0;
            foreach (JsonElement entry in approvals.EnumerateArray())
            {
                string at = $"approvals[{index++}]";
                string plugin = entry.TryGetProperty("plugin", out JsonElement p) && p.ValueKind == JsonValueKind.String ? p.GetString()! : throw new PluginManifestException(path, at + ".plugin", "expected the plugin's id.");
                string version = entry.TryGetProperty("version", out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : throw new PluginManifestException(path, at + ".version", "expected a version or \"*\".");
                PluginPermissions permissions = entry.TryGetProperty("permissions", out JsonElement granted)
                    ? PermissionsReader.Read(granted, at + ".permissions", (field, problem) => new PluginManifestException(path, field, problem))
                    : PluginPermissions.None;
                entries.Add((plugin, version, permissions));
            }

            return entries;
        }
    }
}
