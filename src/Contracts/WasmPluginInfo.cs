namespace Airlock;

/// <summary>What the host knows about a loaded plugin.</summary>
public sealed class WasmPluginInfo
{
    /// <summary>Creates the description of a loaded plugin.</summary>
    /// <param name="id">The plugin's identifier, unique within a host.</param>
    /// <param name="version">The plugin's version as declared by its manifest.</param>
    /// <param name="contract">The name of the contract interface it is bound to.</param>
    /// <param name="moduleSha256">The lowercase hex SHA-256 of the module's bytes.</param>
    /// <param name="limits">The limits every call runs under.</param>
    /// <param name="manifestPath">The manifest it was loaded from, when there was one.</param>
    /// <param name="modulePath">The module file, when it was loaded from a file.</param>
    /// <param name="memoryLayout">What the host knows of the guest's own use of its memory.</param>
    public WasmPluginInfo(string id, string version, string contract, string moduleSha256, PluginLimits limits, string? manifestPath = null, string? modulePath = null, global::Airlock.Abi.GuestMemoryLayout? memoryLayout = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentNullException.ThrowIfNull(version);
        ArgumentException.ThrowIfNullOrEmpty(contract);
        ArgumentException.ThrowIfNullOrEmpty(moduleSha256);
        ArgumentNullException.ThrowIfNull(limits);
        Id = id;
        Version = version;
        Contract = contract;
        ModuleSha256 = moduleSha256;
        Limits = limits;
        ManifestPath = manifestPath;
        ModulePath = modulePath;
        MemoryLayout = memoryLayout ?? global::Airlock.Abi.GuestMemoryLayout.Unknown;
    }

    /// <summary>The plugin's identifier, unique within a host.</summary>
    public string Id { get; }

    /// <summary>The plugin's version as declared by its manifest.</summary>
    public string Version { get; }

    /// <summary>The name of the contract interface the plugin is bound to.</summary>
    public string Contract { get; }

    /// <summary>The lowercase hex SHA-256 of the module's bytes.</summary>
    public string ModuleSha256 { get; }

    /// <summary>The limits every call runs under.</summary>
    public PluginLimits Limits { get; }

    /// <summary>The manifest the plugin was loaded from, when there was one.</summary>
    public string? ManifestPath { get; }

    /// <summary>The module file, when the module was loaded from a file.</summary>
    public string? ModulePath { get; }

    /// <summary>How host functions tell the guest that there is no value, or that they refused the call.</summary>
    public HostResultEncoding HostResults { get; init; }

    /// <summary>The ABI of the plugin's contract, which decides how the host allocates in guest memory.</summary>
    public WasmAbi Abi { get; init; } = WasmAbi.PackedPtrLen;

    /// <summary>
    /// The allocator export the host calls to place buffers in guest memory: the contract's
    /// <see cref="WasmPluginAttribute.AllocExport"/> for <see cref="WasmAbi.PackedPtrLen"/>, wasm-bindgen's
    /// <c>__wbindgen_malloc</c> for <see cref="WasmAbi.WasmBindgen"/>.
    /// </summary>
    public string AllocExport
    {
        get => Abi == WasmAbi.WasmBindgen ? "__wbindgen_malloc" : _allocExport;
        init => _allocExport = value;
    }

    /// <summary>The deallocator export matching <see cref="AllocExport"/>.</summary>
    public string FreeExport
    {
        get => Abi == WasmAbi.WasmBindgen ? "__wbindgen_free" : _freeExport;
        init => _freeExport = value;
    }

    /// <summary>
    /// The plugin's configuration, validated against its manifest's <c>config_schema</c>, or
    /// <see langword="null"/> when it has none. Host functions hand it to the plugin (the SocialScale
    /// profile's <c>host_config_get</c>).
    /// </summary>
    public System.Text.Json.JsonElement? Configuration { get; init; }

    /// <summary>
    /// The guest's data, stack and heap as the host read them from the module, which the fixed-offset
    /// ABI never writes into.
    /// </summary>
    public global::Airlock.Abi.GuestMemoryLayout MemoryLayout { get; }

    private readonly string _allocExport = "alloc";
    private readonly string _freeExport = "dealloc";

    /// <inheritdoc/>
    public override string ToString() => $"{Id} {Version}";
}
