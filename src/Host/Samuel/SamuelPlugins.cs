using System.Security.Cryptography;
using System.Text.Json;
using Airlock.Contracts.Samuel;
using Airlock.Files;
using Airlock.Manifest;

namespace Airlock.Samuel;

/// <summary>
/// Installs and loads Samuel WASM-tier plugins: a folder with a <c>samuel-plugin.toml</c> and its module. A plugin loads
/// as a <see cref="SamuelPlugin"/> whose manifest-declared exports are called by name, or bound to a typed Samuel
/// contract such as <see cref="ISamuelLinter"/>. Either way it runs with exactly what its manifest grants: the named
/// environment variables, its filesystem mounts (read-only or writable, nothing else visible), <c>samuel.net_outbound</c>
/// to its listed hosts, its memory cap and hard timeout, and its soft deadline made known to it. See <c>docs/samuel.md</c>.
/// </summary>
public sealed class SamuelPlugins
{
    private readonly PluginHost _host;
    private readonly SamuelServices _services;
    private readonly SamuelPluginOptions _options;

    /// <summary>Creates a loader.</summary>
    /// <param name="host">The host the plugins run in (its module cache serves every load after the first).</param>
    /// <param name="services">The services the plugins' host functions use.</param>
    /// <param name="options">Versions, mount sources and limits; <see langword="null"/> for the defaults.</param>
    public SamuelPlugins(PluginHost host, SamuelServices services, SamuelPluginOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(services);
        _host = host;
        _services = services;
        _options = options ?? new SamuelPluginOptions();
    }

    /// <summary>Loads the plugin of a folder (or of the <c>samuel-plugin.toml</c> given) and calls its exports by name.</summary>
    /// <param name="path">The plugin's folder, or its manifest.</param>
    /// <param name="cancellationToken">Cancels loading.</param>
    /// <exception cref="PluginManifestException">The manifest is invalid, asks for versions this host does not provide, or names a mount that cannot be provided.</exception>
    /// <exception cref="PluginLoadException">The module cannot be read or compiled, does not fit its manifest's exports, changed since it was installed, or failed to start.</exception>
    public async Task<SamuelPlugin> LoadAsync(string path, CancellationToken cancellationToken = default)
    {
        SamuelManifest manifest = ReadManifest(path);
        var services = new SamuelHostServices(manifest, _services);
        var contract = new DynamicContract("samuel:" + manifest.Name, manifest.Exports)
        {
            AllocExport = "malloc",
            FreeExport = "free",
            HostModules = [Abi.WasmHostModule.Of<ISamuelHost>()],
            RequiresReactor = true,
        };
        DynamicPlugin plugin = await _host.LoadDynamicAsync(contract, manifest.Name, manifest.Version.ToString(), manifest.ModulePath, manifest.FilePath, LoadOptions(manifest, services), cancellationToken).ConfigureAwait(false);
        return new SamuelPlugin(manifest, plugin, services);
    }

    /// <summary>
    /// Loads the plugin of a folder (or of the <c>samuel-plugin.toml</c> given) bound to a typed Samuel contract, which
    /// every export of must be declared in the manifest.
    /// </summary>
    /// <typeparam name="TContract">The contract, a <see cref="WasmPluginAttribute"/> interface that imports <see cref="ISamuelHost"/>.</typeparam>
    /// <param name="path">The plugin's folder, or its manifest.</param>
    /// <param name="cancellationToken">Cancels loading.</param>
    /// <exception cref="PluginManifestException">The manifest is invalid or does not declare an export the contract calls.</exception>
    /// <exception cref="PluginLoadException">The module cannot be read or compiled, does not fit the contract, changed since it was installed, or failed to start.</exception>
    public Task<TContract> LoadAsync<TContract>(string path, CancellationToken cancellationToken = default)
        where TContract : class, IWasmPlugin<TContract>
    {
        SamuelManifest manifest = ReadManifest(path);
        foreach (Abi.WasmExportDescriptor export in TContract.Contract.Exports.Where(e => e.IsRequired))
        {
            if (!manifest.Exports.Contains(export.Name, StringComparer.Ordinal))
            {
                throw new PluginManifestException(manifest.FilePath, "wasm.exports", $"the contract {TContract.Contract.Name} calls export '{export.Name}', which the manifest does not declare (it declares {string.Join(", ", manifest.Exports)}).", pluginId: manifest.Name);
            }
        }

        var services = new SamuelHostServices(manifest, _services);
        return _host.LoadFileAsync<TContract>(manifest.Name, manifest.Version.ToString(), manifest.ModulePath, manifest.FilePath, LoadOptions(manifest, services), cancellationToken);
    }

