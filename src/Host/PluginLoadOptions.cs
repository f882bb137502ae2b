using Airlock.Abi;

namespace Airlock;

/// <summary>How one plugin is loaded: the host functions it may import and its limits.</summary>
public sealed class PluginLoadOptions
{
    private readonly List<HostImports> _imports = [];

    /// <summary>The plugin's limits; <see langword="null"/> uses the host's <see cref="PluginHostOptions.DefaultLimits"/>.</summary>
    public PluginLimits? Limits { get; set; }

    internal IReadOnlyList<HostImports> Imports => _imports;

    /// <summary>
    /// How the plugin's host functions tell it "no value" or "refused": <see cref="HostResultEncoding.Plain"/>
    /// (the default, what the plugin systems' own documents describe) or negative status codes for a
    /// plugin that asks for them. <see langword="null"/> takes the manifest's <c>host_status_codes</c>,
    /// or <see cref="HostResultEncoding.Plain"/> without a manifest.
    /// </summary>
    public HostResultEncoding? HostResults { get; set; }

    /// <summary>
    /// The approval the plugin's manifest permissions were granted under, from
    /// <see cref="Security.PluginApprovals.EnsureApprovedAsync(PluginManifest, CancellationToken)"/>. A
    /// manifest that asks for permissions is loaded only with an approval of exactly its id, version and
    /// permissions: the host never runs a plugin whose permission block nobody approved. An approval
    /// covers exactly one module: the host hashes the bytes it loads and refuses them
    /// (<see cref="PluginApprovalException"/>) unless they are the module the approval names.
    /// </summary>
    public Security.ApprovalRecord? Approval { get; set; }

    /// <summary>
    /// The plugin's configuration (a JSON object), which wins over the manifest's <c>config</c>. It is
    /// validated against the manifest's <c>config_schema</c> before the plugin runs and is available to
    /// host functions as <see cref="WasmPluginInfo.Configuration"/>.
    /// </summary>
    public System.Text.Json.JsonElement? Configuration { get; set; }

    /// <summary>
    /// Why the plugin gets no imports, when that is a policy rather than an omission (for example "it
    /// has no manifest"). A module that imports a host function or WASI is then refused with this reason
    /// and the import's name.
    /// </summary>
    public string? NoImportsReason { get; set; }

    /// <summary>
    /// The WASI the plugin gets: <see cref="WasiPolicy.Minimal"/> (Airlock's own minimal WASI),
    /// <see cref="WasiPolicy.None"/>, or <see cref="WasiPolicy.WithCapabilities"/> (granted environment
    /// variables and mounted directories); <see langword="null"/> takes the host's <see cref="PluginHostOptions.Wasi"/>.
    /// A contract that does not allow WASI, and a load with a <see cref="NoImportsReason"/>, get none
    /// whatever this says.
    /// </summary>
    public WasiPolicy? Wasi { get; set; }

    /// <summary>
    /// The per-plugin log rate limit the plugin's WASI stdout and stderr count against. Pass the limiter
    /// its <c>host_log</c> uses (as <see cref="SocialScale.SocialScalePluginLoader"/> does) so that both
    /// share one budget; <see langword="null"/> uses the host's <see cref="PluginHost.LogLimiter"/>.
    /// </summary>
    public Services.LogRateLimiter? LogLimiter { get; set; }

    /// <summary>
    /// The SHA-256 (hexadecimal) the module's bytes must have, as recorded when it was installed or approved; a module
    /// with other bytes is refused with <see cref="PluginLoadException"/> before it is compiled. <see langword="null"/>
    /// for no check.
    /// </summary>
    public string? ExpectedModuleSha256 { get; set; }

    /// <summary>
    /// Told, as each call of the plugin ends, what it cost: the fuel it consumed (when fuel is metered) and the size
    /// of its memory. For tools that report a single call's cost (the <c>airlock run</c> command); not for hot paths.
    /// </summary>
    internal Action<Runtime.PluginCallCost>? CallObserver { get; set; }

    /// <summary>
    /// Provides the host functions of a <see cref="WasmHostAttribute"/> interface, implemented by
    /// <paramref name="implementation"/>. Name the interface as the type argument:
    /// <c>options.AddImports&lt;ISocialScaleHost&gt;(new MyHost())</c>.
    /// </summary>
    /// <typeparam name="THost">The host interface.</typeparam>
    /// <param name="implementation">The application's implementation.</param>
    /// <returns>These options, for chaining.</returns>
    /// <exception cref="ArgumentException">The module's functions are already provided, or the module is WASI's.</exception>
    public PluginLoadOptions AddImports<THost>(THost implementation)
        where THost : class, IWasmHost<THost>
    {
        ArgumentNullException.ThrowIfNull(implementation);
        WasmHostModule module = THost.Module;
        if (module.Name == Wasm.AirlockWasiSurface.Module)
        {
            throw new ArgumentException($"Module '{module.Name}' is WASI, which the host provides itself: choose it with PluginLoadOptions.Wasi.", nameof(implementation));
        }

        if (_imports.Any(i => i.Module.Name == module.Name))
        {
            throw new ArgumentException($"Host functions of module '{module.Name}' are already provided.", nameof(implementation));
        }

        _imports.Add(new HostImports(module, implementation, linker => THost.DefineImports(linker, implementation)));
        return this;
    }
}

/// <summary>An import module, the object implementing it, and how to define it on a linker.</summary>
/// <param name="Module">The import module.</param>
/// <param name="Implementation">What <paramref name="Define"/> defines the functions over (the only state the definitions capture).</param>
/// <param name="Define">Defines the module's functions on a linker.</param>
internal sealed record HostImports(WasmHostModule Module, object Implementation, Action<Wasmtime.Linker> Define);
