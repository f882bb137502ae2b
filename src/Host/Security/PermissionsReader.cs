using System.Text.Json;
using Airlock.Manifest;

namespace Airlock.Security;

/// <summary>
/// Reads the <c>permissions</c> object of a manifest or an approvals file:
/// <c>{"network_access": {"domains": [...]}, "storage_access": true, "event_emit": true, "credential_access": {"platform": "chirp"}}</c>.
/// </summary>
internal static class PermissionsReader
{
    // "permissions": {"network_access": {"domains": [...]}, "storage_access": true, "event_emit": true,
    //                 "credential_access": {"platform": "chirp"}}
    /// <summary>Reads a permissions object; <paramref name="error"/> makes the exception for a field and problem.</summary>
    public static PluginPermissions Read(JsonElement value, string field, Func<string, string, Exception> error)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw error(field, $"expected an object such as {{\"storage_access\": true}}, found {PluginManifestReader.Describe(value)}.");
        }

        var permissions = PluginPermissions.None;
        foreach (JsonProperty permission in value.EnumerateObject())
        {
            string at = field + "." + permission.Name;
            permissions = permission.Name switch
            {
                "network_access" => permissions with { NetworkDomains = ReadDomains(permission.Value, at, error) },
                "storage_access" => permissions with { StorageAccess = RequiredTrue(permission.Value, at, error) },
                "event_emit" => permissions with { EventEmit = RequiredTrue(permission.Value, at, error) },
                "credential_access" => permissions with { CredentialPlatform = ReadPlatform(permission.Value, at, error) },
                _ => throw error(at, "unknown permission; expected network_access, storage_access, event_emit or credential_access."),
            };
        }

        return permissions;
    }

    private static string[] ReadDomains(JsonElement value, string at, Func<string, string, Exception> error)
    {
        if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty("domains", out JsonElement domains) || domains.ValueKind != JsonValueKind.Array || domains.GetArrayLength() == 0)
        {
            throw error(at, "expected {\"domains\": [\"api.example.com\", \"*.cdn.example.com\"]} with at least one domain.");
        }

        var list = new List<string>();
        int index = 0;
        foreach (JsonElement domain in domains.EnumerateArray())
        {
            string item = $"{at}.domains[{index++}]";
            if (domain.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(domain.GetString()))
            {
                throw error(item, $"expected a domain name, found {PluginManifestReader.Describe(domain)}.");
            }

            if (Services.DomainAllowlist.TryNormalizeDomain(domain.GetString(), out string? normalised, out string? problem))
            {
                list.Add(normalised);
            }
            else
            {
                throw error(item, problem);
            }
        }

        return [.. list];
    }

    private static bool RequiredTrue(JsonElement value, string at, Func<string, string, Exception> error)
        => value.ValueKind == JsonValueKind.True
            ? true
            : throw error(at, $"expected true (leave the permission out to not ask for it), found {(value.ValueKind == JsonValueKind.False ? "false" : PluginManifestReader.Describe(value))}.");

    private static string ReadPlatform(JsonElement value, string at, Func<string, string, Exception> error)
        => value.ValueKind == JsonValueKind.Object && value.TryGetProperty("platform", out JsonElement platform) && platform.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(platform.GetString())
            ? platform.GetString()!
            : throw error(at, "expected {\"platform\": \"name\"}: the platform whose OAuth tokens the plugin reads.");
}
