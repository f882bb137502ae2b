using Airlock.Contracts.SocialScale;
using Airlock.Security;

namespace Airlock.SocialScale;

/// <summary>
/// Loads SocialScale plugins the secure way: the manifest's permissions and its module (by SHA-256)
/// must be approved before the module is even compiled, limits come from the administrator's policy, and the plugin gets host
/// functions that allow exactly what was approved. A plugin whose <c>plugin_capabilities</c> asks for
/// network domains it was not approved for is unloaded.
/// </summary>
/// <param name="host">The host that runs plugins.</param>
/// <param name="approvals">The approval gate.</param>
/// <param name="limits">The administrator's limit policy.</param>
/// <param name="services">The services host functions use.</param>
public sealed class SocialScalePluginLoader(PluginHost host, PluginApprovals approvals, PluginLimitPolicy limits, SocialScaleServices services)
{
    /// <summary>Loads the plugin <paramref name="manifestPath"/> describes.</summary>
    /// <param name="manifestPath">Its <c>plugin.json</c>.</param>
    /// <param name="cancellationToken">Cancels loading, including a pending approval.</param>
    /// <exception cref="PluginManifestException">The manifest is invalid.</exception>
    /// <exception cref="PluginApprovalException">The plugin is not approved for what it asks.</exception>
    /// <exception cref="PluginLoadException">The module cannot be loaded or asks for more than it was approved for.</exception>
    public Task<ISocialScalePlugin> LoadAsync(string manifestPath, CancellationToken cancellationToken = default)
        => LoadAsync(SocialScaleManifest.Load(manifestPath, host.Options.Manifests), cancellationToken);

    /// <summary>Loads the plugin <paramref name="manifest"/> describes.</summary>
    /// <param name="manifest">Its manifest.</param>
    /// <param name="cancellationToken">Cancels loading, including a pending approval.</param>
    public async Task<ISocialScalePlugin> LoadAsync(PluginManifest manifest, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        SocialScaleManifest.Validate(manifest);
        // The approval names the module's SHA-256; the host loads only those bytes.
        string sha256 = await PluginApprovals.ComputeModuleSha256Async(manifest, host.Options.MaxModuleBytes, cancellationToken).ConfigureAwait(false);
        ApprovalRecord approval = await approvals.EnsureApprovedAsync(manifest, sha256, cancellationToken).ConfigureAwait(false);
        EffectiveLimits effective = limits.Resolve(manifest.Id, manifest.Limits);
        services.RateLimiter.SetLimit(manifest.Id, effective.HttpRequestsPerHour, TimeSpan.FromHours(1));
        var hostFunctions = new SocialScaleHostServices(manifest.Id, manifest.Version, manifest.Permissions, services) { Approval = approval };
        // WASI stdout and stderr count against the same per-plugin log budget as host_log.
        var options = new PluginLoadOptions { Limits = effective.Limits, Approval = approval, LogLimiter = services.LogLimiter }.AddImports<ISocialScaleHost>(hostFunctions);
        ISocialScalePlugin plugin = await host.LoadAsync<ISocialScalePlugin>(manifest, options, cancellationToken).ConfigureAwait(false);
        try
        {
            PluginCapabilities capabilities = await plugin.GetCapabilitiesAsync(cancellationToken).ConfigureAwait(false);
            var approved = new HashSet<string>(manifest.Permissions.NetworkDomains, StringComparer.OrdinalIgnoreCase);
            string[] extra = [.. capabilities.RequiredNetworkDomains.Where(d => !approved.Contains(d))];
            if (extra.Length > 0)
            {
                throw new PluginLoadException(manifest.Id, $"Plugin '{manifest.Id}' asks in plugin_capabilities for network domains it was not approved for ({string.Join(", ", extra)}); declare them in its manifest's permissions and approve it again.");
            }
        }
        catch
        {
            await plugin.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return plugin;
    }
}
