using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Airlock.Abi;
using Airlock.Runtime;
using Airlock.Wasm;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Wasmtime;

namespace Airlock;

/// <summary>
/// Loads WebAssembly plugins and hands out their generated clients. One host owns one Wasmtime engine
/// (fuel metering and epoch interruption on), compiles each distinct module once, and checks every
/// module against its contract before the first call.
/// </summary>
/// <example>
/// <code>
/// await using var host = new PluginHost();
/// var options = new PluginLoadOptions().AddImports&lt;ISocialScaleHost&gt;(new MyHostServices());
/// await using ISocialScalePlugin plugin = await host.LoadAsync&lt;ISocialScalePlugin&gt;("plugins/chirp/plugin.json", options);
/// PublishResult published = await plugin.PublishAsync("Hello");
/// </code>
/// </example>
public sealed class PluginHost : IAsyncDisposable, IDisposable
{
    private readonly PluginHostOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly HostEngines _engines;
    private readonly Services.LogRateLimiter _logLimiter;
    private int _disposed;
    private long _moduleHashes;

    /// <summary>Creates a host.</summary>
    /// <param name="options">Limits and settings; <see langword="null"/> for the defaults.</param>
    /// <param name="loggerFactory">Where the host and its plugins log; <see langword="null"/> for none.</param>
    /// <param name="timeProvider">The clock of call deadlines; <see langword="null"/> for the system clock.</param>
    /// <remarks>
    /// The host reports metrics and traces under <see cref="Diagnostics.AirlockTelemetry.SourceName"/> through a
    /// process-wide meter; a host created by <see cref="AirlockServiceCollectionExtensions.AddAirlock"/> uses the
    /// container's <see cref="System.Diagnostics.Metrics.IMeterFactory"/> when it has one.
    /// </remarks>
    public PluginHost(PluginHostOptions? options = null, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
        : this(options, loggerFactory, timeProvider, Diagnostics.AirlockInstruments.Shared)
    {
    }

    internal PluginHost(PluginHostOptions? options, ILoggerFactory? loggerFactory, TimeProvider? timeProvider, Diagnostics.AirlockInstruments instruments)
    {
        _options = options ?? new PluginHostOptions();
        _options.Validate();
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<PluginHost>();
        _time = timeProvider ?? TimeProvider.System;
        Instruments = instruments;
        _engines = new HostEngines(_options, _loggerFactory, _time, instruments);
        _logLimiter = new Services.LogRateLimiter(_options.PluginLogRate, _time) { Instruments = instruments };
    }

    /// <summary>Where the host's plugins report metrics (its meter's instruments).</summary>
    internal Diagnostics.AirlockInstruments Instruments { get; }

    /// <summary>What the module cache has served since the host was created.</summary>
    public ModuleCacheStatistics ModuleCacheStatistics
    {
        get
        {
            var total = default(ModuleCacheStatistics);
            foreach (HostEngines.Slot slot in _engines.Created)
            {
                ModuleCacheStatistics part = slot.Modules.Statistics;
                total = new(total.MemoryHits + part.MemoryHits, total.DiskHits + part.DiskHits, total.Compilations + part.Compilations, total.RejectedFiles + part.RejectedFiles, total.EvictedFiles + part.EvictedFiles);
            }

            return total;
        }
    }

    /// <summary>What the module cache directory (<see cref="PluginHostOptions.ModuleCache"/>) holds now, against its budget.</summary>
    public ModuleCacheUsage ModuleCacheUsage => ModuleCache.UsageOf(_options.ModuleCache, _logger);

    /// <summary>
    /// How many compiled modules the host holds in memory: one per distinct module of the loaded
    /// plugins, plus at most <see cref="PluginHostOptions.MaxIdleModules"/> whose plugins unloaded.
    /// A module refused at load is not among them.
    /// </summary>
    public int CompiledModuleCount => _engines.Created.Sum(slot => slot.Modules.Count);

    internal PluginHostOptions Options => _options;

    /// <summary>How many times the host hashed a module's bytes (a module found unchanged in memory is not hashed again), for tests.</summary>
    internal long ModuleHashes => Interlocked.Read(ref _moduleHashes);

    /// <summary>How many times the host checked a module against a contract (once per module and load key), for tests.</summary>
    internal long ContractChecks => _engines.Created.Sum(slot => slot.Modules.ContractChecks);

    /// <summary>
    /// The host's own per-plugin log rate limit (<see cref="PluginHostOptions.PluginLogRate"/>): what a
    /// plugin's WASI stdout and stderr count against when its load gives no
    /// <see cref="PluginLoadOptions.LogLimiter"/>.
    /// </summary>
    public Services.LogRateLimiter LogLimiter => _logLimiter;

    /// <summary>
    /// Loads the plugin a SocialScale manifest (<c>plugin.json</c>) describes and binds it to contract
    /// <typeparamref name="TPlugin"/>.
    /// </summary>
    /// <typeparam name="TPlugin">The contract, a <see cref="WasmPluginAttribute"/> interface.</typeparam>
    /// <param name="manifestPath">The manifest's path.</param>
    /// <param name="options">Host functions and limits for the plugin.</param>
    /// <param name="cancellationToken">Cancels loading.</param>
    /// <returns>The plugin's client; dispose it to unload the plugin.</returns>
    /// <exception cref="PluginManifestException">The manifest is invalid.</exception>
    /// <exception cref="PluginLoadException">The module cannot be read or compiled, does not fit the contract, or failed to start.</exception>
    public Task<TPlugin> LoadAsync<TPlugin>(string manifestPath, PluginLoadOptions? options = null, CancellationToken cancellationToken = default)
        where TPlugin : class, IWasmPlugin<TPlugin>
        => LoadAsync<TPlugin>(PluginManifest.Load(manifestPath, _options.Manifests), options, cancellationToken);

    /// <summary>Loads the plugin a validated manifest describes and binds it to contract <typeparamref name="TPlugin"/>.</summary>
    /// <remarks>
    /// Nothing in the manifest is ignored. Its <c>permissions</c> are honoured only under an approval of
    /// exactly its id, version and permissions (<see cref="PluginLoadOptions.Approval"/>, which the
    /// profile loaders such as <see cref="SocialScale.SocialScalePluginLoader"/> obtain from
    /// <see cref="Security.PluginApprovals"/>); without one the load is refused. Its <c>limits</c> apply
    /// unless <see cref="PluginLoadOptions.Limits"/> is set, each capped at the host's
    /// <see cref="PluginHostOptions.DefaultLimits"/> (a plugin may ask for less than the host allows,
    /// never more). Its configuration is validated against its <c>config_schema</c>.
    /// </remarks>
    /// <typeparam name="TPlugin">The contract, a <see cref="WasmPluginAttribute"/> interface.</typeparam>
    /// <param name="manifest">The manifest.</param>
    /// <param name="options">Host functions and limits for the plugin.</param>
    /// <param name="cancellationToken">Cancels loading.</param>
    /// <returns>The plugin's client; dispose it to unload the plugin.</returns>
    /// <exception cref="PluginApprovalException">The manifest asks for permissions and no matching approval was given.</exception>
    /// <exception cref="PluginManifestException">The plugin's configuration does not match its schema, or its module cannot be read.</exception>
    /// <exception cref="PluginLoadException">The module cannot be read or compiled, does not fit the contract, or failed to start.</exception>
    public async Task<TPlugin> LoadAsync<TPlugin>(PluginManifest manifest, PluginLoadOptions? options = null, CancellationToken cancellationToken = default)
        where TPlugin : class, IWasmPlugin<TPlugin>
    {
        ArgumentNullException.ThrowIfNull(manifest);
        options ??= new PluginLoadOptions();
        RequireApproval(manifest, options.Approval);
        JsonElement? configuration = Manifest.PluginConfiguration.Resolve(manifest, options.Configuration);
        PluginLimits limits = options.Limits ?? ManifestLimits(manifest.Limits);
        byte[] bytes;
        try
        {
            bytes = await ReadModuleAsync(manifest.Id, manifest.ModuleFile(), cancellationToken).ConfigureAwait(false);
        }
        catch (PluginFileException exception)
        {
            throw manifest.Error(manifest.ModuleField, $"the module '{manifest.WasmPath}': {exception.Problem}", exception);
        }

        ModuleBytes module = Own(bytes);
        RequireApprovedModule(manifest, options.Approval, module.Sha256);
        var plan = new LoadPlan(manifest.Id, manifest.Version, manifest.ManifestPath, manifest.WasmPath, limits, options.HostResults ?? manifest.HostResults ?? HostResultEncoding.Plain, configuration)
        {
            Wasi = manifest.Wasi == false ? WasiPolicy.None : null,
        };
        return await LoadCoreAsync(plan, module, options, TPlugin.Contract, TPlugin.Create, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Loads a module file and binds it to contract <typeparamref name="TPlugin"/>, for plugin systems
    /// whose manifests the caller has already read (or that have none).
    /// </summary>
    /// <typeparam name="TPlugin">The contract, a <see cref="WasmPluginAttribute"/> interface.</typeparam>
    /// <param name="pluginId">The id the plugin is known by.</param>
    /// <param name="version">The plugin's version.</param>
    /// <param name="modulePath">The <c>.wasm</c> file.</param>
    /// <param name="manifestPath">The manifest it was described by, if any, for diagnostics.</param>
    /// <param name="options">Host functions and limits for the plugin.</param>
    /// <param name="cancellationToken">Cancels loading.</param>
    /// <returns>The plugin's client; dispose it to unload the plugin.</returns>
    /// <exception cref="PluginFileException">The file is not a regular file, is larger than <see cref="PluginHostOptions.MaxModuleBytes"/>, or cannot be read.</exception>
    /// <exception cref="PluginLoadException">The module cannot be compiled, does not fit the contract, or failed to start.</exception>
    public async Task<TPlugin> LoadFileAsync<TPlugin>(string pluginId, string version, string modulePath, string? manifestPath = null, PluginLoadOptions? options = null, CancellationToken cancellationToken = default)
        where TPlugin : class, IWasmPlugin<TPlugin>
    {
        ArgumentException.ThrowIfNullOrEmpty(pluginId);
        ArgumentNullException.ThrowIfNull(version);
        ArgumentException.ThrowIfNullOrEmpty(modulePath);
        byte[] bytes = await ReadModuleAsync(pluginId, modulePath, cancellationToken).ConfigureAwait(false);
        return await LoadCoreAsync(Plan(pluginId, version, manifestPath, modulePath, options), Own(bytes), options, TPlugin.Contract, TPlugin.Create, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Loads a module without a manifest (for tests and embedded plugins) and binds it to contract <typeparamref name="TPlugin"/>.</summary>
    /// <remarks>
    /// The host copies the bytes (so a caller writing its array during the load cannot change what is
    /// hashed, checked and compiled) and hashes the copy. Loading the same array again, in any host of
    /// the process, compares it with that copy byte for byte instead: when every byte is unchanged the
    /// copy, its hash and the checks already passed are reused (a second plugin over a module already
    /// in memory neither copies nor hashes); when anything changed the bytes are copied and hashed anew.
    /// </remarks>
    /// <typeparam name="TPlugin">The contract, a <see cref="WasmPluginAttribute"/> interface.</typeparam>
    /// <param name="pluginId">The id the plugin is known by.</param>
    /// <param name="module">The module's bytes (binary wasm).</param>
    /// <param name="options">Host functions and limits for the plugin.</param>
    /// <param name="cancellationToken">Cancels loading.</param>
    /// <returns>The plugin's client; dispose it to unload the plugin.</returns>
    /// <exception cref="PluginLoadException">The module cannot be compiled, does not fit the contract, or failed to start.</exception>
    public Task<TPlugin> LoadModuleAsync<TPlugin>(string pluginId, ReadOnlyMemory<byte> module, PluginLoadOptions? options = null, CancellationToken cancellationToken = default)
        where TPlugin : class, IWasmPlugin<TPlugin>
    {
        ArgumentException.ThrowIfNullOrEmpty(pluginId);
        CompileLimits.CheckSize(pluginId, null, module.Length, _options);
        return LoadCoreAsync(Plan(pluginId, "0.0.0", null, null, options), Remember(module), options, TPlugin.Contract, TPlugin.Create, cancellationToken);
    }

    /// <summary>
    /// Loads a module file whose exports are named at run time (by a plugin's manifest) and returns a client that
    /// calls them by name with JSON in and out. The module is checked against <paramref name="contract"/> at load as a
    /// generated contract's would be: a missing export, a wrong signature or an unprovided import refuses it.
    /// </summary>
    /// <param name="contract">The exports and the ABI details.</param>
    /// <param name="pluginId">The id the plugin is known by.</param>
    /// <param name="version">The plugin's version.</param>
    /// <param name="modulePath">The <c>.wasm</c> file.</param>
    /// <param name="manifestPath">The manifest it was described by, if any, for diagnostics.</param>
    /// <param name="options">Host functions, WASI and limits for the plugin.</param>
    /// <param name="cancellationToken">Cancels loading.</param>
    /// <returns>The plugin's client; dispose it to unload the plugin.</returns>
    /// <exception cref="PluginManifestException">The module is larger than <see cref="PluginHostOptions.MaxModuleBytes"/>, or cannot be read.</exception>
    /// <exception cref="PluginLoadException">The module cannot be compiled, does not fit the contract, or failed to start.</exception>
    public async Task<DynamicPlugin> LoadDynamicAsync(DynamicContract contract, string pluginId, string version, string modulePath, string? manifestPath = null, PluginLoadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(contract);
        ArgumentException.ThrowIfNullOrEmpty(pluginId);
        ArgumentNullException.ThrowIfNull(version);
        ArgumentException.ThrowIfNullOrEmpty(modulePath);
        WasmContract wasm = contract.ToWasmContract();
        byte[] bytes = await ReadModuleAsync(pluginId, modulePath, cancellationToken).ConfigureAwait(false);
        return await LoadCoreAsync(Plan(pluginId, version, manifestPath, modulePath, options), Own(bytes), options, wasm, activator => new DynamicPlugin(activator, contract), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <see cref="LoadDynamicAsync(DynamicContract, string, string, string, string?, PluginLoadOptions?, CancellationToken)"/>
    /// for a module held in memory (tests and embedded plugins).
    /// </summary>
    /// <param name="contract">The exports and the ABI details.</param>
    /// <param name="pluginId">The id the plugin is known by.</param>
    /// <param name="module">The module's bytes (binary wasm).</param>
    /// <param name="options">Host functions, WASI and limits for the plugin.</param>
    /// <param name="cancellationToken">Cancels loading.</param>
    /// <returns>The plugin's client; dispose it to unload the plugin.</returns>
    /// <exception cref="PluginLoadException">The module cannot be compiled, does not fit the contract, or failed to start.</exception>
    public Task<DynamicPlugin> LoadDynamicAsync(DynamicContract contract, string pluginId, ReadOnlyMemory<byte> module, PluginLoadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(contract);
        ArgumentException.ThrowIfNullOrEmpty(pluginId);
        WasmContract wasm = contract.ToWasmContract();
        CompileLimits.CheckSize(pluginId, null, module.Length, _options);
        return LoadCoreAsync(Plan(pluginId, "0.0.0", null, null, options), Remember(module), options, wasm, activator => new DynamicPlugin(activator, contract), cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Stops the epoch clock and releases the compiled modules. Dispose loaded plugins first: calls
    /// that run after the host is disposed are no longer interrupted at their deadline.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _engines.Dispose();
    }

    // A manifest's permissions run only under an approval of exactly what it asks for.
    private static void RequireApproval(PluginManifest manifest, Security.ApprovalRecord? approval)
    {
        Security.PluginPermissions requested = manifest.Permissions;
        if (requested.Describe().Count == 0)
        {
            return;
        }

        if (approval is null)
        {
            throw new PluginApprovalException(manifest.Id, manifest.Version, requested, $"Plugin '{manifest.Id}' {manifest.Version} asks in its manifest for {requested}, and PluginHost.LoadAsync does not approve permissions: load it with a loader that runs the approval gate (SocialScalePluginLoader, registered by AddAirlock, for SocialScale plugins), or obtain an approval from PluginApprovals.EnsureApprovedAsync and pass it as PluginLoadOptions.Approval.");
        }

        if (approval.PluginId != manifest.Id || approval.Version != manifest.Version || approval.Fingerprint != requested.Fingerprint)
        {
            throw new PluginApprovalException(manifest.Id, manifest.Version, requested, $"Plugin '{manifest.Id}' {manifest.Version} asks for {requested}, but the approval it was given is for plugin '{approval.PluginId}' {approval.Version} with {(approval.Fingerprint.Length == 0 ? "no permissions" : approval.Fingerprint)}; it does not run until exactly what it asks for is approved.");
        }
    }

    // An approval covers exactly one module: the bytes about to be compiled must be the ones approved,
    // whatever the file held when the approval was given.
    private static void RequireApprovedModule(PluginManifest manifest, Security.ApprovalRecord? approval, string sha256)
    {
        if (approval is null || string.Equals(approval.ModuleSha256, sha256, StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        string approved = approval.ModuleSha256.Length == 0 ? "no recorded module (an approval from before approvals were bound to modules)" : "the module with SHA-256 " + approval.ModuleSha256;
        throw new PluginApprovalException(manifest.Id, manifest.Version, manifest.Permissions, $"Plugin '{manifest.Id}' {manifest.Version} was approved for {approved}, but '{manifest.WasmPath}' holds a module with SHA-256 {sha256}: an approval covers exactly one module, and a different module is a new approval decision (PluginApprovals.EnsureApprovedAsync).")
        {
            ModuleSha256 = sha256,
        };
    }

    // The limits a manifest asks for, each capped at the host's defaults: without an administrator's
    // policy the host's own limits are the most a plugin may have.
    private PluginLimits ManifestLimits(Security.PluginLimitRequest? requested)
    {
        PluginLimits ceiling = _options.DefaultLimits;
        if (requested is null)
        {
            return ceiling;
        }

        return ceiling with
        {
            MemoryBytes = Math.Min(requested.MemoryBytes ?? ceiling.MemoryBytes, ceiling.MemoryBytes),
            FuelPerCall = Security.PluginLimitsMath.MinFuel(requested.FuelPerCall ?? ceiling.FuelPerCall, ceiling.FuelPerCall),
            Timeout = requested.Timeout is { } timeout && timeout < ceiling.Timeout ? timeout : ceiling.Timeout,
            MaxInstances = Math.Min(requested.MaxInstances ?? ceiling.MaxInstances, ceiling.MaxInstances),
        };
    }

    // A module file the host read itself: its array is the host's own, hashed once.
    private ModuleBytes Own(byte[] bytes)
    {
        Interlocked.Increment(ref _moduleHashes);
        return ModuleBytes.Own(bytes);
    }

    // A module the caller holds: the host's copy of the same unchanged bytes, or a new one.
    private ModuleBytes Remember(ReadOnlyMemory<byte> module)
    {
        ModuleBytes bytes = ModuleBytes.Of(module, out bool hashed);
        if (hashed)
        {
            Interlocked.Increment(ref _moduleHashes);
        }

        return bytes;
    }

    private LoadPlan Plan(string id, string version, string? manifestPath, string? modulePath, PluginLoadOptions? options)
        => new(id, version, manifestPath, modulePath, options?.Limits ?? _options.DefaultLimits, options?.HostResults ?? HostResultEncoding.Plain, options?.Configuration?.Clone());

    // The load's span (a child of the caller's activity) around the whole load; a failed load marks it failed.
    private async Task<TPlugin> LoadCoreAsync<TPlugin>(LoadPlan plan, ModuleBytes bytes, PluginLoadOptions? options, WasmContract contract, Func<WasmPluginActivator, TPlugin> create, CancellationToken cancellationToken)
        where TPlugin : class, IWasmPlugin
    {
        using Activity? span = Diagnostics.AirlockInstruments.Source.StartActivity(Diagnostics.AirlockTelemetry.Spans.Load, ActivityKind.Internal);
        if (span is { IsAllDataRequested: true })
        {
            span.SetTag(Diagnostics.AirlockTelemetry.Tags.Plugin, plan.Id);
            span.SetTag(Diagnostics.AirlockTelemetry.Tags.Version, plan.Version);
            span.SetTag("airlock.contract", contract.Name);
        }

        try
        {
            return await LoadUnderSpanAsync(plan, bytes, options, contract, create, span, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (span is not null)
        {
            string type = exception.GetType().FullName ?? exception.GetType().Name;
            span.SetStatus(ActivityStatusCode.Error, type);
            span.SetTag(Diagnostics.AirlockTelemetry.Tags.ErrorType, type);
            throw;
        }
    }

    private async Task<TPlugin> LoadUnderSpanAsync<TPlugin>(LoadPlan plan, ModuleBytes bytes, PluginLoadOptions? options, WasmContract contract, Func<WasmPluginActivator, TPlugin> create, Activity? span, CancellationToken cancellationToken)
        where TPlugin : class, IWasmPlugin
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        long started = Stopwatch.GetTimestamp();
        options ??= new PluginLoadOptions();
        (string id, string version, string? manifestPath, string? modulePath, PluginLimits limits, _, _) = plan;
        limits.Validate();
        if (_options.PoolingAllocator is { } pool && limits.MemoryBytes > pool.MaxMemoryBytes)
        {
            throw new PluginLoadException(id, $"Plugin '{id}' may use {limits.MemoryBytes} bytes of memory, more than the pooling allocator's {pool.MaxMemoryBytes} bytes per instance; lower its memory limit or raise PoolingAllocatorOptions.MaxMemoryBytes.");
        }

        string sha256 = bytes.Sha256;
        if (options.ExpectedModuleSha256 is { } expected && !string.Equals(expected, sha256, StringComparison.OrdinalIgnoreCase))
        {
            string source = modulePath is null ? "The module" : $"The module '{modulePath}'";
            throw new PluginLoadException(id, $"{source} of plugin '{id}' has SHA-256 {sha256}, not the {expected} recorded for it: the file changed since it was installed or approved, and is not loaded.");
        }

        // Refused before compiling: a module over the host's compile limits costs nothing.
        CompileLimits.Check(id, modulePath, bytes, _options);
        HostEngines.Slot engine = _engines.For(metered: limits.FuelPerCall is not null);

        // A module already compiled in memory, or in the disk cache, is taken on this thread; only
        // compiling goes to the thread pool.
        string origin = "memory";
        ModuleLease? found = engine.Modules.TryRentCompiled(id, sha256);
        if (found is null)
        {
            origin = "disk";
            found = engine.Modules.TryRentFromDisk(id, sha256);
        }

        if (found is null)
        {
            origin = "compile";
            found = await CompileAsync(engine, id, sha256, bytes.Array, modulePath, Instruments, cancellationToken).ConfigureAwait(false);
        }

        ModuleLease lease = found;
        RecordLoad(id, origin, started, span);
        Module module = lease.Module;
        ModuleFacts facts = lease.Facts;
        WasiPolicy wasi = WasiOf(contract, options, plan);
        GuestMemoryLayout layout;
        ModuleShape shape;
        try
        {
            shape = facts.Shape;
            layout = Check(id, bytes, facts, shape, contract, options, wasi);
        }
        catch
        {
            lease.Refuse();
            throw;
        }

        bool usesWasi = ModuleVerifier.ImportsWasi(shape);
        SharedLinker linker;
        try
        {
            linker = facts.RentLinker(engine.Engine, LinkerKey(contract, options, usesWasi ? wasi : null), target =>
            {
                if (usesWasi)
                {
                    wasi.Define(target);
                }

                foreach (HostImports imports in options.Imports)
                {
                    imports.Define(target);
                }

                if (contract.Abi == WasmAbi.WasmBindgen)
                {
                    WasmBindgenStubs.Define(target, shape);
                }
            });
        }
        catch
        {
            lease.Refuse();
            throw;
        }

        var info = new WasmPluginInfo(id, version, contract.Name, sha256, limits, manifestPath, modulePath, layout)
        {
            HostResults = plan.HostResults,
            Configuration = plan.Configuration,
            Abi = contract.Abi,
            AllocExport = contract.AllocExport,
            FreeExport = contract.FreeExport,
        };
        var loaded = new LoadedPlugin(info, engine.Engine, module, linker, usesWasi ? wasi : null, _time, _loggerFactory.CreateLogger("Airlock.Plugin." + id), options.LogLimiter ?? _logLimiter) { ModuleLease = lease, CallObserver = options.CallObserver, Instruments = Instruments };
        var activator = new PluginActivator(loaded);
        TPlugin plugin;
        try
        {
            plugin = create(activator);
        }
        catch
        {
            lease.Refused = true;
            loaded.Dispose();
            throw;
        }

        try
        {
            activator.Warm();
            if (plugin is IWasmPluginInitializer initializer)
            {
                await initializer.InitializeAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception exception)
        {
            // Disposing the plugin ends the lease, after its instances are gone.
            lease.Refused = true;
            await plugin.DisposeAsync().ConfigureAwait(false);
            if (exception is AirlockException or OperationCanceledException)
            {
                throw;
            }

            throw new PluginLoadException(id, $"Plugin '{id}' failed to start: {exception.Message}", exception);
        }

        HostLog.Loaded(_logger, id, version, contract.Name, sha256, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return plugin;
    }

    // The module against the contract, once per module and load key: a key this module already passed
    // (same contract, host modules, WASI policy and no-imports reason) gives the layout that check used.
    private static GuestMemoryLayout Check(string id, ModuleBytes bytes, ModuleFacts facts, ModuleShape shape, WasmContract contract, PluginLoadOptions options, WasiPolicy wasi)
    {
        object?[] parts = new object?[3 + options.Imports.Count];
        parts[0] = contract;
        parts[1] = wasi;
        parts[2] = options.NoImportsReason;
        for (int i = 0; i < options.Imports.Count; i++)
        {
            parts[3 + i] = options.Imports[i].Module;
        }

        var key = new LoadKey(parts);
        if (facts.TryGetVerified(key, out GuestMemoryLayout known))
        {
            return known;
        }

        GuestMemoryLayout layout = ReadLayout(id, bytes.Array, contract, options.Imports);
        if (contract.BindingsHash is not null)
        {
            // Wasmtime's module does not list custom sections: they are read from the bytes' section headers.
            shape = new ModuleShape(shape.Exports, shape.Imports) { CustomSections = CustomSections(id, bytes) };
        }

        IReadOnlyList<string> problems = ContractVerifier.Verify(shape, contract, options.Imports, wasi, layout, options.NoImportsReason);
        if (problems.Count > 0)
        {
            // A refused module leaves the cache at once: a stream of refused modules must not pile up.
            facts.Refused();
            throw new PluginContractException(id, contract.Name, problems);
        }

        facts.Verified(key, layout);
        return layout;
    }

    // Plugins of one module share a linker when it would hold the same definitions: the same WASI
    // policy (when the module imports WASI), the same implementations of the same host modules, and
    // wasm-bindgen's stubs (which depend on the module alone) or none.
    private static LoadKey LinkerKey(WasmContract contract, PluginLoadOptions options, WasiPolicy? wasi)
    {
        object?[] parts = new object?[2 + (2 * options.Imports.Count)];
        parts[0] = wasi;
        parts[1] = contract.Abi == WasmAbi.WasmBindgen ? "wasm-bindgen" : string.Empty;
        for (int i = 0; i < options.Imports.Count; i++)
        {
            parts[2 + (2 * i)] = options.Imports[i].Module;
            parts[3 + (2 * i)] = options.Imports[i].Implementation;
        }

        return new LoadKey(parts);
    }

    // A module file is untrusted input: only a regular file, read no further than the host's limit.
    private Task<byte[]> ReadModuleAsync(string id, string path, CancellationToken cancellationToken)
        => Files.UntrustedFile.ReadAllBytesAsync(path, _options.MaxModuleBytes, "a module", id, cancellationToken);

    // The fixed-offset ABI writes at fixed addresses, so it needs to know what the guest owns; other
    // ABIs write only into memory the guest allocated for them.
    private static IReadOnlyList<string> CustomSections(string id, ModuleBytes bytes)
    {
        try
        {
            return bytes.CustomSections;
        }
        catch (WasmFormatException exception)
        {
            throw new PluginLoadException(id, $"Plugin '{id}': the custom sections of its module cannot be read: {exception.Message}", exception);
        }
    }

    private static GuestMemoryLayout ReadLayout(string id, ReadOnlySpan<byte> bytes, WasmContract contract, IReadOnlyList<HostImports> imports)
    {
        var offsets = new List<ulong>();
        if (contract.Abi == WasmAbi.FixedOffset)
        {
            offsets.Add((uint)contract.InputOffset);
        }

        offsets.AddRange(imports.Where(i => i.Module.Abi == WasmAbi.FixedOffset).Select(i => (ulong)(uint)i.Module.ResultOffset));
        if (offsets.Count == 0)
        {
            return GuestMemoryLayout.Unknown;
        }

        try
        {
            return WasmMemoryLayoutReader.Read(bytes, offsets);
        }
        catch (FormatException exception)
        {
            throw new PluginLoadException(id, $"Plugin '{id}' uses the fixed-offset ABI, but its memory layout cannot be read from the module: {exception.Message}", exception);
        }
    }

    // The WASI a load links: none when the contract or a missing manifest rules it out, else the
    // load's choice, else the host's.
    private WasiPolicy WasiOf(WasmContract contract, PluginLoadOptions options, LoadPlan plan)
        => !contract.AllowsWasi || options.NoImportsReason is not null ? WasiPolicy.None : plan.Wasi ?? options.Wasi ?? _options.Wasi;

    // Wasmtime cannot stop a compilation, so a cancelled caller stops waiting for it instead: the
    // compilation finishes in the background into the module cache, where its lease is returned at
    // once (the module stays as an idle module the next load of the same bytes finds), and a failure
    // there is observed so it is not reported as unobserved.
    private static async Task<ModuleLease> CompileAsync(HostEngines.Slot engine, string id, string sha256, byte[] bytes, string? modulePath, Diagnostics.AirlockInstruments instruments, CancellationToken cancellationToken)
    {
        Task<ModuleLease> compile = Task.Run(() => engine.Modules.Rent(id, sha256, () => Compile(engine.Engine, id, bytes, modulePath, instruments)), cancellationToken);
        try
        {
            return await compile.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _ = compile.ContinueWith(
                static t =>
                {
                    if (t.IsCompletedSuccessfully)
                    {
                        t.Result.Dispose();
                    }
                    else
                    {
                        _ = t.Exception;
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            throw;
        }
    }

    private static Module Compile(Engine engine, string id, byte[] bytes, string? modulePath, Diagnostics.AirlockInstruments instruments)
    {
        long started = Stopwatch.GetTimestamp();
        try
        {
            Module module = Module.FromBytes(engine, id, bytes);
            if (instruments.CompileDuration.Enabled)
            {
                instruments.CompileDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>(Diagnostics.AirlockTelemetry.Tags.Plugin, id));
            }

            return module;
        }
        catch (WasmtimeException exception)
        {
            string source = modulePath is null ? "The module" : $"The module '{modulePath}'";
            throw new PluginLoadException(id, $"{source} of plugin '{id}' is not a valid WebAssembly module: {FirstLine(exception.Message)}", exception);
        }
    }

    // How long the module took to be ready (from memory, disk or a compilation), and where it came from.
    private void RecordLoad(string id, string source, long started, Activity? span)
    {
        if (span is { IsAllDataRequested: true })
        {
            span.SetTag(Diagnostics.AirlockTelemetry.Tags.Source, source);
        }

        if (Instruments.LoadDuration.Enabled)
        {
            Instruments.LoadDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>(Diagnostics.AirlockTelemetry.Tags.Plugin, id), new KeyValuePair<string, object?>(Diagnostics.AirlockTelemetry.Tags.Source, source));
        }
    }

    private static string FirstLine(string message)
    {
        int newline = message.IndexOf('\n', StringComparison.Ordinal);
        return (newline < 0 ? message : message[..newline]).Trim();
    }

    // What a load path settled before the module is compiled.
    private sealed record LoadPlan(string Id, string Version, string? ManifestPath, string? ModulePath, PluginLimits Limits, HostResultEncoding HostResults, JsonElement? Configuration)
    {
        /// <summary>The WASI the manifest narrows the load to, when it says it uses none.</summary>
        public WasiPolicy? Wasi { get; init; }
    }
}
