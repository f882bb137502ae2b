using Airlock.Wasm;

namespace Airlock;

/// <summary>
/// What WASI (<c>wasi_snapshot_preview1</c>) a plugin gets. A module that imports a WASI function its
/// policy does not provide is refused at load with a <see cref="PluginContractException"/> naming the
/// function and saying what the policy supports.
/// </summary>
/// <remarks>
/// <para>
/// The policy of a load is <see cref="PluginLoadOptions.Wasi"/>, else the host's
/// <see cref="PluginHostOptions.Wasi"/>. A contract with <c>[WasmPlugin(AllowWasi = false)]</c> and a
/// load with <see cref="PluginLoadOptions.NoImportsReason"/> (a Lesstruct plugin without a manifest) get
/// no WASI whatever the policy says.
/// </para>
/// <para>
/// Policies are levels of one ladder: <see cref="None"/>, then <see cref="Minimal"/>, then
/// <see cref="WithCapabilities"/> (granted environment variables and host directories, through
/// Wasmtime's own WASI). The host asks each policy which functions it provides, how to link them and
/// how to set up each instance's store.
/// </para>
/// </remarks>
public abstract class WasiPolicy
{
    private protected WasiPolicy()
    {
    }

    /// <summary>No WASI at all: a module that imports anything from <c>wasi_snapshot_preview1</c> is refused at load.</summary>
    public static WasiPolicy None { get; } = new NoWasi();

    /// <summary>
    /// Airlock's own minimal WASI, implemented by the host rather than by Wasmtime's WASI, and the
    /// default: <c>fd_write</c> to stdout and stderr only, into the host's log through the plugin's log
    /// rate limit and the sanitiser, one log line per line of output; the realtime and monotonic clocks;
    /// random bytes from the operating system's cryptographic generator; empty arguments and
    /// environment; <c>proc_exit</c>, which ends the call with <see cref="PluginExitException"/>;
    /// <c>sched_yield</c>; <c>poll_oneoff</c> on clocks, which never sleeps past the call's deadline and
    /// wakes at once when the call is cancelled; and the stdio answers wasi-libc and Rust's standard
    /// library expect at start (no preopened directories, stdin at end of file). No files, sockets,
    /// other processes or environment reach the plugin. See <c>docs/security.md</c>.
    /// </summary>
    public static WasiPolicy Minimal { get; } = new Runtime.AirlockWasi();

    /// <summary>
    /// WASI with capabilities: everything of <see cref="Minimal"/> — stdout and stderr into the log
    /// through the same rate limit and sanitiser, the clocks, random bytes, <c>proc_exit</c>,
    /// <c>poll_oneoff</c> bounded by the call's deadline and cancellation, no arguments, stdin at end of
    /// file — plus the environment variables and the host directories <paramref name="capabilities"/>
    /// grants, and the preview1 file functions (<c>fd_*</c>, <c>path_*</c>) on those directories. The
    /// files are served by Wasmtime's WASI, which confines each mount to its host directory (no <c>..</c>,
    /// absolute path or symbolic link leads out of it) and refuses every change in a read-only mount with
    /// a permission error. No sockets: a module importing <c>sock_*</c> is refused at load. See
    /// <c>docs/security.md</c>, "WASI with capabilities", for what this level bounds and what it does not.
    /// </summary>
    /// <param name="capabilities">What the plugin is granted; <see cref="WasiCapabilities.None"/> grants nothing beyond the minimal surface.</param>
    /// <returns>The policy, for <see cref="PluginLoadOptions.Wasi"/> or <see cref="PluginHostOptions.Wasi"/>.</returns>
    public static WasiPolicy WithCapabilities(WasiCapabilities capabilities)
    {
        ArgumentNullException.ThrowIfNull(capabilities);
        return new Runtime.CapabilityWasi(capabilities);
    }

    /// <summary>The policy's name, as messages and logs spell it.</summary>
    public abstract string Name { get; }

    /// <summary>
    /// The WASI functions the policy provides, as the load-time checks compare a module's imports with
    /// them; <see langword="null"/> when the policy links no WASI.
    /// </summary>
    internal abstract HostModuleShape? Functions { get; }

    /// <summary>Defines the policy's functions on the linker of one plugin.</summary>
    /// <param name="linker">The plugin's linker.</param>
    internal abstract void Define(Wasmtime.Linker linker);

    /// <summary>
    /// Sets up the WASI of one instance's store, before the module is instantiated in it; only for a
    /// plugin whose module imports WASI. Nothing by default.
    /// </summary>
    /// <param name="store">The instance's store.</param>
    /// <param name="call">The instance, as WASI sees it (its output, its calls' deadline).</param>
    internal virtual void Configure(Wasmtime.Store store, Runtime.IWasiCall call)
    {
    }

    /// <inheritdoc/>
    public override string ToString() => Name;

    private sealed class NoWasi : WasiPolicy
    {
        public override string Name => "none";

        internal override HostModuleShape? Functions => null;

        internal override void Define(Wasmtime.Linker linker)
        {
            // Nothing is linked: the load-time checks refuse every WASI import first.
        }
    }
}