    /// <summary>
    /// Installs the plugin of <paramref name="sourceFolder"/> into <paramref name="pluginsDirectory"/>: validates its
    /// manifest, reads its module once and records its SHA-256, writes both into a new folder and only then swaps it in
    /// for the installed version (which keeps serving until the swap), and records the installation in the directory's
    /// lock file. A later load of the installed plugin refuses a module whose bytes no longer match.
    /// </summary>
    /// <param name="sourceFolder">The folder with <c>samuel-plugin.toml</c> and the module it names.</param>
    /// <param name="pluginsDirectory">The plugins directory; created when missing. The plugin goes into a folder named after it.</param>
    /// <param name="cancellationToken">Cancels the installation; nothing is changed if it is cancelled before the swap.</param>
    /// <returns>What was installed.</returns>
    /// <exception cref="PluginManifestException">The manifest is invalid or its module cannot be read.</exception>
    public async Task<SamuelInstallation> InstallAsync(string sourceFolder, string pluginsDirectory, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sourceFolder);
        ArgumentException.ThrowIfNullOrEmpty(pluginsDirectory);
        SamuelManifest manifest = SamuelManifest.Load(Path.Combine(sourceFolder, SamuelManifest.FileName), _options.Versions);
        byte[] manifestBytes = await UntrustedFile.ReadAllBytesAsync(manifest.FilePath, 1024 * 1024, "a Samuel manifest", manifest.Name, cancellationToken).ConfigureAwait(false);
        byte[] module;
        try
        {
            module = await UntrustedFile.ReadAllBytesAsync(manifest.ModulePath, _host.Options.MaxModuleBytes, "a module", manifest.Name, cancellationToken).ConfigureAwait(false);
        }
        catch (PluginFileException exception)
        {
            throw new PluginManifestException(manifest.FilePath, "wasm.module", $"the module '{manifest.Module}': {exception.Problem}", pluginId: manifest.Name, innerException: exception);
        }

        string sha256 = Convert.ToHexStringLower(SHA256.HashData(module));
        string root = Path.GetFullPath(pluginsDirectory);
        Directory.CreateDirectory(root);
        string target = Path.Combine(root, manifest.Name);
        string staging = FolderSwap.CreateStaging(root, manifest.Name);
        try
        {
            string modulePath = Path.Combine(staging, manifest.Module);
            Directory.CreateDirectory(Path.GetDirectoryName(modulePath)!);
            await File.WriteAllBytesAsync(Path.Combine(staging, SamuelManifest.FileName), manifestBytes, cancellationToken).ConfigureAwait(false);
            await File.WriteAllBytesAsync(modulePath, module, cancellationToken).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            FolderSwap.Swap(staging, target);
        }
        catch
        {
            FolderSwap.TryDelete(staging);
            throw;
        }

        var installation = new SamuelInstallation(manifest.Name, manifest.Version.ToString(), sha256, Path.GetFullPath(sourceFolder), target, DateTimeOffset.UtcNow);
        Discovery.PluginLockFile.Record(Path.Combine(root, _options.LockFileName), new Discovery.InstalledPlugin(installation.Name, installation.Version, sha256, installation.Source, target, installation.InstalledAt) { Profile = "samuel", Module = manifest.Module });
        return installation;
    }

    private SamuelManifest ReadManifest(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string file = Directory.Exists(path) ? Path.Combine(path, SamuelManifest.FileName) : path;
        return SamuelManifest.Load(file, _options.Versions);
    }

    private PluginLoadOptions LoadOptions(SamuelManifest manifest, SamuelHostServices services)
    {
        var options = new PluginLoadOptions
        {
            Limits = manifest.ToLimits(_options.Limits ?? _host.Options.DefaultLimits),
            HostResults = HostResultEncoding.StatusCodes,
            Wasi = WasiPolicy.WithCapabilities(Capabilities(manifest)),
            LogLimiter = _services.LogLimiter,
            CallObserver = _options.CallObserver,
            ExpectedModuleSha256 = Discovery.PluginLockFile.Find(Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(manifest.FilePath)!) ?? ".", _options.LockFileName), manifest.Name, manifest.FilePath)?.Sha256,
        };
        return options.AddImports<ISamuelHost>(services);
    }

    // The manifest's env names (with the host's values) and mounts, each from its source directory on the host.
    private WasiCapabilities Capabilities(SamuelManifest manifest)
    {
        WasiCapabilities capabilities = WasiCapabilities.None.WithHostEnvironmentVariables(manifest.Capabilities.Environment);
        capabilities = Mount(manifest, capabilities, manifest.Capabilities.ReadMounts, "capabilities.filesystem.read", WasiMountAccess.ReadOnly);
        return Mount(manifest, capabilities, manifest.Capabilities.WriteMounts, "capabilities.filesystem.write", WasiMountAccess.Writable);
    }

    private WasiCapabilities Mount(SamuelManifest manifest, WasiCapabilities capabilities, IReadOnlyList<string> mounts, string field, WasiMountAccess access)
    {
        for (int i = 0; i < mounts.Count; i++)
        {
            string guest = mounts[i];
            string source = _options.MountSources.TryGetValue(guest, out string? mapped) ? Path.GetFullPath(mapped) : guest;
            if (!Directory.Exists(source))
            {
                throw new PluginManifestException(manifest.FilePath, $"{field}[{i}]", $"the mount '{guest}' comes from the host directory '{source}', which does not exist; create it, or map '{guest}' to another directory with SamuelPluginOptions.MountSources.", pluginId: manifest.Name);
            }

            capabilities = capabilities.WithMount(guest, source, access);
        }

        return capabilities;
    }
}

/// <summary>A Samuel plugin <see cref="SamuelPlugins.InstallAsync"/> installed.</summary>
/// <param name="Name">The plugin's name (its folder in the plugins directory).</param>
/// <param name="Version">Its version.</param>
/// <param name="Sha256">The SHA-256 of its module, which later loads are checked against.</param>
/// <param name="Source">The folder it was installed from.</param>
/// <param name="Directory">The folder it was installed into.</param>
/// <param name="InstalledAt">When.</param>
public sealed record SamuelInstallation(string Name, string Version, string Sha256, string Source, string Directory, DateTimeOffset InstalledAt);
